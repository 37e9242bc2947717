// RUN: dattn-opt %s --dattn-topology=file=%S/../../examples/topologies/h100-1x8-nvlink.json --dattn-plan-decode=ranks=4 --dattn-simulate-timeline -verify-diagnostics -o /dev/null

// The timeline models kernels at the matrix rate; a decode tile is bound by
// HBM bandwidth, so decode plans are refused rather than mis-timed.
// expected-error @+1 {{dattn-simulate-timeline: decode plans (a query shorter than the keys) are not simulated yet: their tiles are bound by HBM bandwidth, which the timeline does not model; the cost model's decode prediction does (dattn-plan-decode with ranks=0)}}
func.func @decode(%q: tensor<1x8x1x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x8x1x16xf32> {
  %o = dattn.attention %q, %k, %v mask(<causal, q = 36 + 1 * i>) : tensor<1x8x1x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32> -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}
