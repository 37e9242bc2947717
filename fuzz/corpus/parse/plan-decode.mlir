module {
  shard.grid @sp(shape = 3)
  func.func @decode(%arg0: tensor<4x4x1x16xf32>, %arg1: tensor<4x2x300x16xf32>, %arg2: tensor<4x2x300x16xf32>) -> tensor<4x4x1x16xf32> {
    %proc_linear_idx = shard.process_linear_index on @sp : index
    %c100 = arith.constant 100 : index
    %0 = arith.muli %proc_linear_idx, %c100 : index
    %extracted_slice = tensor.extract_slice %arg1[0, 0, %0, 0] [4, 2, 100, 16] [1, 1, 1, 1] : tensor<4x2x300x16xf32> to tensor<4x2x100x16xf32>
    %extracted_slice_0 = tensor.extract_slice %arg2[0, 0, %0, 0] [4, 2, 100, 16] [1, 1, 1, 1] : tensor<4x2x300x16xf32> to tensor<4x2x100x16xf32>
    %c0 = arith.constant 0 : index
    %1 = dattn.micro_attention %arg0, %extracted_slice, %extracted_slice_0 mask(<causal, q = 299 + 1 * i, k_end = 300>) at(%c0, %0) : tensor<4x4x1x16xf32>, tensor<4x2x100x16xf32>, tensor<4x2x100x16xf32> -> !dattn.state<4x4x1x16>
    %out, %lse = dattn.finalize %1 : !dattn.state<4x4x1x16> -> tensor<4x4x1x16xf32>, tensor<4x4x1xf32>
    %all_gather = shard.all_gather %out on @sp grid_axes = [0] gather_axis = 2 : tensor<4x4x1x16xf32> -> tensor<4x4x3x16xf32>
    %all_gather_1 = shard.all_gather %lse on @sp grid_axes = [0] gather_axis = 2 : tensor<4x4x1xf32> -> tensor<4x4x3xf32>
    %2 = dattn.empty_state : !dattn.state<4x4x1x16>
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %3 = scf.for %arg3 = %c0 to %c3 step %c1 iter_args(%arg4 = %2) -> (!dattn.state<4x4x1x16>) {
      %4 = arith.muli %arg3, %c1 : index
      %extracted_slice_3 = tensor.extract_slice %all_gather_1[0, 0, %4] [4, 4, 1] [1, 1, 1] : tensor<4x4x3xf32> to tensor<4x4x1xf32>
      %extracted_slice_4 = tensor.extract_slice %all_gather[0, 0, %4, 0] [4, 4, 1, 16] [1, 1, 1, 1] : tensor<4x4x3x16xf32> to tensor<4x4x1x16xf32>
      %5 = dattn.as_state %extracted_slice_4, %extracted_slice_3 : tensor<4x4x1x16xf32>, tensor<4x4x1xf32> -> !dattn.state<4x4x1x16>
      %6 = dattn.merge %arg4, %5 : !dattn.state<4x4x1x16>
      scf.yield %6 : !dattn.state<4x4x1x16>
    }
    %out_2 = dattn.finalize %3 : !dattn.state<4x4x1x16> -> tensor<4x4x1x16xf32>
    return %out_2 : tensor<4x4x1x16xf32>
  }
}

