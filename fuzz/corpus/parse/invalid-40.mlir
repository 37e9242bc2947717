
// T4: no negative latency.
func.func private @topology_t4() attributes {t = #dattn.topology<name = "t", nodes = 2, gpus_per_node = 8, gpu = "G", gpu_gflops = 1, hbm_mbps = 1000, memory_mib = 1024, intra_link = "nvlink", intra_mbps = 1, intra_latency_ns = 0, inter_link = "ib", inter_mbps = 1, inter_latency_ns = -5>}

