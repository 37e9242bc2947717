// rblock-sim reads the compiler's topology files and charges block moves to
// their links. (No IR here: lit runs .mlir files.)
// RUN: rblock-sim --mix leval --seconds 300 | FileCheck %s
// RUN: rblock-sim --topology %S/../../examples/topologies/h100-4x8-ib400.json --mix leval --seconds 60 | FileCheck %s --check-prefix=H100
// RUN: not rblock-sim --topology %S/../Topology/Inputs/zero-nodes.json 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: not rblock-sim --topology %S/../Topology/Inputs/not-json.json 2>&1 | FileCheck %s --check-prefix=JSON
// RUN: not rblock-sim --topology %S/../Topology/Inputs/missing-gpu-rate.json 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not rblock-sim --topology %t.nowhere.json 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: not rblock-sim --weights-gb 90 2>&1 | FileCheck %s --check-prefix=ROOM

// The default cluster is examples/topologies/a100-4x8.json: 80 GiB GPUs,
// NVLink 300 GB/s, InfiniBand 25 GB/s; (80 GiB - 20 GB) / 512 KiB per token.
// CHECK: cluster: a100-4x8, 32 instances (4 nodes x 8), 125693 KV tokens per instance, rBlock = 256 tokens (134 MB), links 300 GB/s inside a node and 25 GB/s across
// CHECK: | moves recall/dgfm/pullhome | dgfm cycles | moved GB (inter-node) | move stall s | mean wait s |
// CHECK: | leval | static | {{.*}} | 0/0/0 | 0 | 0 (0) | 0.0 |
// Recall moves blocks, and they cost time.
// CHECK: | leval | borrow+recall | {{.*}} | {{[1-9][0-9]*}}/0/0 | 0 | {{[1-9][0-9]*}} ({{[0-9]+}}) | {{[0-9]*[1-9][0-9]*\.[0-9]|0\.[1-9]}} |

// H100: cluster: h100-4x8-ib400, 32 instances (4 nodes x 8), {{.*}} links 450 GB/s inside a node and 50 GB/s across

// ZERO: rblock-sim: topology '{{.*}}zero-nodes.json': field 'nodes' must be a positive number
// JSON: rblock-sim: topology '{{.*}}not-json.json': malformed JSON at byte
// MISSING: rblock-sim: topology '{{.*}}missing-gpu-rate.json': field '{{.*}}' is missing
// NOFILE: rblock-sim: cannot read '{{.*}}nowhere.json'
// ROOM: rblock-sim: a GPU of 80 GiB holding 90.0 GB of weights and 6.5 GB reserved has no room for one rBlock of KV
