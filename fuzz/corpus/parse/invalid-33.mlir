
// MG2: merged states and the result have one type.
func.func @merge_mg2(%a: !dattn.state<1x8x16x64>, %b: !dattn.state<1x8x32x64>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %m = "dattn.merge"(%a, %b) : (!dattn.state<1x8x16x64>, !dattn.state<1x8x32x64>) -> !dattn.state<1x8x16x64>
  return
}

