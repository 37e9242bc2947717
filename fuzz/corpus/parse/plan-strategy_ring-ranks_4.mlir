module {
  shard.grid @sp(shape = 4)
  func.func @llama3_8b_prefill(%arg0: tensor<1x32x512x128xbf16>, %arg1: tensor<1x8x512x128xbf16>, %arg2: tensor<1x8x512x128xbf16>) -> tensor<1x32x512x128xbf16> {
    %proc_linear_idx = shard.process_linear_index on @sp : index
    %cst = arith.constant dense<0.000000e+00> : tensor<1x32x512x128xbf16>
    %c128 = arith.constant 128 : index
    %0 = arith.muli %proc_linear_idx, %c128 : index
    %extracted_slice = tensor.extract_slice %arg0[0, 0, %0, 0] [1, 32, 128, 128] [1, 1, 1, 1] : tensor<1x32x512x128xbf16> to tensor<1x32x128x128xbf16>
    %extracted_slice_0 = tensor.extract_slice %arg1[0, 0, %0, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %extracted_slice_1 = tensor.extract_slice %arg2[0, 0, %0, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %1 = dattn.empty_state : !dattn.state<1x32x128x128>
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %c3 = arith.constant 3 : index
    %2:3 = scf.for %arg3 = %c0 to %c3 step %c1 iter_args(%arg4 = %extracted_slice_0, %arg5 = %extracted_slice_1, %arg6 = %1) -> (tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16>, !dattn.state<1x32x128x128>) {
      %9 = dattn.shift_start %arg4 on @sp axis = 0 offset = 1 rotate : tensor<1x8x128x128xbf16> -> !dattn.transfer<tensor<1x8x128x128xbf16>>
      %10 = dattn.shift_start %arg5 on @sp axis = 0 offset = 1 rotate : tensor<1x8x128x128xbf16> -> !dattn.transfer<tensor<1x8x128x128xbf16>>
      %c4_2 = arith.constant 4 : index
      %11 = arith.addi %proc_linear_idx, %c4_2 : index
      %12 = arith.subi %11, %arg3 : index
      %13 = arith.remui %12, %c4_2 : index
      %14 = arith.muli %13, %c128 : index
      %15 = dattn.micro_attention %extracted_slice, %arg4, %arg5 mask(<causal>) at(%0, %14) : tensor<1x32x128x128xbf16>, tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16> -> !dattn.state<1x32x128x128>
      %16 = dattn.merge %arg6, %15 : !dattn.state<1x32x128x128>
      %17 = dattn.wait %9 : !dattn.transfer<tensor<1x8x128x128xbf16>> -> tensor<1x8x128x128xbf16>
      %18 = dattn.wait %10 : !dattn.transfer<tensor<1x8x128x128xbf16>> -> tensor<1x8x128x128xbf16>
      scf.yield %17, %18, %16 : tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16>, !dattn.state<1x32x128x128>
    }
    %c4 = arith.constant 4 : index
    %3 = arith.addi %proc_linear_idx, %c4 : index
    %4 = arith.subi %3, %c3 : index
    %5 = arith.remui %4, %c4 : index
    %6 = arith.muli %5, %c128 : index
    %7 = dattn.micro_attention %extracted_slice, %2#0, %2#1 mask(<causal>) at(%0, %6) : tensor<1x32x128x128xbf16>, tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16> -> !dattn.state<1x32x128x128>
    %8 = dattn.merge %2#2, %7 : !dattn.state<1x32x128x128>
    %out = dattn.finalize %8 : !dattn.state<1x32x128x128> -> tensor<1x32x128x128xbf16>
    %inserted_slice = tensor.insert_slice %out into %cst[0, 0, %0, 0] [1, 32, 128, 128] [1, 1, 1, 1] : tensor<1x32x128x128xbf16> into tensor<1x32x512x128xbf16>
    %all_reduce = shard.all_reduce %inserted_slice on @sp grid_axes = [0] : tensor<1x32x512x128xbf16> -> tensor<1x32x512x128xbf16>
    return %all_reduce : tensor<1x32x512x128xbf16>
  }
}

