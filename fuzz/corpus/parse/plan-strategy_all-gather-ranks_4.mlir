module {
  shard.grid @sp(shape = 4)
  func.func @llama3_8b_prefill(%arg0: tensor<1x32x512x128xbf16>, %arg1: tensor<1x8x512x128xbf16>, %arg2: tensor<1x8x512x128xbf16>) -> tensor<1x32x512x128xbf16> {
    %proc_linear_idx = shard.process_linear_index on @sp : index
    %cst = arith.constant dense<0.000000e+00> : tensor<1x32x512x128xbf16>
    %c128 = arith.constant 128 : index
    %0 = arith.muli %proc_linear_idx, %c128 : index
    %extracted_slice = tensor.extract_slice %arg1[0, 0, %0, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %extracted_slice_0 = tensor.extract_slice %arg2[0, 0, %0, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %c64 = arith.constant 64 : index
    %1 = arith.muli %proc_linear_idx, %c64 : index
    %c7 = arith.constant 7 : index
    %2 = arith.subi %c7, %proc_linear_idx : index
    %3 = arith.muli %2, %c64 : index
    %extracted_slice_1 = tensor.extract_slice %arg0[0, 0, %1, 0] [1, 32, 64, 128] [1, 1, 1, 1] : tensor<1x32x512x128xbf16> to tensor<1x32x64x128xbf16>
    %extracted_slice_2 = tensor.extract_slice %arg0[0, 0, %3, 0] [1, 32, 64, 128] [1, 1, 1, 1] : tensor<1x32x512x128xbf16> to tensor<1x32x64x128xbf16>
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %extracted_slice_3 = tensor.extract_slice %extracted_slice[0, %c0, 0, 0] [1, 1, 128, 128] [1, 1, 1, 1] : tensor<1x8x128x128xbf16> to tensor<1x1x128x128xbf16>
    %all_gather = shard.all_gather %extracted_slice_3 on @sp grid_axes = [0] gather_axis = 2 : tensor<1x1x128x128xbf16> -> tensor<1x1x512x128xbf16>
    %extracted_slice_4 = tensor.extract_slice %extracted_slice_0[0, %c0, 0, 0] [1, 1, 128, 128] [1, 1, 1, 1] : tensor<1x8x128x128xbf16> to tensor<1x1x128x128xbf16>
    %all_gather_5 = shard.all_gather %extracted_slice_4 on @sp grid_axes = [0] gather_axis = 2 : tensor<1x1x128x128xbf16> -> tensor<1x1x512x128xbf16>
    %4:3 = scf.for %arg3 = %c0 to %c7 step %c1 iter_args(%arg4 = %cst, %arg5 = %all_gather, %arg6 = %all_gather_5) -> (tensor<1x32x512x128xbf16>, tensor<1x1x512x128xbf16>, tensor<1x1x512x128xbf16>) {
      %8 = arith.addi %arg3, %c1 : index
      %extracted_slice_10 = tensor.extract_slice %extracted_slice[0, %8, 0, 0] [1, 1, 128, 128] [1, 1, 1, 1] : tensor<1x8x128x128xbf16> to tensor<1x1x128x128xbf16>
      %9 = dattn.all_gather_start %extracted_slice_10 on @sp axis = 0 gather_axis = 2 : tensor<1x1x128x128xbf16> -> !dattn.transfer<tensor<1x1x512x128xbf16>>
      %extracted_slice_11 = tensor.extract_slice %extracted_slice_0[0, %8, 0, 0] [1, 1, 128, 128] [1, 1, 1, 1] : tensor<1x8x128x128xbf16> to tensor<1x1x128x128xbf16>
      %10 = dattn.all_gather_start %extracted_slice_11 on @sp axis = 0 gather_axis = 2 : tensor<1x1x128x128xbf16> -> !dattn.transfer<tensor<1x1x512x128xbf16>>
      %c4_12 = arith.constant 4 : index
      %11 = arith.muli %arg3, %c4_12 : index
      %extracted_slice_13 = tensor.extract_slice %extracted_slice_1[0, %11, 0, 0] [1, 4, 64, 128] [1, 1, 1, 1] : tensor<1x32x64x128xbf16> to tensor<1x4x64x128xbf16>
      %12 = dattn.micro_attention %extracted_slice_13, %arg5, %arg6 mask(<causal>) at(%1, %c0) : tensor<1x4x64x128xbf16>, tensor<1x1x512x128xbf16>, tensor<1x1x512x128xbf16> -> !dattn.state<1x4x64x128>
      %out_14 = dattn.finalize %12 : !dattn.state<1x4x64x128> -> tensor<1x4x64x128xbf16>
      %inserted_slice_15 = tensor.insert_slice %out_14 into %arg4[0, %11, %1, 0] [1, 4, 64, 128] [1, 1, 1, 1] : tensor<1x4x64x128xbf16> into tensor<1x32x512x128xbf16>
      %extracted_slice_16 = tensor.extract_slice %extracted_slice_2[0, %11, 0, 0] [1, 4, 64, 128] [1, 1, 1, 1] : tensor<1x32x64x128xbf16> to tensor<1x4x64x128xbf16>
      %13 = dattn.micro_attention %extracted_slice_16, %arg5, %arg6 mask(<causal>) at(%3, %c0) : tensor<1x4x64x128xbf16>, tensor<1x1x512x128xbf16>, tensor<1x1x512x128xbf16> -> !dattn.state<1x4x64x128>
      %out_17 = dattn.finalize %13 : !dattn.state<1x4x64x128> -> tensor<1x4x64x128xbf16>
      %inserted_slice_18 = tensor.insert_slice %out_17 into %inserted_slice_15[0, %11, %3, 0] [1, 4, 64, 128] [1, 1, 1, 1] : tensor<1x4x64x128xbf16> into tensor<1x32x512x128xbf16>
      %14 = dattn.wait %9 : !dattn.transfer<tensor<1x1x512x128xbf16>> -> tensor<1x1x512x128xbf16>
      %15 = dattn.wait %10 : !dattn.transfer<tensor<1x1x512x128xbf16>> -> tensor<1x1x512x128xbf16>
      scf.yield %inserted_slice_18, %14, %15 : tensor<1x32x512x128xbf16>, tensor<1x1x512x128xbf16>, tensor<1x1x512x128xbf16>
    }
    %c4 = arith.constant 4 : index
    %5 = arith.muli %c7, %c4 : index
    %extracted_slice_6 = tensor.extract_slice %extracted_slice_1[0, %5, 0, 0] [1, 4, 64, 128] [1, 1, 1, 1] : tensor<1x32x64x128xbf16> to tensor<1x4x64x128xbf16>
    %6 = dattn.micro_attention %extracted_slice_6, %4#1, %4#2 mask(<causal>) at(%1, %c0) : tensor<1x4x64x128xbf16>, tensor<1x1x512x128xbf16>, tensor<1x1x512x128xbf16> -> !dattn.state<1x4x64x128>
    %out = dattn.finalize %6 : !dattn.state<1x4x64x128> -> tensor<1x4x64x128xbf16>
    %inserted_slice = tensor.insert_slice %out into %4#0[0, %5, %1, 0] [1, 4, 64, 128] [1, 1, 1, 1] : tensor<1x4x64x128xbf16> into tensor<1x32x512x128xbf16>
    %extracted_slice_7 = tensor.extract_slice %extracted_slice_2[0, %5, 0, 0] [1, 4, 64, 128] [1, 1, 1, 1] : tensor<1x32x64x128xbf16> to tensor<1x4x64x128xbf16>
    %7 = dattn.micro_attention %extracted_slice_7, %4#1, %4#2 mask(<causal>) at(%3, %c0) : tensor<1x4x64x128xbf16>, tensor<1x1x512x128xbf16>, tensor<1x1x512x128xbf16> -> !dattn.state<1x4x64x128>
    %out_8 = dattn.finalize %7 : !dattn.state<1x4x64x128> -> tensor<1x4x64x128xbf16>
    %inserted_slice_9 = tensor.insert_slice %out_8 into %inserted_slice[0, %5, %3, 0] [1, 4, 64, 128] [1, 1, 1, 1] : tensor<1x4x64x128xbf16> into tensor<1x32x512x128xbf16>
    %all_reduce = shard.all_reduce %inserted_slice_9 on @sp grid_axes = [0] : tensor<1x32x512x128xbf16> -> tensor<1x32x512x128xbf16>
    return %all_reduce : tensor<1x32x512x128xbf16>
  }
}

