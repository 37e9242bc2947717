// A malformed or impossible topology is an error that names the field.
// RUN: not dattn-opt %s --dattn-topology=file=%S/Inputs/missing-gpu-rate.json 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not dattn-opt %s --dattn-topology=file=%S/Inputs/negative-bandwidth.json 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: not dattn-opt %s --dattn-topology=file=%S/Inputs/no-inter-node-link.json 2>&1 | FileCheck %s --check-prefix=INTER
// RUN: not dattn-opt %s --dattn-topology=file=%S/Inputs/typo.json 2>&1 | FileCheck %s --check-prefix=TYPO
// RUN: not dattn-opt %s --dattn-topology=file=%S/Inputs/not-json.json 2>&1 | FileCheck %s --check-prefix=JSON
// RUN: not dattn-opt %s --dattn-topology=file=%S/Inputs/zero-nodes.json 2>&1 | FileCheck %s --check-prefix=NODES
// RUN: not dattn-opt %s --dattn-topology=file=%S/Inputs/no-such-file.json 2>&1 | FileCheck %s --check-prefix=FILE
// RUN: not dattn-opt %s --dattn-topology 2>&1 | FileCheck %s --check-prefix=NOFILE

// MISSING: error: topology '{{.*}}missing-gpu-rate.json': field 'gpu.matmul_tflops' is missing
// NEGATIVE: error: topology '{{.*}}negative-bandwidth.json': field 'intra_node_link.bandwidth_gbps' must be a positive number
// INTER: error: topology '{{.*}}no-inter-node-link.json': field 'inter_node_link' is missing: nodes talk over it
// TYPO: error: topology '{{.*}}typo.json': field 'gpu.hbm_gbs' is not a topology field
// JSON: error: topology '{{.*}}not-json.json' is not valid JSON: [3:23, byte=57]: Expected , or } after object property
// NODES: error: topology '{{.*}}zero-nodes.json': field 'nodes' must be an integer >= 1
// FILE: error: cannot read topology file '{{.*}}no-such-file.json': No such file or directory
// NOFILE: error: dattn-topology: give the topology file with file=<path>
module {
}
