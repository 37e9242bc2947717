module {
  shard.grid @sp(shape = 2x4)
  func.func @llama3_8b_prefill(%arg0: tensor<1x32x512x128xbf16>, %arg1: tensor<1x8x512x128xbf16>, %arg2: tensor<1x8x512x128xbf16>) -> tensor<1x32x512x128xbf16> {
    %proc_linear_idx = shard.process_multi_index on @sp axes = [0] : index
    %proc_linear_idx_0 = shard.process_multi_index on @sp axes = [1] : index
    %c4 = arith.constant 4 : index
    %0 = arith.muli %proc_linear_idx, %c4 : index
    %1 = arith.addi %0, %proc_linear_idx_0 : index
    %cst = arith.constant dense<0.000000e+00> : tensor<1x32x512x128xbf16>
    %c32 = arith.constant 32 : index
    %2 = arith.muli %1, %c32 : index
    %c15 = arith.constant 15 : index
    %3 = arith.subi %c15, %1 : index
    %4 = arith.muli %3, %c32 : index
    %extracted_slice = tensor.extract_slice %arg0[0, 0, %2, 0] [1, 32, 32, 128] [1, 1, 1, 1] : tensor<1x32x512x128xbf16> to tensor<1x32x32x128xbf16>
    %extracted_slice_1 = tensor.extract_slice %arg0[0, 0, %4, 0] [1, 32, 32, 128] [1, 1, 1, 1] : tensor<1x32x512x128xbf16> to tensor<1x32x32x128xbf16>
    %extracted_slice_2 = tensor.extract_slice %arg1[0, 0, %2, 0] [1, 8, 32, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x32x128xbf16>
    %extracted_slice_3 = tensor.extract_slice %arg1[0, 0, %4, 0] [1, 8, 32, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x32x128xbf16>
    %extracted_slice_4 = tensor.extract_slice %arg2[0, 0, %2, 0] [1, 8, 32, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x32x128xbf16>
    %extracted_slice_5 = tensor.extract_slice %arg2[0, 0, %4, 0] [1, 8, 32, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x32x128xbf16>
    %5 = dattn.empty_state : !dattn.state<1x32x32x128>
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %6:6 = scf.for %arg3 = %c0 to %c1 step %c1 iter_args(%arg4 = %extracted_slice_2, %arg5 = %extracted_slice_3, %arg6 = %extracted_slice_4, %arg7 = %extracted_slice_5, %arg8 = %5, %arg9 = %5) -> (tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, !dattn.state<1x32x32x128>, !dattn.state<1x32x32x128>) {
      %25 = dattn.shift_start %arg4 on @sp axis = 0 offset = 1 rotate : tensor<1x8x32x128xbf16> -> !dattn.transfer<tensor<1x8x32x128xbf16>>
      %26 = dattn.shift_start %arg5 on @sp axis = 0 offset = 1 rotate : tensor<1x8x32x128xbf16> -> !dattn.transfer<tensor<1x8x32x128xbf16>>
      %27 = dattn.shift_start %arg6 on @sp axis = 0 offset = 1 rotate : tensor<1x8x32x128xbf16> -> !dattn.transfer<tensor<1x8x32x128xbf16>>
      %28 = dattn.shift_start %arg7 on @sp axis = 0 offset = 1 rotate : tensor<1x8x32x128xbf16> -> !dattn.transfer<tensor<1x8x32x128xbf16>>
      %c2_8 = arith.constant 2 : index
      %29 = arith.addi %proc_linear_idx, %c2_8 : index
      %30 = arith.subi %29, %arg3 : index
      %31 = arith.remui %30, %c2_8 : index
      %32 = arith.muli %31, %c4 : index
      %c3_9 = arith.constant 3 : index
      %33:6 = scf.for %arg10 = %c0 to %c3_9 step %c1 iter_args(%arg11 = %arg4, %arg12 = %arg5, %arg13 = %arg6, %arg14 = %arg7, %arg15 = %arg8, %arg16 = %arg9) -> (tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, !dattn.state<1x32x32x128>, !dattn.state<1x32x32x128>) {
        %51 = dattn.shift_start %arg11 on @sp axis = 1 offset = 1 rotate : tensor<1x8x32x128xbf16> -> !dattn.transfer<tensor<1x8x32x128xbf16>>
        %52 = dattn.shift_start %arg12 on @sp axis = 1 offset = 1 rotate : tensor<1x8x32x128xbf16> -> !dattn.transfer<tensor<1x8x32x128xbf16>>
        %53 = dattn.shift_start %arg13 on @sp axis = 1 offset = 1 rotate : tensor<1x8x32x128xbf16> -> !dattn.transfer<tensor<1x8x32x128xbf16>>
        %54 = dattn.shift_start %arg14 on @sp axis = 1 offset = 1 rotate : tensor<1x8x32x128xbf16> -> !dattn.transfer<tensor<1x8x32x128xbf16>>
        %55 = arith.addi %proc_linear_idx_0, %c4 : index
        %56 = arith.subi %55, %arg10 : index
        %57 = arith.remui %56, %c4 : index
        %58 = arith.addi %32, %57 : index
        %59 = arith.muli %58, %c32 : index
        %60 = arith.subi %c15, %58 : index
        %61 = arith.muli %60, %c32 : index
        %62 = dattn.micro_attention %extracted_slice, %arg11, %arg13 mask(<causal>) at(%2, %59) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
        %63 = dattn.micro_attention %extracted_slice, %arg12, %arg14 mask(<causal>) at(%2, %61) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
        %64 = dattn.micro_attention %extracted_slice_1, %arg11, %arg13 mask(<causal>) at(%4, %59) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
        %65 = dattn.micro_attention %extracted_slice_1, %arg12, %arg14 mask(<causal>) at(%4, %61) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
        %66 = dattn.merge %arg15, %62, %63 : !dattn.state<1x32x32x128>
        %67 = dattn.merge %arg16, %64, %65 : !dattn.state<1x32x32x128>
        %68 = dattn.wait %51 : !dattn.transfer<tensor<1x8x32x128xbf16>> -> tensor<1x8x32x128xbf16>
        %69 = dattn.wait %52 : !dattn.transfer<tensor<1x8x32x128xbf16>> -> tensor<1x8x32x128xbf16>
        %70 = dattn.wait %53 : !dattn.transfer<tensor<1x8x32x128xbf16>> -> tensor<1x8x32x128xbf16>
        %71 = dattn.wait %54 : !dattn.transfer<tensor<1x8x32x128xbf16>> -> tensor<1x8x32x128xbf16>
        scf.yield %68, %69, %70, %71, %66, %67 : tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, !dattn.state<1x32x32x128>, !dattn.state<1x32x32x128>
      }
      %34 = arith.addi %proc_linear_idx_0, %c4 : index
      %35 = arith.subi %34, %c3_9 : index
      %36 = arith.remui %35, %c4 : index
      %37 = arith.addi %32, %36 : index
      %38 = arith.muli %37, %c32 : index
      %39 = arith.subi %c15, %37 : index
      %40 = arith.muli %39, %c32 : index
      %41 = dattn.micro_attention %extracted_slice, %33#0, %33#2 mask(<causal>) at(%2, %38) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
      %42 = dattn.micro_attention %extracted_slice, %33#1, %33#3 mask(<causal>) at(%2, %40) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
      %43 = dattn.micro_attention %extracted_slice_1, %33#0, %33#2 mask(<causal>) at(%4, %38) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
      %44 = dattn.micro_attention %extracted_slice_1, %33#1, %33#3 mask(<causal>) at(%4, %40) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
      %45 = dattn.merge %33#4, %41, %42 : !dattn.state<1x32x32x128>
      %46 = dattn.merge %33#5, %43, %44 : !dattn.state<1x32x32x128>
      %47 = dattn.wait %25 : !dattn.transfer<tensor<1x8x32x128xbf16>> -> tensor<1x8x32x128xbf16>
      %48 = dattn.wait %26 : !dattn.transfer<tensor<1x8x32x128xbf16>> -> tensor<1x8x32x128xbf16>
      %49 = dattn.wait %27 : !dattn.transfer<tensor<1x8x32x128xbf16>> -> tensor<1x8x32x128xbf16>
      %50 = dattn.wait %28 : !dattn.transfer<tensor<1x8x32x128xbf16>> -> tensor<1x8x32x128xbf16>
      scf.yield %47, %48, %49, %50, %45, %46 : tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, !dattn.state<1x32x32x128>, !dattn.state<1x32x32x128>
    }
    %c2 = arith.constant 2 : index
    %7 = arith.addi %proc_linear_idx, %c2 : index
    %8 = arith.subi %7, %c1 : index
    %9 = arith.remui %8, %c2 : index
    %10 = arith.muli %9, %c4 : index
    %c3 = arith.constant 3 : index
    %11:6 = scf.for %arg3 = %c0 to %c3 step %c1 iter_args(%arg4 = %6#0, %arg5 = %6#1, %arg6 = %6#2, %arg7 = %6#3, %arg8 = %6#4, %arg9 = %6#5) -> (tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, !dattn.state<1x32x32x128>, !dattn.state<1x32x32x128>) {
      %25 = dattn.shift_start %arg4 on @sp axis = 1 offset = 1 rotate : tensor<1x8x32x128xbf16> -> !dattn.transfer<tensor<1x8x32x128xbf16>>
      %26 = dattn.shift_start %arg5 on @sp axis = 1 offset = 1 rotate : tensor<1x8x32x128xbf16> -> !dattn.transfer<tensor<1x8x32x128xbf16>>
      %27 = dattn.shift_start %arg6 on @sp axis = 1 offset = 1 rotate : tensor<1x8x32x128xbf16> -> !dattn.transfer<tensor<1x8x32x128xbf16>>
      %28 = dattn.shift_start %arg7 on @sp axis = 1 offset = 1 rotate : tensor<1x8x32x128xbf16> -> !dattn.transfer<tensor<1x8x32x128xbf16>>
      %29 = arith.addi %proc_linear_idx_0, %c4 : index
      %30 = arith.subi %29, %arg3 : index
      %31 = arith.remui %30, %c4 : index
      %32 = arith.addi %10, %31 : index
      %33 = arith.muli %32, %c32 : index
      %34 = arith.subi %c15, %32 : index
      %35 = arith.muli %34, %c32 : index
      %36 = dattn.micro_attention %extracted_slice, %arg4, %arg6 mask(<causal>) at(%2, %33) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
      %37 = dattn.micro_attention %extracted_slice, %arg5, %arg7 mask(<causal>) at(%2, %35) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
      %38 = dattn.micro_attention %extracted_slice_1, %arg4, %arg6 mask(<causal>) at(%4, %33) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
      %39 = dattn.micro_attention %extracted_slice_1, %arg5, %arg7 mask(<causal>) at(%4, %35) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
      %40 = dattn.merge %arg8, %36, %37 : !dattn.state<1x32x32x128>
      %41 = dattn.merge %arg9, %38, %39 : !dattn.state<1x32x32x128>
      %42 = dattn.wait %25 : !dattn.transfer<tensor<1x8x32x128xbf16>> -> tensor<1x8x32x128xbf16>
      %43 = dattn.wait %26 : !dattn.transfer<tensor<1x8x32x128xbf16>> -> tensor<1x8x32x128xbf16>
      %44 = dattn.wait %27 : !dattn.transfer<tensor<1x8x32x128xbf16>> -> tensor<1x8x32x128xbf16>
      %45 = dattn.wait %28 : !dattn.transfer<tensor<1x8x32x128xbf16>> -> tensor<1x8x32x128xbf16>
      scf.yield %42, %43, %44, %45, %40, %41 : tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16>, !dattn.state<1x32x32x128>, !dattn.state<1x32x32x128>
    }
    %12 = arith.addi %proc_linear_idx_0, %c4 : index
    %13 = arith.subi %12, %c3 : index
    %14 = arith.remui %13, %c4 : index
    %15 = arith.addi %10, %14 : index
    %16 = arith.muli %15, %c32 : index
    %17 = arith.subi %c15, %15 : index
    %18 = arith.muli %17, %c32 : index
    %19 = dattn.micro_attention %extracted_slice, %11#0, %11#2 mask(<causal>) at(%2, %16) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
    %20 = dattn.micro_attention %extracted_slice, %11#1, %11#3 mask(<causal>) at(%2, %18) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
    %21 = dattn.micro_attention %extracted_slice_1, %11#0, %11#2 mask(<causal>) at(%4, %16) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
    %22 = dattn.micro_attention %extracted_slice_1, %11#1, %11#3 mask(<causal>) at(%4, %18) : tensor<1x32x32x128xbf16>, tensor<1x8x32x128xbf16>, tensor<1x8x32x128xbf16> -> !dattn.state<1x32x32x128>
    %23 = dattn.merge %11#4, %19, %20 : !dattn.state<1x32x32x128>
    %24 = dattn.merge %11#5, %21, %22 : !dattn.state<1x32x32x128>
    %out = dattn.finalize %23 : !dattn.state<1x32x32x128> -> tensor<1x32x32x128xbf16>
    %inserted_slice = tensor.insert_slice %out into %cst[0, 0, %2, 0] [1, 32, 32, 128] [1, 1, 1, 1] : tensor<1x32x32x128xbf16> into tensor<1x32x512x128xbf16>
    %out_6 = dattn.finalize %24 : !dattn.state<1x32x32x128> -> tensor<1x32x32x128xbf16>
    %inserted_slice_7 = tensor.insert_slice %out_6 into %inserted_slice[0, 0, %4, 0] [1, 32, 32, 128] [1, 1, 1, 1] : tensor<1x32x32x128xbf16> into tensor<1x32x512x128xbf16>
    %all_reduce = shard.all_reduce %inserted_slice_7 on @sp grid_axes = [0, 1] : tensor<1x32x512x128xbf16> -> tensor<1x32x512x128xbf16>
    return %all_reduce : tensor<1x32x512x128xbf16>
  }
}

