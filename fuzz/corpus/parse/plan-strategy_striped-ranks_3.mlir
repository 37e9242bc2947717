module {
  shard.grid @sp(shape = 3)
  func.func @llama3_8b_prefill(%arg0: tensor<1x32x512x128xbf16>, %arg1: tensor<1x8x512x128xbf16>, %arg2: tensor<1x8x512x128xbf16>) -> tensor<1x32x512x128xbf16> {
    %cst = arith.constant 0.000000e+00 : bf16
    %padded = tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 1, 0] {
    ^bb0(%arg3: index, %arg4: index, %arg5: index, %arg6: index):
      tensor.yield %cst : bf16
    } : tensor<1x32x512x128xbf16> to tensor<1x32x513x128xbf16>
    %padded_0 = tensor.pad %arg1 low[0, 0, 0, 0] high[0, 0, 1, 0] {
    ^bb0(%arg3: index, %arg4: index, %arg5: index, %arg6: index):
      tensor.yield %cst : bf16
    } : tensor<1x8x512x128xbf16> to tensor<1x8x513x128xbf16>
    %padded_1 = tensor.pad %arg2 low[0, 0, 0, 0] high[0, 0, 1, 0] {
    ^bb0(%arg3: index, %arg4: index, %arg5: index, %arg6: index):
      tensor.yield %cst : bf16
    } : tensor<1x8x512x128xbf16> to tensor<1x8x513x128xbf16>
    %proc_linear_idx = shard.process_linear_index on @sp : index
    %cst_2 = arith.constant dense<0.000000e+00> : tensor<1x32x513x128xbf16>
    %extracted_slice = tensor.extract_slice %padded[0, 0, %proc_linear_idx, 0] [1, 32, 171, 128] [1, 1, 3, 1] : tensor<1x32x513x128xbf16> to tensor<1x32x171x128xbf16>
    %extracted_slice_3 = tensor.extract_slice %padded_0[0, 0, %proc_linear_idx, 0] [1, 8, 171, 128] [1, 1, 3, 1] : tensor<1x8x513x128xbf16> to tensor<1x8x171x128xbf16>
    %extracted_slice_4 = tensor.extract_slice %padded_1[0, 0, %proc_linear_idx, 0] [1, 8, 171, 128] [1, 1, 3, 1] : tensor<1x8x513x128xbf16> to tensor<1x8x171x128xbf16>
    %0 = dattn.empty_state : !dattn.state<1x32x171x128>
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %c2 = arith.constant 2 : index
    %1:3 = scf.for %arg3 = %c0 to %c2 step %c1 iter_args(%arg4 = %extracted_slice_3, %arg5 = %extracted_slice_4, %arg6 = %0) -> (tensor<1x8x171x128xbf16>, tensor<1x8x171x128xbf16>, !dattn.state<1x32x171x128>) {
      %7 = dattn.shift_start %arg4 on @sp axis = 0 offset = 1 rotate : tensor<1x8x171x128xbf16> -> !dattn.transfer<tensor<1x8x171x128xbf16>>
      %8 = dattn.shift_start %arg5 on @sp axis = 0 offset = 1 rotate : tensor<1x8x171x128xbf16> -> !dattn.transfer<tensor<1x8x171x128xbf16>>
      %c3_6 = arith.constant 3 : index
      %9 = arith.addi %proc_linear_idx, %c3_6 : index
      %10 = arith.subi %9, %arg3 : index
      %11 = arith.remui %10, %c3_6 : index
      %12 = dattn.micro_attention %extracted_slice, %arg4, %arg5 mask(<causal, q = 0 + 3 * i, k = 0 + 3 * j, k_end = 512>) at(%proc_linear_idx, %11) : tensor<1x32x171x128xbf16>, tensor<1x8x171x128xbf16>, tensor<1x8x171x128xbf16> -> !dattn.state<1x32x171x128>
      %13 = dattn.merge %arg6, %12 : !dattn.state<1x32x171x128>
      %14 = dattn.wait %7 : !dattn.transfer<tensor<1x8x171x128xbf16>> -> tensor<1x8x171x128xbf16>
      %15 = dattn.wait %8 : !dattn.transfer<tensor<1x8x171x128xbf16>> -> tensor<1x8x171x128xbf16>
      scf.yield %14, %15, %13 : tensor<1x8x171x128xbf16>, tensor<1x8x171x128xbf16>, !dattn.state<1x32x171x128>
    }
    %c3 = arith.constant 3 : index
    %2 = arith.addi %proc_linear_idx, %c3 : index
    %3 = arith.subi %2, %c2 : index
    %4 = arith.remui %3, %c3 : index
    %5 = dattn.micro_attention %extracted_slice, %1#0, %1#1 mask(<causal, q = 0 + 3 * i, k = 0 + 3 * j, k_end = 512>) at(%proc_linear_idx, %4) : tensor<1x32x171x128xbf16>, tensor<1x8x171x128xbf16>, tensor<1x8x171x128xbf16> -> !dattn.state<1x32x171x128>
    %6 = dattn.merge %1#2, %5 : !dattn.state<1x32x171x128>
    %out = dattn.finalize %6 : !dattn.state<1x32x171x128> -> tensor<1x32x171x128xbf16>
    %inserted_slice = tensor.insert_slice %out into %cst_2[0, 0, %proc_linear_idx, 0] [1, 32, 171, 128] [1, 1, 3, 1] : tensor<1x32x171x128xbf16> into tensor<1x32x513x128xbf16>
    %all_reduce = shard.all_reduce %inserted_slice on @sp grid_axes = [0] : tensor<1x32x513x128xbf16> -> tensor<1x32x513x128xbf16>
    %extracted_slice_5 = tensor.extract_slice %all_reduce[0, 0, 0, 0] [1, 32, 512, 128] [1, 1, 1, 1] : tensor<1x32x513x128xbf16> to tensor<1x32x512x128xbf16>
    return %extracted_slice_5 : tensor<1x32x512x128xbf16>
  }
}

