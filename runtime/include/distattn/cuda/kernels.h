//===- kernels.h - distattn CUDA runtime kernels, host launch API -*- C++
//-*-===//
//
// Launchers for the device kernels. All states are fp32 with the lse in
// natural log (DESIGN.md section 4); layouts follow distattn/reference.h:
//   q/out [B, Hq, Sq, D], k/v [B, Hkv, Sk, D], lse [B, Hq, Sq], dense.
// A row that sees no key gets out = 0, lse = -inf (the merge identity).
//
// Every launcher returns a cudaError_t as int (0 on success): argument errors
// give cudaErrorInvalidValue, launch errors whatever cudaGetLastError says.
// The C entry points (da_*) are what the benchmark harness loads via ctypes.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_CUDA_KERNELS_H
#define DISTATTN_CUDA_KERNELS_H

#include <cstddef>
#include <cstdint>

extern "C" {

/// Input element type of q/k/v.
enum DaDType { DA_BF16 = 0, DA_FP16 = 1 };

/// One micro-attention tile: (out, lse) of q against the visible keys.
/// Causal visibility: key j visible to query i when
///   kOffset + kStride * j <= qOffset + qStride * i   (strides >= 1),
/// covering contiguous, striped and zigzag tiles. head_dim 64, 128 or 256;
/// Hq a multiple of Hkv (GQA: the q heads of a group share one read of K/V).
/// mergeInto != 0: (out, lse) hold a state on entry and the tile's state is
/// merged into it in the epilogue (exact lse arithmetic, no extra pass).
/// q/k/v must be 16-byte aligned, out 8-byte aligned (cudaMalloc'd tensors
/// and row offsets of them are); other pointers are refused.
struct DaMicroAttentionArgs {
  const void *q, *k, *v;
  float *out, *lse;
  int dtype; // DaDType
  int batch, qHeads, kvHeads;
  int64_t qLen, kvLen;
  int headDim;
  float scale; // softmax scale, > 0 (1/sqrt(D) usually)
  int causal;
  int64_t qOffset, qStride, kOffset, kStride;
  int mergeInto;
};
int da_micro_attention(const DaMicroAttentionArgs *args, void *stream);

/// Tuning knob (tests, benchmarks) for head_dim 64/128 block shapes:
/// 1 = 8 warps x 16 rows, 2 = 4 warps x 16 rows, 3 = 4 warps x 32 rows,
/// 4 = 4 warps x 32 rows with another kv tile width, 5/6/7 = 4 warps x 32
/// rows with double-buffered K/V (kv tiles 64/32/48); on sm_90a 8/9 = the
/// wgmma kernel with 2/3 warpgroups, 10/11 = 8 warp-specialised (a TMA
/// producer warp) with rings of 3/2 stages, 12 = 10 with FlashAttention-3's
/// intra-warpgroup overlap of softmax and MMAs, 13 = 12 with the
/// warpgroups' MMAs in ping-pong, 14 = 13 with 3 warpgroups (head_dim 64;
/// 128 runs 13); 0 restores the default
/// (DISTATTN_FWD_CONFIG, else 13 for D=128, 14 for D=64, 5 for D=256; where
/// wgmma is not compiled, 7 and 5). Not thread-safe with launches in flight
/// on other threads.
int da_micro_attention_set_config(int config);

/// Merges n >= 1 states (each out [rows, D] fp32 and lse [rows] fp32) into
/// (out, lse); out/lse may alias the first state. n <= 16, D % 4 == 0, every
/// pointer 16-byte aligned.
int da_merge_states(const float *const *outs, const float *const *lses, int n,
                    int64_t rows, int headDim, float *out, float *lse,
                    void *stream);

/// Same for n states stored back to back: state s at outs + s*rows*D and
/// lses + s*rows (any n).
int da_merge_states_strided(const float *outs, const float *lses, int n,
                            int64_t rows, int headDim, float *out, float *lse,
                            void *stream);

/// Paged decode: one query token per sequence against its paged KV.
///   q            [B, Hq, D] (bf16/fp16)
///   kPages/vPages[numPages, Hkv, pageSize, D]  (the rBlock pool)
///   pageIndptr   [B + 1] int32, CSR row pointers into pageIndices
///   pageIndices  [nnz] int32, page ids of each sequence in token order
///   kvLens       [B] int32, tokens of each sequence
///   out          [B, Hq, D] fp32, lse [B, Hq] fp32
/// The KV of each sequence is split in chunks of splitTokens (0: chosen from
/// maxKvLen and the device), each chunk's state is computed and the chunks are
/// merged exactly; the workspace holds the partial states (none where one
/// block's warps hold all the chunks of a sequence's kv head and merge them
/// there: da_paged_decode_workspace then returns 0). Where the chosen chunks
/// are merged in blocks and then by the last block of each kv head, the
/// workspace also holds that merge's counts, which must be zero before its
/// first call: zero-fill a new workspace once (cudaMemset); every call
/// leaves them zero again, so it is reused as is.
/// q, the pools, out and the workspace must be 16-byte aligned.
struct DaPagedDecodeArgs {
  const void *q, *kPages, *vPages;
  const int32_t *pageIndptr, *pageIndices, *kvLens;
  float *out, *lse;
  int dtype;
  int batch, qHeads, kvHeads, headDim, pageSize;
  int64_t maxKvLen; // upper bound of kvLens (sizes the grid)
  float scale;
  int64_t splitTokens; // 0 = automatic
  void *workspace;     // da_paged_decode_workspace bytes (may be null if 0)
};
size_t da_paged_decode_workspace(const DaPagedDecodeArgs *args);
int da_paged_decode(const DaPagedDecodeArgs *args, void *stream);

/// The split size the launcher plans for these arguments (for tests and
/// benches): the chunk a split reads, or, where the splits are planned in
/// parts (and take the sequence's tiles in runs as they go), the chunk that
/// sizes their count, maxKvLen / splits rounded up to whole tiles.
int64_t da_paged_decode_split_tokens(const DaPagedDecodeArgs *args);

/// Tuning knob (tests, benchmarks): ring depth of the head_dim 128 decode
/// kernel, 2, 3 or 4; 0 restores the default (DISTATTN_DECODE_STAGES, else
/// 2 for the TMA ring and 4 for cp.async). Size workspaces after setting it.
int da_paged_decode_set_stages(int stages);

/// Tuning knob (tests, benchmarks): 1 adds an L2 256-byte prefetch hint to
/// the head_dim 128 decode kernel's KV copies, 0 not; -1 restores the
/// default (DISTATTN_DECODE_L2HINT, else on).
int da_paged_decode_set_l2_hint(int hint);

/// Tuning knob (tests, benchmarks): warps a block of the decode holds, 1 to
/// 8, each with its own ring; 0 restores the default (DISTATTN_DECODE_WARPS,
/// else as many rings as a block's shared memory holds: 7 for head_dim 128
/// by TMA on an H100); a count whose rings exceed a block's shared memory
/// fails the decode. Size workspaces after setting it.
int da_paged_decode_set_warps(int warps);

/// Tuning knob (tests, benchmarks): 1 lets a decode whose splits fit one
/// block's warps merge them in the block (no workspace, no merge launch),
/// and one whose long sequences need more plan them in parts (blocks that
/// share a sequence's tiles and merge in the kernel; the output's last bits
/// then vary from run to run); 0 neither (every split its own chunk, merged
/// by a second launch, reproducible); -1 restores the default
/// (DISTATTN_DECODE_COMBINE, else on). Size workspaces after setting it.
int da_paged_decode_set_combine(int on);

/// Tuning knob (tests, benchmarks): 1 loads K and V tiles by TMA (one
/// tensor copy a tile, two in pages of 16; on sm_90a, head_dim 64 and 128,
/// pages a multiple of 16 tokens), 0 by cp.async; -1 restores the default
/// (DISTATTN_DECODE_TMA, else on).
int da_paged_decode_set_tma(int on);

} // extern "C"

#endif // DISTATTN_CUDA_KERNELS_H
