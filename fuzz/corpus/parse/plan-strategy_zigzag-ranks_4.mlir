module {
  shard.grid @sp(shape = 4)
  func.func @llama3_8b_prefill(%arg0: tensor<1x32x512x128xbf16>, %arg1: tensor<1x8x512x128xbf16>, %arg2: tensor<1x8x512x128xbf16>) -> tensor<1x32x512x128xbf16> {
    %proc_linear_idx = shard.process_linear_index on @sp : index
    %cst = arith.constant dense<0.000000e+00> : tensor<1x32x512x128xbf16>
    %c64 = arith.constant 64 : index
    %0 = arith.muli %proc_linear_idx, %c64 : index
    %c7 = arith.constant 7 : index
    %1 = arith.subi %c7, %proc_linear_idx : index
    %2 = arith.muli %1, %c64 : index
    %extracted_slice = tensor.extract_slice %arg0[0, 0, %0, 0] [1, 32, 64, 128] [1, 1, 1, 1] : tensor<1x32x512x128xbf16> to tensor<1x32x64x128xbf16>
    %extracted_slice_0 = tensor.extract_slice %arg0[0, 0, %2, 0] [1, 32, 64, 128] [1, 1, 1, 1] : tensor<1x32x512x128xbf16> to tensor<1x32x64x128xbf16>
    %extracted_slice_1 = tensor.extract_slice %arg1[0, 0, %0, 0] [1, 8, 64, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x64x128xbf16>
    %extracted_slice_2 = tensor.extract_slice %arg1[0, 0, %2, 0] [1, 8, 64, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x64x128xbf16>
    %extracted_slice_3 = tensor.extract_slice %arg2[0, 0, %0, 0] [1, 8, 64, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x64x128xbf16>
    %extracted_slice_4 = tensor.extract_slice %arg2[0, 0, %2, 0] [1, 8, 64, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x64x128xbf16>
    %3 = dattn.empty_state : !dattn.state<1x32x64x128>
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %c3 = arith.constant 3 : index
    %4:6 = scf.for %arg3 = %c0 to %c3 step %c1 iter_args(%arg4 = %extracted_slice_1, %arg5 = %extracted_slice_2, %arg6 = %extracted_slice_3, %arg7 = %extracted_slice_4, %arg8 = %3, %arg9 = %3) -> (tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16>, !dattn.state<1x32x64x128>, !dattn.state<1x32x64x128>) {
      %17 = dattn.shift_start %arg4 on @sp axis = 0 offset = 1 rotate : tensor<1x8x64x128xbf16> -> !dattn.transfer<tensor<1x8x64x128xbf16>>
      %18 = dattn.shift_start %arg5 on @sp axis = 0 offset = 1 rotate : tensor<1x8x64x128xbf16> -> !dattn.transfer<tensor<1x8x64x128xbf16>>
      %19 = dattn.shift_start %arg6 on @sp axis = 0 offset = 1 rotate : tensor<1x8x64x128xbf16> -> !dattn.transfer<tensor<1x8x64x128xbf16>>
      %20 = dattn.shift_start %arg7 on @sp axis = 0 offset = 1 rotate : tensor<1x8x64x128xbf16> -> !dattn.transfer<tensor<1x8x64x128xbf16>>
      %c4_7 = arith.constant 4 : index
      %21 = arith.addi %proc_linear_idx, %c4_7 : index
      %22 = arith.subi %21, %arg3 : index
      %23 = arith.remui %22, %c4_7 : index
      %24 = arith.muli %23, %c64 : index
      %25 = arith.subi %c7, %23 : index
      %26 = arith.muli %25, %c64 : index
      %27 = dattn.micro_attention %extracted_slice, %arg4, %arg6 mask(<causal>) at(%0, %24) : tensor<1x32x64x128xbf16>, tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16> -> !dattn.state<1x32x64x128>
      %28 = dattn.micro_attention %extracted_slice, %arg5, %arg7 mask(<causal>) at(%0, %26) : tensor<1x32x64x128xbf16>, tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16> -> !dattn.state<1x32x64x128>
      %29 = dattn.micro_attention %extracted_slice_0, %arg4, %arg6 mask(<causal>) at(%2, %24) : tensor<1x32x64x128xbf16>, tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16> -> !dattn.state<1x32x64x128>
      %30 = dattn.micro_attention %extracted_slice_0, %arg5, %arg7 mask(<causal>) at(%2, %26) : tensor<1x32x64x128xbf16>, tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16> -> !dattn.state<1x32x64x128>
      %31 = dattn.merge %arg8, %27, %28 : !dattn.state<1x32x64x128>
      %32 = dattn.merge %arg9, %29, %30 : !dattn.state<1x32x64x128>
      %33 = dattn.wait %17 : !dattn.transfer<tensor<1x8x64x128xbf16>> -> tensor<1x8x64x128xbf16>
      %34 = dattn.wait %18 : !dattn.transfer<tensor<1x8x64x128xbf16>> -> tensor<1x8x64x128xbf16>
      %35 = dattn.wait %19 : !dattn.transfer<tensor<1x8x64x128xbf16>> -> tensor<1x8x64x128xbf16>
      %36 = dattn.wait %20 : !dattn.transfer<tensor<1x8x64x128xbf16>> -> tensor<1x8x64x128xbf16>
      scf.yield %33, %34, %35, %36, %31, %32 : tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16>, !dattn.state<1x32x64x128>, !dattn.state<1x32x64x128>
    }
    %c4 = arith.constant 4 : index
    %5 = arith.addi %proc_linear_idx, %c4 : index
    %6 = arith.subi %5, %c3 : index
    %7 = arith.remui %6, %c4 : index
    %8 = arith.muli %7, %c64 : index
    %9 = arith.subi %c7, %7 : index
    %10 = arith.muli %9, %c64 : index
    %11 = dattn.micro_attention %extracted_slice, %4#0, %4#2 mask(<causal>) at(%0, %8) : tensor<1x32x64x128xbf16>, tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16> -> !dattn.state<1x32x64x128>
    %12 = dattn.micro_attention %extracted_slice, %4#1, %4#3 mask(<causal>) at(%0, %10) : tensor<1x32x64x128xbf16>, tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16> -> !dattn.state<1x32x64x128>
    %13 = dattn.micro_attention %extracted_slice_0, %4#0, %4#2 mask(<causal>) at(%2, %8) : tensor<1x32x64x128xbf16>, tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16> -> !dattn.state<1x32x64x128>
    %14 = dattn.micro_attention %extracted_slice_0, %4#1, %4#3 mask(<causal>) at(%2, %10) : tensor<1x32x64x128xbf16>, tensor<1x8x64x128xbf16>, tensor<1x8x64x128xbf16> -> !dattn.state<1x32x64x128>
    %15 = dattn.merge %4#4, %11, %12 : !dattn.state<1x32x64x128>
    %16 = dattn.merge %4#5, %13, %14 : !dattn.state<1x32x64x128>
    %out = dattn.finalize %15 : !dattn.state<1x32x64x128> -> tensor<1x32x64x128xbf16>
    %inserted_slice = tensor.insert_slice %out into %cst[0, 0, %0, 0] [1, 32, 64, 128] [1, 1, 1, 1] : tensor<1x32x64x128xbf16> into tensor<1x32x512x128xbf16>
    %out_5 = dattn.finalize %16 : !dattn.state<1x32x64x128> -> tensor<1x32x64x128xbf16>
    %inserted_slice_6 = tensor.insert_slice %out_5 into %inserted_slice[0, 0, %2, 0] [1, 32, 64, 128] [1, 1, 1, 1] : tensor<1x32x64x128xbf16> into tensor<1x32x512x128xbf16>
    %all_reduce = shard.all_reduce %inserted_slice_6 on @sp grid_axes = [0] : tensor<1x32x512x128xbf16> -> tensor<1x32x512x128xbf16>
    return %all_reduce : tensor<1x32x512x128xbf16>
  }
}

