
// A state's shape is static.
func.func private @state_dynamic(!dattn.state<1x8x?x64>)

