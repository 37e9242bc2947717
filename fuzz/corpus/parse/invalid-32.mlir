
// MG1: a merge takes at least one state.
func.func @merge_mg1() {
  // expected-error @+1 {{expected 1 or more operands, but found 0}}
  %m = "dattn.merge"() : () -> !dattn.state<1x8x16x64>
  return
}

