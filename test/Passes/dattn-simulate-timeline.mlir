// The timeline of causal zigzag prefill on one node of 8 H100 over NVLink,
// Llama-3-8B heads, 8K tokens per GPU (64K in all), after dattn-overlap:
// transfers hide under compute (exposed communication <= 2%) and the
// predicted time is within 5% of the ideal (all compute / 8).

// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-plan-prefill="strategy=zigzag ranks=8" --dattn-overlap --dattn-simulate-timeline=trace=%t.json --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s
// RUN: python3 %S/Inputs/check_trace.py %t.json 8 17 28 | FileCheck %s --check-prefix=TRACE
// Without dattn-overlap every step waits for its transfer.
// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-plan-prefill="strategy=zigzag ranks=8" --dattn-simulate-timeline --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=SYNC
// Ring pays for the causal imbalance.
// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-plan-prefill="strategy=ring ranks=8" --dattn-overlap --dattn-simulate-timeline --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=RING
// RUN: not dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=8" --dattn-simulate-timeline 2>&1 | FileCheck %s --check-prefix=NOTOPO
// Across 4 nodes over InfiniBand (2K tokens per GPU) a plain ring exposes
// its transfers; head-parallel x zigzag (heads split inside each node, the
// ring across nodes on 1/8 of the K/V) hides the ring's again, and only the
// Ulysses all-to-alls (sequence-sharded q, k, v to head-sharded and the
// output back, over NVLink, nothing to hide them under) show: ~4.5%.
// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-prefill="strategy=zigzag ranks=32" --dattn-overlap --dattn-simulate-timeline --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=IB
// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-prefill="strategy=zigzag ranks=32 head-parallel=8" --dattn-overlap --dattn-simulate-timeline --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=IBHEADS
// The hierarchical order hides them too, with no all-to-all: inner rings
// of a node's 8 GPUs over NVLink, one InfiniBand hop per outer step under 8
// steps of compute, each axis's hops on its own stream (7 inner hops x 4
// outer steps + 3 outer hops, of 4 chunks each).
// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-prefill="strategy=zigzag ranks=32 inner-ring=8" --dattn-overlap --dattn-simulate-timeline=trace=%t.hier.json --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=IBHIER
// RUN: python3 %S/Inputs/check_trace.py %t.hier.json 32 65 124 | FileCheck %s --check-prefix=HIERTRACE
// RUN: not dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-plan-prefill="strategy=zigzag ranks=16" 2>&1 | FileCheck %s --check-prefix=TOOMANY
// A plan made for more ranks than the topology attached after it has GPUs.
// RUN: not dattn-opt %s --dattn-plan-prefill="strategy=zigzag ranks=16" --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-simulate-timeline 2>&1 | FileCheck %s --check-prefix=TOOMANYSIM
// IB: on 32 ranks of h100-4x8-ib400 {{.*}} efficiency {{[1-6][0-9]\.[0-9]}}%; exposed communication {{[3-9][0-9]\.[0-9]+}}%
// IBHIER: on 32 ranks of h100-4x8-ib400 {{.*}} efficiency {{(9[5-9]|100)\.[0-9]}}%; exposed communication {{([01]\.[0-9]+|2\.00)}}%
// HIERTRACE: trace ok: 32 ranks, 2 communication stream(s), 65 tiles and 124 sends each
// TOOMANYSIM: error: dattn-simulate-timeline: the plan runs on 16 ranks but the topology (h100-1x8-nvlink) has 8 GPUs
// TOOMANY: error: dattn-plan-prefill: ranks=16 but the topology (h100-1x8-nvlink) has 8 GPUs
// IBHEADS: on 32 ranks of h100-4x8-ib400 {{.*}} efficiency {{(9[5-9]|100)\.[0-9]}}%; exposed communication {{[3-5]\.[0-9]+}}%
// RUN: not dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-simulate-timeline=efficiency=1.5 2>&1 | FileCheck %s --check-prefix=EFF

// CHECK: remark: timeline of @prefill on 8 ranks of h100-1x8-nvlink (kernels at 50% of peak): {{[0-9.]+}} ms, ideal {{[0-9.]+}} ms, efficiency {{(9[5-9]|100)\.[0-9]}}%; exposed communication {{([01]\.[0-9]+|2\.00)}}% of the time
// TRACE: trace ok: 8 ranks, 1 communication stream(s), 17 tiles and 28 sends each
// SYNC: efficiency {{9[0-4]\.[0-9]}}%; exposed communication {{[3-9]\.[0-9]+}}% of the time
// RING: efficiency {{[5-6][0-9]\.[0-9]}}%
// NOTOPO: error: dattn-simulate-timeline needs the cluster: attach one with --dattn-topology=file=<topology.json>
// EFF: error: dattn-simulate-timeline: efficiency must be in (0, 1], got 1.5
func.func @prefill(%q: tensor<1x32x65536x128xbf16>, %k: tensor<1x8x65536x128xbf16>, %v: tensor<1x8x65536x128xbf16>) -> tensor<1x32x65536x128xbf16> {
  %o = dattn.attention %q, %k, %v mask(<causal>) : tensor<1x32x65536x128xbf16>, tensor<1x8x65536x128xbf16>, tensor<1x8x65536x128xbf16> -> tensor<1x32x65536x128xbf16>
  return %o : tensor<1x32x65536x128xbf16>
}
