
// M3: k_end is at least 1.
func.func private @mask_m3() attributes {m = #dattn.mask<full, k_end = 0>}

