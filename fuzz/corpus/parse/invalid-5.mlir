
// The mask kind is full or causal.
func.func private @mask_kind() attributes {m = #dattn.mask<sliding>}

