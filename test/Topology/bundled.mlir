// Every bundled topology loads and becomes the module's dattn.topology.
// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json | FileCheck %s --check-prefix=H100
// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json | FileCheck %s --check-prefix=H100X4
// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/a100-4x8.json | FileCheck %s --check-prefix=A100
// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/a800-2x8.json | FileCheck %s --check-prefix=A800
// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/a800-2x8.json | dattn-opt | FileCheck %s --check-prefix=A800

// H100: module attributes {dattn.topology = #dattn.topology<name = "h100-1x8-nvlink", nodes = 1, gpus_per_node = 8, gpu = "H100-SXM-80GB", gpu_gflops = 989000, hbm_mbps = 3350000, memory_mib = 81920, intra_link = "nvlink", intra_mbps = 450000, intra_latency_ns = 3000, inter_link = "none", inter_mbps = 0, inter_latency_ns = 0>}
// H100X4: #dattn.topology<name = "h100-4x8-ib400", nodes = 4, gpus_per_node = 8, {{.*}} inter_link = "infiniband", inter_mbps = 50000, inter_latency_ns = 6000>
// A100: #dattn.topology<name = "a100-4x8", nodes = 4, gpus_per_node = 8, gpu = "A100-SXM-80GB", gpu_gflops = 312000, hbm_mbps = 2039000, {{.*}} intra_mbps = 300000, {{.*}} inter_mbps = 25000
// A800: #dattn.topology<name = "a800-2x8", nodes = 2, {{.*}} intra_mbps = 200000,
module {
}
