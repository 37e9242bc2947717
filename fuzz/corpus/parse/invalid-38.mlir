
// T2: GPU rates and memory are positive.
func.func private @topology_t2() attributes {t = #dattn.topology<name = "t", nodes = 1, gpus_per_node = 8, gpu = "G", gpu_gflops = 0, hbm_mbps = 1000, memory_mib = 1024, intra_link = "nvlink", intra_mbps = 1, intra_latency_ns = 0, inter_link = "ib", inter_mbps = 0, inter_latency_ns = 0>}

