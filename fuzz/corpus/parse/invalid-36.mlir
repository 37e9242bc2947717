
// F3: the lse is fp32 with the state's [batch, heads, q_len].
func.func @finalize_f3(%s: !dattn.state<1x8x16x64>) {
  // expected-error @+1 {{lse must be 'tensor<1x8x16xf32>', got 'tensor<1x8x16xbf16>'}}
  %o, %l = dattn.finalize %s : !dattn.state<1x8x16x64> -> tensor<1x8x16x64xf32>, tensor<1x8x16xbf16>
  return
}

