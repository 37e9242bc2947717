//===- Passes.td - distattn passes --------------------------*- tablegen -*-===//
#ifndef DISTATTN_PASSES_TD
#define DISTATTN_PASSES_TD

include "mlir/Pass/PassBase.td"

def DAttnDecompose : Pass<"dattn-decompose"> {
  let summary = "Decompose dattn.attention into micro-attention tiles";
  let description = [{
    Rewrites every `dattn.attention` into micro-attention tiles: Q is cut
    into blocks of `q-block` rows and K/V into blocks of `kv-block` keys
    (the last block of each takes the remainder). For every (q block,
    kv block) pair the mask is decided for the whole tile at compile time:

    * fully masked tiles are not emitted;
    * fully visible tiles carry no mask;
    * partially masked tiles carry the mask with the tile's global token
      positions, so the kernel masks only inside them.

    The states of one q block are combined by one `dattn.merge`, turned into
    output rows by `dattn.finalize`, and the q blocks are concatenated along
    the sequence dimension. Input slices are `tensor.extract_slice` ops,
    shared by all tiles that read them.

    Before:
    ```mlir
    %o = dattn.attention %q, %k, %v mask(<causal>)
        : tensor<1x8x256x64xf32>, tensor<1x2x256x64xf32>,
          tensor<1x2x256x64xf32> -> tensor<1x8x256x64xf32>
    ```
    After (`q-block=128 kv-block=128`): three tiles (the upper-right one is
    fully masked and dropped), of which the two diagonal ones keep a causal
    mask, e.g.
    ```mlir
    %s11 = dattn.micro_attention %q1, %k1, %v1
        mask(<causal, q = 128 + 1 * i, k = 128 + 1 * j>) : ...
    %m1 = dattn.merge %s10, %s11 : !dattn.state<1x8x128x64>
    %o1 = dattn.finalize %m1 : !dattn.state<1x8x128x64> -> tensor<1x8x128x64xf32>
    %o = tensor.concat dim(2) %o0, %o1 : ...
    ```
    With `report`, each attention gets a remark at its location saying how
    many tiles it became, how many keep a mask and how many fully masked
    ones were skipped.

    An attention that would need more than `max-tiles` tiles is rejected
    with a diagnostic at its location (raise the block sizes); the pass
    never produces partial output.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  let options = [
    Option<"qBlock", "q-block", "int64_t", /*default=*/"128",
           "query rows per tile">,
    Option<"kvBlock", "kv-block", "int64_t", /*default=*/"128",
           "keys per tile">,
    Option<"maxTiles", "max-tiles", "int64_t", /*default=*/"65536",
           "most tiles one attention may be cut into">,
    Option<"report", "report", "bool", /*default=*/"false",
           "emit a remark per attention: tiles emitted, masked and skipped">
  ];
}

def DAttnPlanPrefill : Pass<"dattn-plan-prefill", "::mlir::ModuleOp"> {
  let summary = "Plan sequence-parallel prefill over a ring of ranks (SPMD)";
  let description = [{
    Rewrites every self-attention `dattn.attention` (q_len == kv_len, a full
    mask or a plain causal mask) into one SPMD program for `ranks` devices
    on a 1-D `shard.grid`: the rank is `shard.process_linear_index`, each
    rank computes micro-attention tiles of its own query rows, and the tile
    positions are run-time values (`dattn.micro_attention ... at(...)`).
    Strategies (`strategy=`):

    * `ring`: contiguous blocks; N steps, each computing the local queries
      against the KV block in hand while K and V move one hop
      (`shard.shift ... offset = 1 rotate`). Causal work is unbalanced
      (rank N-1 does about N times rank 0's).
    * `striped`: token t on rank t mod N (strided slices, stride N), so
      every causal tile is a near-triangle and ranks do equal work.
    * `zigzag`: 2N chunks, rank r holds chunks r and 2N-1-r; four tiles a
      step, balanced from the first step.
    * `all-gather`: K and V all-gathered once (`shard.all_gather`); queries
      in the zigzag layout for causal balance (Llama-3 context parallelism).

    * `auto`: the cost model (compiler/Topology/CostModel.h) predicts each
      strategy's time on the module's `dattn.topology` (per ring step the
      busiest rank's tile compute against the K/V transfer on the ring's
      slowest link, transfers hidden under compute; all-gather one KV head
      at a time under the previous head's compute, as dattn-overlap
      schedules it) and memory per rank (what dattn-verify-plan measures on
      the overlapped plans), for every head parallelism P that
      divides the KV heads and the ranks up to a node's GPUs (the
      all-to-all over heads charged as unhidden NVLink traffic), and picks
      the fastest that fits; a remark at the attention explains the choice.

    * `head-parallel=P` (with any of the above): a 2-D grid
      `[ranks / P, P]`; the heads are split P ways along axis 1 (inside a
      node, where an all-to-all over heads is cheap) and the sequence
      strategy runs along axis 0 on each group's heads, so the ring is P
      times shorter and each hop carries 1/P of the K/V. As in Ulysses,
      each rank of a head group holds a 1/P sub-block of its block's rows
      with every head; a `shard.all_to_all` over axis 1 (split the heads,
      concatenate the rows) gives it the whole block on its group's heads,
      and the inverse one returns its output rows on every head.

    Sequence lengths that do not divide evenly are padded (`tensor.pad`);
    tiles then carry `k_end = <length>` so padded keys are never seen, and
    padded query rows are dropped. To compare the result with the input
    program, every rank ends by assembling the whole output
    (`tensor.insert_slice` of its rows into zeros, `shard.all_reduce` sum);
    a deployment would keep the output sharded instead.

    * `inner-ring=G` (ring, striped, zigzag): the ring in a hierarchical
      order on grid axes `[ranks / G, G]` (then the heads' axis, if any).
      G ring positions share a node; the K/V blocks go around the node
      (`shard.shift` on axis 1, NVLink) in an inner loop of G steps, and
      from node to node (`shard.shift` on axis 0, the inter-node link)
      once per outer step. After `dattn-overlap` each outer hop runs under
      a whole inner ring of compute instead of one step's, so a slow
      inter-node link hides where a flat ring, whose every step waits for
      the hop that leaves the node, would expose it. The blocks and the
      tiles are those of the flat ring; only their order differs. `auto`
      weighs both orders where a ring leaves a node.

    Not yet: q_len != kv_len, masks with shifted positions.
  }];
  let dependentDialects = [
    "::mlir::dattn::DAttnDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::shard::ShardDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"strategy", "strategy", "std::string", /*default=*/"\"auto\"",
           "auto (cost model on the module's dattn.topology), ring, "
           "striped, zigzag or all-gather">,
    Option<"ranks", "ranks", "int64_t", /*default=*/"0",
           "ranks (devices) in the sequence-parallel group; 0: every GPU "
           "of the topology">,
    Option<"headParallel", "head-parallel", "int64_t", /*default=*/"1",
           "split the heads over this many ranks (grid axis 1, inside a "
           "node) and run the ring over the rest (axis 0)">,
    Option<"innerRing", "inner-ring", "int64_t", /*default=*/"1",
           "ring, striped, zigzag: run the ring in a hierarchical order, "
           "inner rings of this many ring positions (a node's) inside an "
           "outer ring across nodes; 1: one flat ring">
  ];
}

def DAttnVerifyPlan : Pass<"dattn-verify-plan", "::mlir::ModuleOp"> {
  let summary = "Prove a plan computes every visible pair once; report load";
  let description = [{
    Runs every public function on all ranks of its `shard.grid` in the
    reference evaluator, tracking token positions instead of numbers: each
    input row carries its global position, slices, pads and collectives
    move positions with the data, and every tile proves that the positions
    it masks with are those of the tokens it holds (a wrong owner, offset
    or shift direction is caught at the tile, with the rank). Merges reject
    a (q, k) pair computed twice; finalize rejects a query row that has not
    seen all its keys. The plan is rejected with a diagnostic at the
    offending op.

    The report gives per rank the tiles run and skipped (fully masked at run
    time), the (q, k) pairs computed, the elements of the tiles run, the
    bytes sent and received by ring shifts and all-gathers (the final
    assembly all-reduce is not counted) and the FLOPs (4 x batch x heads x
    head_dim per pair), plus the work imbalance max/mean over ranks and the
    peak working set: the most bytes of Q/K/V blocks, states and transfers
    live at once (static liveness of the SPMD program, a bound for every
    rank; a transfer pins its source until its wait; the whole-tensor
    arguments, the output assembly and kernel workspace are not counted).
    `report=table` or `report=json` writes it to stderr; `report=none` only
    verifies.

    With `decode-ranks=M` (M <= N, dividing it) it also checks an elastic
    scale-down after prefill (LoongServe): decode rank m lives on prefill
    rank m * N / M and will own tokens [m * L / M, (m + 1) * L / M); the
    pass proves that all of them pass through that rank during the plan,
    so it can keep them as they go by and regrouping moves no extra byte,
    and reports the ranges.

    Keys are the positions [0, L) of the function's longest sequence
    argument; the query (the first argument) may hold only the last rows,
    as in decode. A decode plan's holders export partial states
    (`dattn.finalize` with lse) that the owner reads back (`dattn.as_state`)
    and merges: the keys each exported row has seen travel with it through
    slices and gathers, so the merge still proves every key is counted
    once. Only tensor shapes and positions are kept, never data, so
    full-size plans verify in memory.

    The proof reasons over position ranges, never over single (row, key)
    pairs: a tile covers its rows (runs of arithmetic progressions) against
    its keys under its mask; a merge proves the rectangles it brings share
    no pair with those already merged (progressions meet in a progression,
    found by the Chinese remainder theorem); a finalize proves each
    rectangle lies inside the attention's visible set and that, summed in
    closed form, they hold as many pairs as that set. Memory and time grow
    with the plan's steps, not with rows x keys: 1M tokens on 512 ranks
    verify in seconds (`bench/compile/verify-scaling.sh`).
  }];
  let options = [
    Option<"report", "report", "std::string", /*default=*/"\"table\"",
           "table, json or none">,
    Option<"decodeRanks", "decode-ranks", "int64_t", /*default=*/"0",
           "check an elastic scale-down to this many decode ranks "
           "(LoongServe): each keeps, as the K/V pass through it during "
           "prefill, the token range it will own">
  ];
}

def DAttnTopology : Pass<"dattn-topology", "::mlir::ModuleOp"> {
  let summary = "Attach a cluster topology file to the module";
  let description = [{
    Reads the topology file `file` (JSON: nodes, GPUs per node, the GPU's
    matrix rate, HBM bandwidth and memory, the intra- and inter-node links;
    see `examples/topologies/`) and attaches it to the module as the
    `dattn.topology` attribute, where planning reads it. A malformed or
    impossible topology is an error that names the offending field.
  }];
  let dependentDialects = ["::mlir::dattn::DAttnDialect"];
  let options = [
    Option<"file", "file", "std::string", /*default=*/"",
           "path of the topology file (JSON)">
  ];
}

def DAttnPlanDecode : Pass<"dattn-plan-decode", "::mlir::ModuleOp"> {
  let summary = "Plan KV-parallel decode: the query goes to every KV holder";
  let description = [{
    Rewrites every `dattn.attention` into a KV-parallel (KVP) program for
    `ranks` devices: the KV cache is sharded along the sequence, a rank
    filled up to `budget` tokens before the next takes over (Mnemosyne's
    KVP; the default budget splits the KV evenly). Every rank attends the
    query to the keys it holds (DistAttention's query shipping: the query is
    a few KB, the KV stays put), the fp32 partial results (out, lse) are
    all-gathered, and each rank merges them (`dattn.as_state`,
    `dattn.merge` in a loop over the ranks, so the program does not grow
    with them). Ranks past the end of the sequence contribute the merge
    identity; keys past it are hidden with `k_end`.

    With `ranks=0` the cost model on the module's `dattn.topology` picks
    the rank count (per layer: the busiest rank's K/V read at the HBM
    bandwidth against gathering the partial states over the link) and a
    remark explains it.

    With `masters=true`, the requests of the batch have different masters
    (LoongServe's scale-up): rank r masters requests [r * B/N, (r+1) * B/N)
    and holds their queries. The query blocks go around the ring
    (`shard.shift`, a few KB a request): at step t a rank attends master
    (r - t) mod N's queries to those requests' KV in its shard and keeps
    the partial (out, lse) at the master's place in the batch, so that
    `dattn-overlap` ships the next master's queries while this one's tiles
    run. Then each request's partial states go to its master alone
    (`shard.all_to_all`: split over the batch, concatenated along the rows)
    and the master merges them: a rank receives 1/N of the partial states
    the shared plan gathers, and the merging is split N ways. A batch that
    does not divide over the ranks is padded with empty requests (zero
    queries and KV) up to ceil(B/N) a master, so the last masters own
    fewer real requests; the padding's rows are dropped at the end (its KV
    is read, which the cost model charges). For comparison with the input
    program every rank still assembles the whole output (its requests'
    rows, zeros elsewhere, `shard.all_reduce` sum).

    With `masters=auto` (the default) and a topology, the cost model
    weighs one owner against several masters (and, with `ranks=0`, every
    rank count) and a remark explains the choice; without a topology the
    plan has one owner.

    Not yet: the overlap of the state exchange with local work.
  }];
  let dependentDialects = [
    "::mlir::dattn::DAttnDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::shard::ShardDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"ranks", "ranks", "int64_t", /*default=*/"0",
           "ranks (devices) in the KV-parallel group; 0: chosen by the cost "
           "model among 1, 2, 4, ... of the topology's GPUs">,
    Option<"budget", "budget", "int64_t", /*default=*/"0",
           "tokens of KV a rank holds before the next takes over; 0: an "
           "even split">,
    Option<"masters", "masters", "std::string", /*default=*/"\"auto\"",
           "true: the batch's requests have a master each (ceil(B/N) a "
           "rank): queries shipped to the KV holders, partial states "
           "returned to the master alone (all-to-all) and merged there; "
           "false: one owner, every rank merges every state; auto: the cost "
           "model on the module's topology chooses (one owner without a "
           "topology)">
  ];
}

def DAttnOverlap : Pass<"dattn-overlap"> {
  let summary = "Hide ring transfers under compute (software-pipeline the ring)";
  let description = [{
    Turns the synchronous ring steps of a plan into overlapped ones. In a
    ring loop (an `scf.for` that computes on the K/V blocks it carries and
    yields them `shard.shift`ed one hop), each shift becomes a
    `dattn.shift_start` at the top of the step, so the block in hand is on
    its way to the next rank while this rank computes on it, and a
    `dattn.wait` where the shift was. The buffers are double: the block
    being computed on and the block arriving. The last step sends nothing:
    it is peeled off the loop without its shifts.

    Before (one ring step):
    ```mlir
    %tile = dattn.micro_attention %q, %kc, %vc ... at(%qpos, %kpos)
    %kn = shard.shift %kc on @sp grid_axes = [0] shift_axis = 0 offset = 1 rotate
    ```
    After:
    ```mlir
    %h = dattn.shift_start %kc on @sp axis = 0 offset = 1 rotate
    %tile = dattn.micro_attention %q, %kc, %vc ... at(%qpos, %kpos)
    %kn = dattn.wait %h
    ```
    Gather loops (the all-gather strategy runs one KV head at a time) are
    pipelined the same way: the first head's K/V are gathered before the
    loop, each iteration starts gathering the next head's
    (`dattn.all_gather_start`) while this one computes and waits at its
    end, and the last iteration is peeled and prefetches nothing.

    Loops whose carried blocks are used after the loop, or whose trip
    count is not a constant, are left as they are. Not yet: decode's
    overlap of query shipping with local tiles.
  }];
  let dependentDialects = ["::mlir::dattn::DAttnDialect",
                           "::mlir::arith::ArithDialect"];
}

def DAttnVerifySchedule : Pass<"dattn-verify-schedule"> {
  let summary = "Check that an overlapped schedule is safe; report buffers";
  let description = [{
    Every transfer (`dattn.shift_start`) must be waited for exactly once,
    by a `dattn.wait` in the block that started it, and used by nothing
    else; its source buffer must not be overwritten (be the destination of
    a `tensor.insert_slice`) while in flight. Reports, as a remark per
    function, the most transfers in flight at once and their bytes: with
    the ring's double buffering, the K/V buffers a rank holds beyond its
    own block.
  }];
}

def DAttnSimulateTimeline : Pass<"dattn-simulate-timeline", "::mlir::ModuleOp"> {
  let summary = "Simulate a plan on the topology: streams, trace, summary";
  let description = [{
    Runs each public function on all ranks against the cost model of the
    module's `dattn.topology`: every rank has a compute stream (a tile takes
    the longer of its visible pairs' flops at `efficiency` of the GPU's
    peak matrix rate and its K/V bytes at 90% of the HBM bandwidth: prefill
    tiles are compute-bound, decode tiles memory-bound) and a communication
    stream per grid axis (a transfer occupies the sender's stream from
    when it is issued, for bytes / bandwidth + latency on NVLink between
    GPUs of one node, on the inter-node link otherwise; an all-to-all sends
    its pieces at once); a wait holds the compute stream until the data is
    there.
    Sizes and token positions are followed, numbers are not, so full-size
    plans (a million tokens) simulate in seconds.

    Writes a Chrome trace (`trace=<file.json>`, loadable in Perfetto:
    one process per rank, threads "compute" and "communication", one of
    those per grid axis on a grid of several) and
    remarks a summary: predicted time, the ideal (all compute / N),
    efficiency, exposed communication (time compute streams wait, as a
    fraction) and the ranks' busy fractions.
  }];
  let options = [
    Option<"trace", "trace", "std::string", /*default=*/"",
           "write a Chrome trace (JSON) here">,
    Option<"efficiency", "efficiency", "double", /*default=*/"0.5",
           "fraction of the peak matrix rate an attention kernel reaches">
  ];
}

def DAttnConvertToEmitC : Pass<"dattn-convert-to-emitc", "::mlir::ModuleOp"> {
  let summary = "Lower a plan to EmitC calls of a target's runtime";
  let description = [{
    Converts a plan (dattn, tensor, shard, scf, arith and func ops) to the
    EmitC dialect for one of two targets that share everything but the
    runtime namespace and the transfers: every dattn, tensor and shard op
    becomes a call of the target's runtime, scf.for an emitc.for, func.func
    an emitc.func; the module includes the runtime header.
    `dattn-translate --mlir-to-cpp` then prints the C++.

    - `target=host` (the default): `distattn::host`
      (runtime/include/distattn/host/plan_runtime.h: tensors with value
      semantics, the reference kernels, MPI in the grid's row-major order).
      Each transfer is spelled out as nonblocking MPI: `prepare_shift` /
      `prepare_all_gather`, then `MPI_Irecv` + `MPI_Isend` (or
      `MPI_Iallgather`) where it starts and `MPI_Waitall` where the plan
      waits, so a ring step's blocks travel while its tiles compute.
    - `target=cuda`: `distattn::cuda`
      (runtime/include/distattn/cuda/plan_runtime.cuh: device tensors, the
      runtime's CUDA kernels on a compute stream). Each transfer is spelled
      out in the emitted code: `prepare_shift` / `prepare_all_gather`, then
      `ncclGroupStart`, `ncclSend`/`ncclRecv` (or `ncclAllGather`),
      `ncclGroupEnd` and `cudaEventRecord` of its arrival on the transfer
      stream; its `dattn.wait` becomes `cudaStreamWaitEvent` of the compute
      stream on that event, so the overlap schedule of `dattn-overlap`
      holds on the GPU. A synchronous `shard.shift` or `shard.all_gather`
      is a start followed at once by its wait. Micro-attention q/k/v must be
      bf16 or f16 (the kernels' input types). A merge of tiles into an
      accumulator that nothing reads afterwards (proved from the use lists:
      a ring step's carried state, the peeled last step's) is one
      `micro_attention_into` call a tile, whose kernel merges the tile
      into the accumulator's buffers in its epilogue.

    The emitted code carries a comment for each plan step (the rank's place
    on the grid, what a loop's steps do, the peeled last ring step, the
    output's assembly) and for each transfer.

    What a target cannot express is an error at the op: dynamic shapes,
    all-reduces over part of a grid, pads with a non-constant value, f32
    micro-attention inputs on the cuda target.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"host\"",
           "host (C++ with MPI) or cuda (CUDA with NCCL)">,
  ];
  let dependentDialects = ["::mlir::emitc::EmitCDialect"];
}

#endif // DISTATTN_PASSES_TD
