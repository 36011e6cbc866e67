// Native kernels of lnnmeta.kernels.LTC: the sensory synapse sums and the fused ODE
// solver of ncps 1.0.1 (LTCCell._ode_solver), forward and backward, for float32 CPU
// tensors, single-threaded.  The math is in ltc_body.h; the CfC sequence kernels are in
// cfc_body.h and the CT-RNN scan (lnnmeta.models.CTRNN) in ctrnn_body.h.
//
// The library has no dependency on torch: lnnmeta/kernels/_native.py builds it with
// torch.utils.cpp_extension and calls the extern "C" functions below through ctypes,
// passing the data pointers of contiguous tensors.  The body is compiled once per
// instruction set (generic, and on x86-64 also AVX2+FMA and AVX-512 through
// `#pragma GCC target`, so the build needs no -march flag) and the caller picks one
// that the CPU supports (lnn_best_isa).  Sample counts ("batch", "columns") must be
// multiples of 16, the widest vector.
//
// Return codes: 0 success, 1 invalid argument, 2 instruction set not available,
// 3 out of memory.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

// The x86-64 variants need GCC's `#pragma GCC target`; other compilers (and other
// architectures) get the generic variant only.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LNN_X86 1
#include <immintrin.h>
#endif

namespace lnnmeta_ltc {

constexpr int64_t kLanes = 16;  // sample counts must be multiples of this
constexpr int64_t kParams = 5;  // per synapse: mu, sig * log2(e), we, w, sig

// The active synapses of a (n_post, n_pre) connection, per post-synaptic unit j:
// count[j] synapses, the a-th from pre-synaptic unit pre[j * n_pre + a], with parameters
// param[kParams * (j * n_pre + a) + 0..4] = (mu, sig log2(e), we, w, sig).  A synapse is
// active where the sparsity mask is non-zero; inactive ones contribute nothing and get
// zero gradients (in ncps their weight is multiplied by the zero mask).
struct Synapses {
  int64_t n_post = 0;
  int64_t n_pre = 0;
  std::vector<int32_t> count;
  std::vector<int32_t> pre;
  std::vector<float> param;
};

Synapses pack(int64_t n_post, int64_t n_pre, const float* mu, const float* sig,
              const float* we, const float* w, const float* mask) {
  Synapses syn;
  syn.n_post = n_post;
  syn.n_pre = n_pre;
  syn.count.assign(n_post, 0);
  syn.pre.assign(n_post * n_pre, 0);
  syn.param.assign(kParams * n_post * n_pre, 0.0f);
  for (int64_t j = 0; j < n_post; ++j) {
    int32_t a = 0;
    for (int64_t i = 0; i < n_pre; ++i) {
      const int64_t at = j * n_pre + i;
      if (mask[at] == 0.0f) continue;
      const int64_t slot = j * n_pre + a;
      syn.pre[slot] = static_cast<int32_t>(i);
      float* par = syn.param.data() + kParams * slot;
      par[0] = mu[at];
      par[1] = sig[at] * 1.44269504088896341f;
      par[2] = we[at];
      par[3] = w[at];
      par[4] = sig[at];
      ++a;
    }
    syn.count[j] = a;
  }
  return syn;
}

// Arguments of the fused solver; shapes with N units, T steps, U unfolds, batch B.
struct SolverArgs {
  int64_t steps = 0;
  int64_t unfolds = 0;
  int64_t batch = 0;
  const float* v0 = nullptr;         // (N, B) initial state
  const float* constants = nullptr;  // (T, N, 2, B) c_num, c_den per step
  const float* cm = nullptr;         // (N,), or (T, N, B) if cm_per_sample
  bool cm_per_sample = false;
  float* out = nullptr;              // (T, N, B) state after each step
  float* chain = nullptr;            // (T U + 1, N, B) state before each unfold, or null
  float* inv_den = nullptr;          // (T U, N, B) 1 / den of each unfold, or null
  const float* grad_out = nullptr;   // backward: (T, N, B)
  float* grad_v0 = nullptr;          // (N, B)
  float* grad_constants = nullptr;   // (T, N, 2, B)
  float* grad_cm = nullptr;          // (T, N, B), or (N, B) summed over steps if cm is (N,)
  float* grad_mu = nullptr;          // (N, N) each, [post][pre]
  float* grad_sig = nullptr;
  float* grad_we = nullptr;
  float* grad_w = nullptr;
};

// BLAS sgemm with the Fortran interface (column-major, 32-bit integers): the CfC kernels
// get the address of the one inside torch (MKL or OpenBLAS), so that their matrix
// products run the same code as torch.mm.
typedef void (*SgemmFn)(const char*, const char*, const int*, const int*, const int*,
                        const float*, const float*, const int*, const float*, const int*,
                        const float*, float*, const int*);

// Row-major C (m x n, leading dimension ldc) = op(A) op(B) + beta C, where op(A) is
// m x k (A stored k x m if ta) and op(B) is k x n (B stored n x k if tb): the
// column-major product C^T = op(B)^T op(A)^T.
struct Gemm {
  SgemmFn fn = nullptr;
  void operator()(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a,
                  int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                  int64_t ldc) const {
    const char op_a = ta ? 'T' : 'N', op_b = tb ? 'T' : 'N';
    const int rows = static_cast<int>(n), cols = static_cast<int>(m),
              depth = static_cast<int>(k), ld_b = static_cast<int>(ldb),
              ld_a = static_cast<int>(lda), ld_c = static_cast<int>(ldc);
    const float one = 1.0f;
    fn(&op_b, &op_a, &rows, &cols, &depth, &one, b, &ld_b, a, &ld_a, &beta, c, &ld_c);
  }
};

// Arguments of the CfC sequence kernels (cfc_body.h); T steps, B samples, N units,
// H backbone units (K N without a backbone), K head blocks; every array row-major and
// contiguous.
struct CfcArgs {
  int64_t steps = 0;
  int64_t batch = 0;
  int64_t units = 0;
  int64_t hidden = 0;
  int64_t heads = 3;
  int mode = 0;                  // 0 "default", 1 "no_gate", 2 "pure"
  bool gemm_only = false;        // only the matrix products (a timing floor), see below
  const float* z_in = nullptr;   // (T, B, H) input part of the backbone pre-activation
  const float* l0 = nullptr;     // (B, N) initial folded state
  const float* w_h = nullptr;    // (H, N)
  const float* w_y = nullptr;    // (K N, H); null without a backbone
  const float* b_y = nullptr;    // (K N,)
  const float* spans = nullptr;  // (T, B) with K = 4 or "pure", else null
  const float* pure_w = nullptr; // (N,) |w_tau| of "pure" mode, else null
  const float* pure_a = nullptr; // (N,) A of "pure" mode, else null
  float* acts = nullptr;         // (T, B, H) backbone activations
  float* heads_out = nullptr;    // (T, B, 3 N) ff1, ff2, ti after their sigmoids ("pure": y, e)
  float* states = nullptr;       // (T, B, N) folded states
  float* t_a = nullptr;          // (T, B, N) time_a head with K = 4, else null
  float* out = nullptr;          // (T, B, N), or (B, T, N) if out_batch_first: 2 l - 1
  bool out_batch_first = false;
  const float* grad = nullptr;   // backward: gradient of out (same layout)
  float* d_pre = nullptr;        // (T, B, H) gradient of z_in
  float* d_l0 = nullptr;         // (B, N)
  float* d_w_h = nullptr;        // (H, N)
  float* d_w_y = nullptr;        // (K N, H)
  float* d_b_y = nullptr;        // (K N,)
  float* d_spans = nullptr;      // (T, B), or null
  float* d_pure_w = nullptr;     // (N,) "pure" mode
  float* d_pure_a = nullptr;     // (N,) "pure" mode
  // Mixed memory (ncps' LSTMCell in front of the cell, fed the previous folded state):
  // all null without it.
  const float* zl_in = nullptr;  // (T, B, 4 N) input part of the LSTM pre-activation
  const float* w_rec = nullptr;  // (4 N, N) LSTM recurrent weight (acting on l)
  const float* c0 = nullptr;     // (B, N) initial memory cell
  float* gates = nullptr;        // (T, B, 4 N) tanh(i), sigmoid(ig), sigmoid(fg), sigmoid(og)
  float* cells = nullptr;        // (T, B, N) memory cell after each step
  float* tcells = nullptr;       // (T, B, N) tanh of it
  float* hm = nullptr;           // (T, B, N) LSTM output: the cell's recurrent input
  const float* grad_c = nullptr; // backward: (B, N) gradient of the final cell, or null
  float* d_zl = nullptr;         // (T, B, 4 N) gradient of zl_in
  float* d_c0 = nullptr;         // (B, N)
  float* d_w_rec = nullptr;      // (4 N, N)
};

// Arguments of the CT-RNN scan (ctrnn_body.h); T steps, U unfolds, B samples, N units,
// K = T U sub-steps; every array row-major and contiguous.
struct CtrnnArgs {
  int64_t steps = 0;
  int64_t unfolds = 0;
  int64_t batch = 0;
  int64_t units = 0;
  const float* drive = nullptr;    // (B, T, N) input drive W x + b
  const float* dt = nullptr;       // (B, T) time spans
  const float* weight = nullptr;   // (N, N) recurrent weight [out][in]
  const float* inv_tau = nullptr;  // (N,) 1 / tau
  const float* h0 = nullptr;       // (B, N) initial state
  float* out = nullptr;            // (B, N) final state
  float* chain = nullptr;          // (K + 1, B, N) state before each sub-step, or null
  float* acts = nullptr;           // (K, B, N) tanh of each sub-step, or null
  const float* grad_out = nullptr; // backward: (B, N) gradient of out
  float* d_pre = nullptr;          // (K, B, N) scratch: pre-activation gradients
  float* d_drive = nullptr;        // (B, T, N)
  float* d_dt = nullptr;           // (B, T)
  float* d_weight = nullptr;       // (N, N)
  float* d_inv_tau = nullptr;      // (N,)
  float* d_h0 = nullptr;           // (B, N)
};

namespace generic {
#define LNN_ISA 0
constexpr int W = 4;  // baseline SSE2 / NEON registers
typedef float vf __attribute__((vector_size(4 * W)));
typedef uint32_t vu __attribute__((vector_size(4 * W)));
#include "ltc_body.h"
#include "cfc_body.h"
#include "ctrnn_body.h"
}  // namespace generic

#ifdef LNN_X86
// GCC 12 warns about _mm512_undefined_ps() inside its own AVX-512 headers.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
#undef LNN_ISA
#define LNN_ISA 1
constexpr int W = 8;
typedef float vf __attribute__((vector_size(4 * W)));
typedef uint32_t vu __attribute__((vector_size(4 * W)));
#include "ltc_body.h"
#include "cfc_body.h"
#include "ctrnn_body.h"
}  // namespace avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace avx512 {
#undef LNN_ISA
#define LNN_ISA 2
constexpr int W = 16;
typedef float vf __attribute__((vector_size(4 * W)));
typedef uint32_t vu __attribute__((vector_size(4 * W)));
#include "ltc_body.h"
#include "cfc_body.h"
#include "ctrnn_body.h"
}  // namespace avx512
#pragma GCC pop_options
#endif

