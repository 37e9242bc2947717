// RUN: dattn-opt %s --dattn-plan-prefill="strategy=ring ranks=4" --cse | FileCheck %s

// 37 tokens on 4 ranks: padded to 40; every tile hides keys from 37 on,
// also for a full mask; the padded rows are dropped at the end.
// CHECK-LABEL: func.func @full_37
// CHECK-COUNT-3: tensor.pad {{.*}} high[0, 0, 3, 0]
// CHECK: dattn.micro_attention {{.*}} mask(<full, k_end = 37>) at(
// CHECK: %[[ALL:.+]] = shard.all_reduce
// CHECK: %[[OUT:.+]] = tensor.extract_slice %[[ALL]][0, 0, 0, 0] [1, 2, 37, 16] [1, 1, 1, 1] : tensor<1x2x40x16xf32> to tensor<1x2x37x16xf32>
// CHECK: return %[[OUT]]
func.func @full_37(%q: tensor<1x2x37x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x2x37x16xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32> -> tensor<1x2x37x16xf32>
  return %o : tensor<1x2x37x16xf32>
}

// Without padding, a full mask needs no positions: the tile has no mask.
// CHECK-LABEL: func.func @full_40
// CHECK-NOT: tensor.pad
// CHECK: dattn.micro_attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} : tensor<1x2x10x16xf32>
func.func @full_40(%q: tensor<1x2x40x16xf32>, %k: tensor<1x2x40x16xf32>, %v: tensor<1x2x40x16xf32>) -> tensor<1x2x40x16xf32> {
  %o = dattn.attention %q, %k, %v : tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32> -> tensor<1x2x40x16xf32>
  return %o : tensor<1x2x40x16xf32>
}
