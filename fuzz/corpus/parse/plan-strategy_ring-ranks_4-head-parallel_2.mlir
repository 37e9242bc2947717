module {
  shard.grid @sp(shape = 2x2)
  func.func @llama3_8b_prefill(%arg0: tensor<1x32x512x128xbf16>, %arg1: tensor<1x8x512x128xbf16>, %arg2: tensor<1x8x512x128xbf16>) -> tensor<1x32x512x128xbf16> {
    %proc_linear_idx = shard.process_multi_index on @sp axes = [0] : index
    %cst = arith.constant dense<0.000000e+00> : tensor<1x32x512x128xbf16>
    %proc_linear_idx_0 = shard.process_multi_index on @sp axes = [1] : index
    %c256 = arith.constant 256 : index
    %0 = arith.muli %proc_linear_idx, %c256 : index
    %c128 = arith.constant 128 : index
    %1 = arith.muli %proc_linear_idx_0, %c128 : index
    %2 = arith.addi %0, %1 : index
    %extracted_slice = tensor.extract_slice %arg0[0, 0, %2, 0] [1, 32, 128, 128] [1, 1, 1, 1] : tensor<1x32x512x128xbf16> to tensor<1x32x128x128xbf16>
    %all_to_all = shard.all_to_all %extracted_slice on @sp grid_axes = [1] split_axis = 1 concat_axis = 2 : tensor<1x32x128x128xbf16> -> tensor<1x16x256x128xbf16>
    %extracted_slice_1 = tensor.extract_slice %arg1[0, 0, %2, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %all_to_all_2 = shard.all_to_all %extracted_slice_1 on @sp grid_axes = [1] split_axis = 1 concat_axis = 2 : tensor<1x8x128x128xbf16> -> tensor<1x4x256x128xbf16>
    %extracted_slice_3 = tensor.extract_slice %arg2[0, 0, %2, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %all_to_all_4 = shard.all_to_all %extracted_slice_3 on @sp grid_axes = [1] split_axis = 1 concat_axis = 2 : tensor<1x8x128x128xbf16> -> tensor<1x4x256x128xbf16>
    %3 = dattn.empty_state : !dattn.state<1x16x256x128>
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %4:3 = scf.for %arg3 = %c0 to %c1 step %c1 iter_args(%arg4 = %all_to_all_2, %arg5 = %all_to_all_4, %arg6 = %3) -> (tensor<1x4x256x128xbf16>, tensor<1x4x256x128xbf16>, !dattn.state<1x16x256x128>) {
      %11 = dattn.shift_start %arg4 on @sp axis = 0 offset = 1 rotate : tensor<1x4x256x128xbf16> -> !dattn.transfer<tensor<1x4x256x128xbf16>>
      %12 = dattn.shift_start %arg5 on @sp axis = 0 offset = 1 rotate : tensor<1x4x256x128xbf16> -> !dattn.transfer<tensor<1x4x256x128xbf16>>
      %c2_6 = arith.constant 2 : index
      %13 = arith.addi %proc_linear_idx, %c2_6 : index
      %14 = arith.subi %13, %arg3 : index
      %15 = arith.remui %14, %c2_6 : index
      %16 = arith.muli %15, %c256 : index
      %17 = dattn.micro_attention %all_to_all, %arg4, %arg5 mask(<causal>) at(%0, %16) : tensor<1x16x256x128xbf16>, tensor<1x4x256x128xbf16>, tensor<1x4x256x128xbf16> -> !dattn.state<1x16x256x128>
      %18 = dattn.merge %arg6, %17 : !dattn.state<1x16x256x128>
      %19 = dattn.wait %11 : !dattn.transfer<tensor<1x4x256x128xbf16>> -> tensor<1x4x256x128xbf16>
      %20 = dattn.wait %12 : !dattn.transfer<tensor<1x4x256x128xbf16>> -> tensor<1x4x256x128xbf16>
      scf.yield %19, %20, %18 : tensor<1x4x256x128xbf16>, tensor<1x4x256x128xbf16>, !dattn.state<1x16x256x128>
    }
    %c2 = arith.constant 2 : index
    %5 = arith.addi %proc_linear_idx, %c2 : index
    %6 = arith.subi %5, %c1 : index
    %7 = arith.remui %6, %c2 : index
    %8 = arith.muli %7, %c256 : index
    %9 = dattn.micro_attention %all_to_all, %4#0, %4#1 mask(<causal>) at(%0, %8) : tensor<1x16x256x128xbf16>, tensor<1x4x256x128xbf16>, tensor<1x4x256x128xbf16> -> !dattn.state<1x16x256x128>
    %10 = dattn.merge %4#2, %9 : !dattn.state<1x16x256x128>
    %out = dattn.finalize %10 : !dattn.state<1x16x256x128> -> tensor<1x16x256x128xbf16>
    %all_to_all_5 = shard.all_to_all %out on @sp grid_axes = [1] split_axis = 2 concat_axis = 1 : tensor<1x16x256x128xbf16> -> tensor<1x32x128x128xbf16>
    %inserted_slice = tensor.insert_slice %all_to_all_5 into %cst[0, 0, %2, 0] [1, 32, 128, 128] [1, 1, 1, 1] : tensor<1x32x128x128xbf16> into tensor<1x32x512x128xbf16>
    %all_reduce = shard.all_reduce %inserted_slice on @sp grid_axes = [0, 1] : tensor<1x32x512x128xbf16> -> tensor<1x32x512x128xbf16>
    return %all_reduce : tensor<1x32x512x128xbf16>
  }
}

