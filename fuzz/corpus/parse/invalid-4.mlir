
// M2: position offsets are non-negative.
func.func private @mask_m2() attributes {m = #dattn.mask<causal, k = -4 + 1 * j>}

