// Decode plans on the timeline: a decode tile reads its K/V at the HBM rate
// (its flops are few), so tiles run on a roofline. 16 requests x 128K
// cached tokens, Llama-3-8B heads, on 16 GPUs of two InfiniBand nodes,
// after dattn-overlap.
// One owner: every rank gathers every rank's fp32 partial states (out and
// lse, ring all-gathers) after its KV reads, and the gathers are exposed.
// RUN: dattn-opt %S/Inputs/decode-batch16-128k.mlir --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-decode="ranks=16 masters=false" --dattn-overlap --dattn-simulate-timeline --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=SHARED
// Several masters: the query blocks go around the ring under the tiles
// (the per-master KV reads, ~11 us, cover each ~6 us hop) and only the
// states' all-to-all to the masters follows: over 90% of the ideal.
// RUN: dattn-opt %S/Inputs/decode-batch16-128k.mlir --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-decode="ranks=16 masters=true" --dattn-overlap --dattn-simulate-timeline=trace=%t.json --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=MASTERS
// RUN: python3 %S/Inputs/check_trace.py %t.json 16 16 15 | FileCheck %s --check-prefix=TRACE
// Without dattn-overlap each query hop waits.
// RUN: dattn-opt %S/Inputs/decode-batch16-128k.mlir --dattn-topology=file=%S/../../examples/topologies/h100-4x8-ib400.json --dattn-plan-decode="ranks=16 masters=true" --dattn-simulate-timeline --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=SYNC

// SHARED: remark: timeline of @decode on 16 ranks of h100-4x8-ib400 {{.*}} ideal 0.178 ms, efficiency {{[34][0-9]\.[0-9]}}%
// MASTERS: remark: timeline of @decode on 16 ranks of h100-4x8-ib400 {{.*}}: 0.195 ms, ideal 0.178 ms, efficiency 9{{[0-9]\.[0-9]}}%
// TRACE: trace ok: 16 ranks, 1 communication stream(s), 16 tiles and 15 sends each
// SYNC: remark: timeline of @decode on 16 ranks of h100-4x8-ib400 {{.*}} efficiency {{[5-8][0-9]\.[0-9]}}%
