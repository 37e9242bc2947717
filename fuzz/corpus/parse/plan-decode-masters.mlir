module {
  shard.grid @sp(shape = 3)
  func.func @decode(%arg0: tensor<4x4x1x16xf32>, %arg1: tensor<4x2x300x16xf32>, %arg2: tensor<4x2x300x16xf32>) -> tensor<4x4x1x16xf32> {
    %proc_linear_idx = shard.process_linear_index on @sp : index
    %c100 = arith.constant 100 : index
    %0 = arith.muli %proc_linear_idx, %c100 : index
    %extracted_slice = tensor.extract_slice %arg1[0, 0, %0, 0] [4, 2, 100, 16] [1, 1, 1, 1] : tensor<4x2x300x16xf32> to tensor<4x2x100x16xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %padded = tensor.pad %extracted_slice low[0, 0, 0, 0] high[2, 0, 0, 0] {
    ^bb0(%arg3: index, %arg4: index, %arg5: index, %arg6: index):
      tensor.yield %cst : f32
    } : tensor<4x2x100x16xf32> to tensor<6x2x100x16xf32>
    %extracted_slice_0 = tensor.extract_slice %arg2[0, 0, %0, 0] [4, 2, 100, 16] [1, 1, 1, 1] : tensor<4x2x300x16xf32> to tensor<4x2x100x16xf32>
    %padded_1 = tensor.pad %extracted_slice_0 low[0, 0, 0, 0] high[2, 0, 0, 0] {
    ^bb0(%arg3: index, %arg4: index, %arg5: index, %arg6: index):
      tensor.yield %cst : f32
    } : tensor<4x2x100x16xf32> to tensor<6x2x100x16xf32>
    %padded_2 = tensor.pad %arg0 low[0, 0, 0, 0] high[2, 0, 0, 0] {
    ^bb0(%arg3: index, %arg4: index, %arg5: index, %arg6: index):
      tensor.yield %cst : f32
    } : tensor<4x4x1x16xf32> to tensor<6x4x1x16xf32>
    %c2 = arith.constant 2 : index
    %1 = arith.muli %proc_linear_idx, %c2 : index
    %cst_3 = arith.constant dense<0.000000e+00> : tensor<6x4x1x16xf32>
    %cst_4 = arith.constant dense<0.000000e+00> : tensor<6x4x1xf32>
    %extracted_slice_5 = tensor.extract_slice %padded_2[%1, 0, 0, 0] [2, 4, 1, 16] [1, 1, 1, 1] : tensor<6x4x1x16xf32> to tensor<2x4x1x16xf32>
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %2:3 = scf.for %arg3 = %c0 to %c2 step %c1 iter_args(%arg4 = %extracted_slice_5, %arg5 = %cst_3, %arg6 = %cst_4) -> (tensor<2x4x1x16xf32>, tensor<6x4x1x16xf32>, tensor<6x4x1xf32>) {
      %10 = dattn.shift_start %arg4 on @sp axis = 0 offset = 1 rotate : tensor<2x4x1x16xf32> -> !dattn.transfer<tensor<2x4x1x16xf32>>
      %c3_13 = arith.constant 3 : index
      %11 = arith.addi %proc_linear_idx, %c3_13 : index
      %12 = arith.subi %11, %arg3 : index
      %13 = arith.remui %12, %c3_13 : index
      %14 = arith.muli %13, %c2 : index
      %extracted_slice_14 = tensor.extract_slice %padded[%14, 0, 0, 0] [2, 2, 100, 16] [1, 1, 1, 1] : tensor<6x2x100x16xf32> to tensor<2x2x100x16xf32>
      %extracted_slice_15 = tensor.extract_slice %padded_1[%14, 0, 0, 0] [2, 2, 100, 16] [1, 1, 1, 1] : tensor<6x2x100x16xf32> to tensor<2x2x100x16xf32>
      %15 = dattn.micro_attention %arg4, %extracted_slice_14, %extracted_slice_15 mask(<causal, q = 299 + 1 * i, k_end = 300>) at(%c0, %0) : tensor<2x4x1x16xf32>, tensor<2x2x100x16xf32>, tensor<2x2x100x16xf32> -> !dattn.state<2x4x1x16>
      %out_16, %lse_17 = dattn.finalize %15 : !dattn.state<2x4x1x16> -> tensor<2x4x1x16xf32>, tensor<2x4x1xf32>
      %16 = dattn.wait %10 : !dattn.transfer<tensor<2x4x1x16xf32>> -> tensor<2x4x1x16xf32>
      %inserted_slice_18 = tensor.insert_slice %out_16 into %arg5[%14, 0, 0, 0] [2, 4, 1, 16] [1, 1, 1, 1] : tensor<2x4x1x16xf32> into tensor<6x4x1x16xf32>
      %inserted_slice_19 = tensor.insert_slice %lse_17 into %arg6[%14, 0, 0] [2, 4, 1] [1, 1, 1] : tensor<2x4x1xf32> into tensor<6x4x1xf32>
      scf.yield %16, %inserted_slice_18, %inserted_slice_19 : tensor<2x4x1x16xf32>, tensor<6x4x1x16xf32>, tensor<6x4x1xf32>
    }
    %c3 = arith.constant 3 : index
    %3 = arith.addi %proc_linear_idx, %c3 : index
    %4 = arith.subi %3, %c2 : index
    %5 = arith.remui %4, %c3 : index
    %6 = arith.muli %5, %c2 : index
    %extracted_slice_6 = tensor.extract_slice %padded[%6, 0, 0, 0] [2, 2, 100, 16] [1, 1, 1, 1] : tensor<6x2x100x16xf32> to tensor<2x2x100x16xf32>
    %extracted_slice_7 = tensor.extract_slice %padded_1[%6, 0, 0, 0] [2, 2, 100, 16] [1, 1, 1, 1] : tensor<6x2x100x16xf32> to tensor<2x2x100x16xf32>
    %7 = dattn.micro_attention %2#0, %extracted_slice_6, %extracted_slice_7 mask(<causal, q = 299 + 1 * i, k_end = 300>) at(%c0, %0) : tensor<2x4x1x16xf32>, tensor<2x2x100x16xf32>, tensor<2x2x100x16xf32> -> !dattn.state<2x4x1x16>
    %out, %lse = dattn.finalize %7 : !dattn.state<2x4x1x16> -> tensor<2x4x1x16xf32>, tensor<2x4x1xf32>
    %inserted_slice = tensor.insert_slice %out into %2#1[%6, 0, 0, 0] [2, 4, 1, 16] [1, 1, 1, 1] : tensor<2x4x1x16xf32> into tensor<6x4x1x16xf32>
    %inserted_slice_8 = tensor.insert_slice %lse into %2#2[%6, 0, 0] [2, 4, 1] [1, 1, 1] : tensor<2x4x1xf32> into tensor<6x4x1xf32>
    %all_to_all = shard.all_to_all %inserted_slice on @sp grid_axes = [0] split_axis = 0 concat_axis = 2 : tensor<6x4x1x16xf32> -> tensor<2x4x3x16xf32>
    %all_to_all_9 = shard.all_to_all %inserted_slice_8 on @sp grid_axes = [0] split_axis = 0 concat_axis = 2 : tensor<6x4x1xf32> -> tensor<2x4x3xf32>
    %8 = dattn.empty_state : !dattn.state<2x4x1x16>
    %9 = scf.for %arg3 = %c0 to %c3 step %c1 iter_args(%arg4 = %8) -> (!dattn.state<2x4x1x16>) {
      %10 = arith.muli %arg3, %c1 : index
      %extracted_slice_13 = tensor.extract_slice %all_to_all_9[0, 0, %10] [2, 4, 1] [1, 1, 1] : tensor<2x4x3xf32> to tensor<2x4x1xf32>
      %extracted_slice_14 = tensor.extract_slice %all_to_all[0, 0, %10, 0] [2, 4, 1, 16] [1, 1, 1, 1] : tensor<2x4x3x16xf32> to tensor<2x4x1x16xf32>
      %11 = dattn.as_state %extracted_slice_14, %extracted_slice_13 : tensor<2x4x1x16xf32>, tensor<2x4x1xf32> -> !dattn.state<2x4x1x16>
      %12 = dattn.merge %arg4, %11 : !dattn.state<2x4x1x16>
      scf.yield %12 : !dattn.state<2x4x1x16>
    }
    %out_10 = dattn.finalize %9 : !dattn.state<2x4x1x16> -> tensor<2x4x1x16xf32>
    %inserted_slice_11 = tensor.insert_slice %out_10 into %cst_3[%1, 0, 0, 0] [2, 4, 1, 16] [1, 1, 1, 1] : tensor<2x4x1x16xf32> into tensor<6x4x1x16xf32>
    %all_reduce = shard.all_reduce %inserted_slice_11 on @sp grid_axes = [0] : tensor<6x4x1x16xf32> -> tensor<6x4x1x16xf32>
    %extracted_slice_12 = tensor.extract_slice %all_reduce[%c0, 0, 0, 0] [4, 4, 1, 16] [1, 1, 1, 1] : tensor<6x4x1x16xf32> to tensor<4x4x1x16xf32>
    return %extracted_slice_12 : tensor<4x4x1x16xf32>
  }
}

