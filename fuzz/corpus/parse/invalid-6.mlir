
// Each position map is given once.
func.func private @mask_twice() attributes {m = #dattn.mask<causal, q = 0 + 1 * i, q = 1 + 1 * i>}

