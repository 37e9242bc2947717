
// MA10: dynamic offsets come in pairs.
func.func @micro_attention_ma10(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>, %o: index) {
  // expected-error @+1 {{dynamic offsets are given for both q and k or for neither}}
  %s = "dattn.micro_attention"(%q, %k, %v, %o) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0>}> : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>, index) -> !dattn.state<1x8x16x64>
  return
}

