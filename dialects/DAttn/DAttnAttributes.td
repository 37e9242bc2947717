//===- DAttnAttributes.td - dattn attributes ----------------*- tablegen -*-===//
#ifndef DATTN_ATTRIBUTES_TD
#define DATTN_ATTRIBUTES_TD

include "DAttnDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def DAttn_MaskKind : I32EnumAttr<"MaskKind", "which (q, k) pairs are visible", [
    I32EnumAttrCase<"Full", 0, "full">,
    I32EnumAttrCase<"Causal", 1, "causal">
  ]> {
  let cppNamespace = "::mlir::dattn";
  let genSpecializedAttr = 0;
}

def DAttn_MaskAttr : AttrDef<DAttn_Dialect, "Mask"> {
  let mnemonic = "mask";
  let summary = "attention mask with global token positions";
  let description = [{
    A mask says which (query row i, key column j) pairs of an attention or a
    tile are visible. `full`: all of them. `causal`: those with
    `q_pos(i) >= k_pos(j)`, where the global token positions are affine in
    the local index: `q_pos(i) = q_offset + q_stride * i` and
    `k_pos(j) = k_offset + k_stride * j`. Contiguous tiles have stride 1,
    striped tiles (token t on rank t mod N) stride N; a zigzag rank holds two
    contiguous tiles. Positions are part of the attribute so that whole tiles
    are classified at compile time.

    ```mlir
    #dattn.mask<causal>                              // q_pos = i, k_pos = j
    #dattn.mask<causal, q = 1 + 4 * i, k = 2 + 4 * j> // a striped tile, N = 4
    #dattn.mask<full>
    #dattn.mask<full, k_end = 300>                  // keys from 300 on are padding
    ```
    `k_end = L` hides keys at positions `L` and later: a sequence padded to
    a multiple of the rank count keeps its true length there. Positions
    equal to `0 + 1 * i` and an absent `k_end` are elided when printing.
  }];
  let parameters = (ins
    EnumParameter<DAttn_MaskKind>:$kind,
    DefaultValuedParameter<"int64_t", "0">:$qOffset,
    DefaultValuedParameter<"int64_t", "1">:$qStride,
    DefaultValuedParameter<"int64_t", "0">:$kOffset,
    DefaultValuedParameter<"int64_t", "1">:$kStride,
    DefaultValuedParameter<"int64_t", "std::numeric_limits<int64_t>::max()">:$kLimit
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    bool isCausal() const { return getKind() == MaskKind::Causal; }
    bool hasKLimit() const {
      return getKLimit() != std::numeric_limits<int64_t>::max();
    }
    /// The runtime's description of this mask (shared with the kernels).
    ::distattn::MaskSpec getSpec() const;
    /// How much of a qLen x kLen tile this mask leaves visible.
    ::distattn::TileCoverage classify(int64_t qLen, int64_t kLen) const;
    /// The mask of the sub-tile whose first row is `qBegin` and first
    /// column `kBegin` (local indices of this mask).
    MaskAttr getSubTile(int64_t qBegin, int64_t kBegin) const;
  }];
}

def DAttn_TopologyAttr : AttrDef<DAttn_Dialect, "Topology"> {
  let mnemonic = "topology";
  let summary = "the cluster a plan is made for";
  let description = [{
    Nodes of `gpus_per_node` GPUs; each GPU's dense bf16 matrix rate, HBM
    bandwidth and memory; the link between two GPUs of one node and between
    nodes (per-GPU bandwidth in one direction, and latency). Units are
    integers so the attribute round-trips exactly: GFLOP/s, MB/s (10^6
    bytes), MiB and nanoseconds. A topology file (JSON, see
    `examples/topologies/`) becomes this attribute on the module as
    `dattn.topology`. Single-node topologies have no inter-node link
    (`inter_link = "none"`, zero bandwidth).

    ```mlir
    #dattn.topology<name = "h100-1x8-nvlink", nodes = 1, gpus_per_node = 8,
      gpu = "H100-SXM-80GB", gpu_gflops = 989000, hbm_mbps = 3350000,
      memory_mib = 81920, intra_link = "nvlink", intra_mbps = 450000,
      intra_latency_ns = 3000, inter_link = "none", inter_mbps = 0,
      inter_latency_ns = 0>
    ```
  }];
  let parameters = (ins
    StringRefParameter<"cluster name">:$name,
    "int64_t":$nodes,
    "int64_t":$gpus_per_node,
    StringRefParameter<"GPU model">:$gpu,
    "int64_t":$gpu_gflops,
    "int64_t":$hbm_mbps,
    "int64_t":$memory_mib,
    StringRefParameter<"intra-node link kind">:$intra_link,
    "int64_t":$intra_mbps,
    "int64_t":$intra_latency_ns,
    StringRefParameter<"inter-node link kind">:$inter_link,
    "int64_t":$inter_mbps,
    "int64_t":$inter_latency_ns
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getNumGpus() const { return getNodes() * getGpusPerNode(); }
  }];
}

#endif // DATTN_ATTRIBUTES_TD
