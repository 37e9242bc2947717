
// S2: state dimensions are at least 1.
func.func private @state_s2(!dattn.state<1x0x16x64>)

