
// One case per constraint of dialects/DAttn/Spec.md, named after it
// (A = dattn.attention, MA = dattn.micro_attention, MG = dattn.merge,
// F = dattn.finalize, S = !dattn.state, M = #dattn.mask).

// S1: a state has four dimensions.
func.func private @state_s1(!dattn.state<1x8x16>)

