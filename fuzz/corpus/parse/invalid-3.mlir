
// M1: position strides are at least 1.
func.func private @mask_m1() attributes {m = #dattn.mask<causal, q = 0 + 0 * i>}