enum Isa { kGeneric = 0, kAvx2 = 1, kAvx512 = 2 };

bool available(int isa) {
  if (isa == kGeneric) return true;
#ifdef LNN_X86
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (isa == kAvx2) return avx2;
  if (isa == kAvx512) return avx2 && __builtin_cpu_supports("avx512f");
#endif
  return false;
}

// Runs the variant of the chosen ISA (one callable per ISA), translating errors into
// return codes.
template <class Generic, class Avx2, class Avx512>
int run(int isa, Generic&& gen, Avx2&& a2, Avx512&& a512) {
  if (!available(isa)) return 2;
  try {
#ifdef LNN_X86
    if (isa == kAvx512) {
      a512();
      return 0;
    }
    if (isa == kAvx2) {
      a2();
      return 0;
    }
#else
    (void)a2;
    (void)a512;
#endif
    gen();
    return 0;
  } catch (const std::bad_alloc&) {
    return 3;
  }
}

#ifdef LNN_X86
#define LNN_RUN(isa, call)                                                   \
  lnnmeta_ltc::run((isa), [&] { lnnmeta_ltc::generic::call; },               \
                   [&] { lnnmeta_ltc::avx2::call; }, [&] { lnnmeta_ltc::avx512::call; })
#else
#define LNN_RUN(isa, call) \
  lnnmeta_ltc::run((isa), [&] { lnnmeta_ltc::generic::call; }, [] {}, [] {})
#endif

bool valid(int64_t a, int64_t b, int64_t columns) {
  return a > 0 && b > 0 && columns > 0 && columns % kLanes == 0;
}

}  // namespace lnnmeta_ltc

using lnnmeta_ltc::CfcArgs;
using lnnmeta_ltc::CtrnnArgs;
using lnnmeta_ltc::SolverArgs;
using lnnmeta_ltc::Synapses;

extern "C" {

// The widest instruction set this CPU supports: 0 generic, 1 AVX2+FMA, 2 AVX-512.
int lnn_best_isa() {
  for (int isa = 2; isa > 0; --isa) {
    if (lnnmeta_ltc::available(isa)) return isa;
  }
  return 0;
}

// Sensory synapse sums: pre (n_pre, columns) -> out (n_post, 2, columns), with
// (n_post, n_pre) parameters mu, sig, we, w and sparsity mask.
int lnn_sums_forward(int isa, int64_t n_post, int64_t n_pre, int64_t columns,
                     const float* pre, const float* mu, const float* sig, const float* we,
                     const float* w, const float* mask, float* out) {
  if (!lnnmeta_ltc::valid(n_post, n_pre, columns)) return 1;
  try {
    const Synapses syn = lnnmeta_ltc::pack(n_post, n_pre, mu, sig, we, w, mask);
    return LNN_RUN(isa, sums_forward(syn, pre, columns, out));
  } catch (const std::bad_alloc&) {
    return 3;
  }
}

// Backward pass of lnn_sums_forward: grad (n_post, 2, columns) -> dpre (n_pre, columns)
// and (n_post, n_pre) parameter gradients (written, not accumulated).
int lnn_sums_backward(int isa, int64_t n_post, int64_t n_pre, int64_t columns,
                      const float* pre, const float* mu, const float* sig, const float* we,
                      const float* w, const float* mask, const float* grad, float* dpre,
                      float* dmu, float* dsig, float* dwe, float* dw) {
  if (!lnnmeta_ltc::valid(n_post, n_pre, columns)) return 1;
  try {
    const Synapses syn = lnnmeta_ltc::pack(n_post, n_pre, mu, sig, we, w, mask);
    return LNN_RUN(isa, sums_backward(syn, pre, columns, grad, dpre, dmu, dsig, dwe, dw));
  } catch (const std::bad_alloc&) {
    return 3;
  }
}

// Fused solver over all steps.  chain and inv_den are both null (no backward pass) or
// both given.
int lnn_solver_forward(int isa, int64_t n, int64_t steps, int64_t unfolds, int64_t batch,
                       const float* v0, const float* constants, const float* cm,
                       int cm_per_sample, const float* mu, const float* sig, const float* we,
                       const float* w, const float* mask, float* out, float* chain,
                       float* inv_den) {
  if (!lnnmeta_ltc::valid(n, steps, batch) || unfolds < 1) return 1;
  if ((chain == nullptr) != (inv_den == nullptr)) return 1;
  SolverArgs args;
  args.steps = steps;
  args.unfolds = unfolds;
  args.batch = batch;
  args.v0 = v0;
  args.constants = constants;
  args.cm = cm;
  args.cm_per_sample = cm_per_sample != 0;
  args.out = out;
  args.chain = chain;
  args.inv_den = inv_den;
  try {
    const Synapses syn = lnnmeta_ltc::pack(n, n, mu, sig, we, w, mask);
    return LNN_RUN(isa, solver_forward(syn, args));
  } catch (const std::bad_alloc&) {
    return 3;
  }
}

// Backward pass of lnn_solver_forward from its chain and inv_den (and the same cm and
// synapses); every gradient is written (not accumulated).
int lnn_solver_backward(int isa, int64_t n, int64_t steps, int64_t unfolds, int64_t batch,
                        const float* chain, const float* inv_den, const float* cm,
                        int cm_per_sample, const float* mu, const float* sig,
                        const float* we, const float* w, const float* mask,
                        const float* grad_out, float* grad_v0, float* grad_constants,
                        float* grad_cm, float* grad_mu, float* grad_sig, float* grad_we,
                        float* grad_w) {
  if (!lnnmeta_ltc::valid(n, steps, batch) || unfolds < 1) return 1;
  SolverArgs args;
  args.steps = steps;
  args.unfolds = unfolds;
  args.batch = batch;
  args.cm = cm;
  args.cm_per_sample = cm_per_sample != 0;
  args.chain = const_cast<float*>(chain);
  args.inv_den = const_cast<float*>(inv_den);
  args.grad_out = grad_out;
  args.grad_v0 = grad_v0;
  args.grad_constants = grad_constants;
  args.grad_cm = grad_cm;
  args.grad_mu = grad_mu;
  args.grad_sig = grad_sig;
  args.grad_we = grad_we;
  args.grad_w = grad_w;
  try {
    const Synapses syn = lnnmeta_ltc::pack(n, n, mu, sig, we, w, mask);
    return LNN_RUN(isa, solver_backward(syn, args));
  } catch (const std::bad_alloc&) {
    return 3;
  }
}

// A mode with this bit set runs only the matrix products (and the copies of their
// accumulators) of the call, on the buffers of an earlier call with the same arguments:
// the time of the products alone, for the benchmark's floor.
constexpr int kGemmOnly = 8;

// Whether the CfC kernel arguments are consistent: K = 3 or 4 (spans with K = 4) with
// mode 0 or 1, K = 1 with spans, |w_tau| and A in mode 2; without a backbone (w_y null)
// H = K N.
static bool cfc_valid(void* sgemm, int64_t steps, int64_t batch, int64_t units,
                      int64_t hidden, int64_t heads, int mode, const float* w_y,
                      const float* spans, const float* pure_w, const float* pure_a) {
  if (sgemm == nullptr || steps < 1 || batch < 1 || units < 1 || hidden < 1) return false;
  if (w_y == nullptr && hidden != heads * units) return false;
  if (mode == 2) return heads == 1 && spans != nullptr && pure_w != nullptr && pure_a != nullptr;
  return (mode == 0 || mode == 1) && (heads == 3 || heads == 4) &&
         (heads == 4) == (spans != nullptr);
}

// CfC sequence, forward (cfc_body.h): writes out, acts (with a backbone), heads_out,
// states and (with per-step spans, heads == 4) t_a; with mixed memory (lstm: an array of
// 7 pointers, see below; null without it) also gates, cells, tcells and hm.  sgemm is the address of a
// Fortran-interface BLAS sgemm.  mode: 0 "default", 1 "no_gate", 2 "pure".
int lnn_cfc_forward(int isa, void* sgemm, int64_t steps, int64_t batch, int64_t units,
                    int64_t hidden, int64_t heads, int mode, const float* z_in,
                    const float* l0, const float* w_h, const float* w_y, const float* b_y,
                    const float* spans, const float* pure_w, const float* pure_a,
                    float* acts, float* heads_out, float* states, float* t_a, float* out,
                    int out_batch_first, void* const* lstm) {
  const bool gemm_only = (mode & kGemmOnly) != 0;
  mode &= ~kGemmOnly;
  if (!cfc_valid(sgemm, steps, batch, units, hidden, heads, mode, w_y, spans, pure_w, pure_a) ||
      (heads == 4 && t_a == nullptr) || (w_y != nullptr && (acts == nullptr || b_y == nullptr))) {
    return 1;
  }
  lnnmeta_ltc::Gemm gemm;
  gemm.fn = reinterpret_cast<lnnmeta_ltc::SgemmFn>(sgemm);
  CfcArgs args;
  args.steps = steps;
  args.batch = batch;
  args.units = units;
  args.hidden = hidden;
  args.heads = heads;
  args.mode = mode;
  args.gemm_only = gemm_only;
  args.z_in = z_in;
  args.l0 = l0;
  args.w_h = w_h;
  args.w_y = w_y;
  args.b_y = b_y;
  args.spans = spans;
  args.pure_w = pure_w;
  args.pure_a = pure_a;
  args.acts = acts;
  args.heads_out = heads_out;
  args.states = states;
  args.t_a = heads == 4 ? t_a : nullptr;
  args.out = out;
  args.out_batch_first = out_batch_first != 0;
  if (lstm != nullptr) {  // zl_in, w_rec, c0, gates, cells, tcells, hm
    for (int k = 0; k < 7; ++k) {
      if (lstm[k] == nullptr) return 1;
    }
    args.zl_in = static_cast<const float*>(lstm[0]);
    args.w_rec = static_cast<const float*>(lstm[1]);
    args.c0 = static_cast<const float*>(lstm[2]);
    args.gates = static_cast<float*>(lstm[3]);
    args.cells = static_cast<float*>(lstm[4]);
    args.tcells = static_cast<float*>(lstm[5]);
    args.hm = static_cast<float*>(lstm[6]);
  }
  return LNN_RUN(isa, cfc_forward(gemm, args));
}

// Backward pass of lnn_cfc_forward from what it wrote, given the gradient of out (in
// its layout); every gradient is written (not accumulated); d_spans may be null, d_w_y
// and d_b_y are unused without a backbone, d_pure_w and d_pure_a outside mode 2.
int lnn_cfc_backward(int isa, void* sgemm, int64_t steps, int64_t batch, int64_t units,
                     int64_t hidden, int64_t heads, int mode, const float* l0,
                     const float* w_h, const float* w_y, const float* spans,
                     const float* pure_w, const float* pure_a, const float* acts,
                     const float* heads_out, const float* states, const float* t_a,
                     const float* grad, int out_batch_first, float* d_pre, float* d_l0,
                     float* d_w_h, float* d_w_y, float* d_b_y, float* d_spans,
                     float* d_pure_w, float* d_pure_a, void* const* lstm) {
  const bool gemm_only = (mode & kGemmOnly) != 0;
  mode &= ~kGemmOnly;
  if (!cfc_valid(sgemm, steps, batch, units, hidden, heads, mode, w_y, spans, pure_w, pure_a) ||
      (heads == 4 && t_a == nullptr) ||
      (w_y != nullptr && (acts == nullptr || d_w_y == nullptr || d_b_y == nullptr)) ||
      (mode == 2 && (d_pure_w == nullptr || d_pure_a == nullptr))) {
    return 1;
  }
  lnnmeta_ltc::Gemm gemm;
  gemm.fn = reinterpret_cast<lnnmeta_ltc::SgemmFn>(sgemm);
  CfcArgs args;
  args.steps = steps;
  args.batch = batch;
  args.units = units;
  args.hidden = hidden;
  args.heads = heads;
  args.mode = mode;
  args.gemm_only = gemm_only;
  args.l0 = l0;
  args.w_h = w_h;
  args.w_y = w_y;
  args.spans = spans;
  args.pure_w = pure_w;
  args.pure_a = pure_a;
  args.acts = const_cast<float*>(acts);
  args.heads_out = const_cast<float*>(heads_out);
  args.states = const_cast<float*>(states);
  args.t_a = heads == 4 ? const_cast<float*>(t_a) : nullptr;
  args.grad = grad;
  args.out_batch_first = out_batch_first != 0;
  args.d_pre = d_pre;
  args.d_l0 = d_l0;
  args.d_w_h = d_w_h;
  args.d_w_y = d_w_y;
  args.d_b_y = d_b_y;
  args.d_spans = (heads == 4 || mode == 2) ? d_spans : nullptr;
  args.d_pure_w = d_pure_w;
  args.d_pure_a = d_pure_a;
  if (lstm != nullptr) {  // w_rec, c0, gates, cells, tcells, hm, grad_c, d_zl, d_c0, d_w_rec
    for (int k = 0; k < 10; ++k) {
      if (lstm[k] == nullptr && k != 6) return 1;
    }
    args.w_rec = static_cast<const float*>(lstm[0]);
    args.c0 = static_cast<const float*>(lstm[1]);
    args.gates = static_cast<float*>(lstm[2]);
    args.cells = static_cast<float*>(lstm[3]);
    args.tcells = static_cast<float*>(lstm[4]);
    args.hm = static_cast<float*>(lstm[5]);
    args.grad_c = static_cast<const float*>(lstm[6]);
    args.d_zl = static_cast<float*>(lstm[7]);
    args.d_c0 = static_cast<float*>(lstm[8]);
    args.d_w_rec = static_cast<float*>(lstm[9]);
  }
  return LNN_RUN(isa, cfc_backward(gemm, args));
}

// CT-RNN scan, forward (ctrnn_body.h): writes out and, if chain and acts are both given
// (for a backward pass), every sub-step's state and tanh.  sgemm as for the CfC.
int lnn_ctrnn_forward(int isa, void* sgemm, int64_t steps, int64_t unfolds, int64_t batch,
                      int64_t units, const float* drive, const float* dt,
                      const float* weight, const float* inv_tau, const float* h0,
                      float* out, float* chain, float* acts) {
  if (sgemm == nullptr || steps < 1 || unfolds < 1 || batch < 1 || units < 1) return 1;
  if ((chain == nullptr) != (acts == nullptr)) return 1;
  lnnmeta_ltc::Gemm gemm;
  gemm.fn = reinterpret_cast<lnnmeta_ltc::SgemmFn>(sgemm);
  CtrnnArgs args;
  args.steps = steps;
  args.unfolds = unfolds;
  args.batch = batch;
  args.units = units;
  args.drive = drive;
  args.dt = dt;
  args.weight = weight;
  args.inv_tau = inv_tau;
  args.h0 = h0;
  args.out = out;
  args.chain = chain;
  args.acts = acts;
  return LNN_RUN(isa, ctrnn_forward(gemm, args));
}

// Backward pass of lnn_ctrnn_forward from its chain and acts (and the same dt, weight
// and inv_tau), given the gradient of out; d_pre is (K, B, N) scratch; every gradient is
// written (not accumulated).
int lnn_ctrnn_backward(int isa, void* sgemm, int64_t steps, int64_t unfolds, int64_t batch,
                       int64_t units, const float* dt, const float* weight,
                       const float* inv_tau, const float* chain, const float* acts,
                       const float* grad_out, float* d_pre, float* d_drive, float* d_dt,
                       float* d_weight, float* d_inv_tau, float* d_h0) {
  if (sgemm == nullptr || steps < 1 || unfolds < 1 || batch < 1 || units < 1) return 1;
  lnnmeta_ltc::Gemm gemm;
  gemm.fn = reinterpret_cast<lnnmeta_ltc::SgemmFn>(sgemm);
  CtrnnArgs args;
  args.steps = steps;
  args.unfolds = unfolds;
  args.batch = batch;
  args.units = units;
  args.dt = dt;
  args.weight = weight;
  args.inv_tau = inv_tau;
  args.chain = const_cast<float*>(chain);
  args.acts = const_cast<float*>(acts);
  args.grad_out = grad_out;
  args.d_pre = d_pre;
  args.d_drive = d_drive;
  args.d_dt = d_dt;
  args.d_weight = d_weight;
  args.d_inv_tau = d_inv_tau;
  args.d_h0 = d_h0;
  return LNN_RUN(isa, ctrnn_backward(gemm, args));
}

}  // extern "C"
