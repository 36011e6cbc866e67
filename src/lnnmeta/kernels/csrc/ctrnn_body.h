// Body of the native CT-RNN scan (lnnmeta.models.CTRNN) for one instruction set.
//
// Included by ltc_native.cpp right after cfc_body.h, inside the same per-ISA namespace
// (W, vf, splat, cfc_load, cfc_store and cfc_tanh come from there).  The recurrent
// matrix products go to the BLAS sgemm that torch itself uses (see Gemm in
// ltc_native.cpp); the element-wise work of a sub-step is one fused pass.
//
// The model: dh/dt = -h / tau + tanh(d + h U^T), explicit Euler with `unfolds` (U)
// sub-steps per input step t, each of length s = dt[b, t] / U, from h = h0:
//   y = tanh(d[:, t] + h U^T),   h <- h + s (y - h inv_tau)          (B, N)
// with d = W x + b the input drive (computed by the caller), U the (N, N) recurrent
// weight [out][in] and inv_tau = exp(-log_tau).  K = T U sub-steps in all.
//
// Backward (g = dL/dh after sub-step k, s its length, h the state before it):
//   ga       = g s (1 - y^2)                 gradient of the pre-activation, (B, N)
//   dL/dh    = g (1 - s inv_tau) + ga U      (one sgemm per sub-step)
//   dL/dd_t += ga,  dL/ds = sum_n g (y - h inv_tau),  dL/dinv_tau -= sum_b g s h
//   dL/dU    = sum_k ga_k^T h_k              (one sgemm over all K B rows at the end)
// and dL/ddt[b, t] = (sum over the U sub-steps of dL/ds) / U.

// NOLINTBEGIN (this file is a fragment, see above)

// Horizontal sum of a vector.
static inline float ctrnn_sum(vf v) {
  float total = 0.0f;
  for (int q = 0; q < W; ++q) total += v[q];
  return total;
}

// Forward scan: writes out (B, N), the final state; with chain and acts non-null also the
// state before every sub-step (chain, (K + 1, B, N)) and every tanh (acts, (K, B, N)).
static void ctrnn_forward(const Gemm& gemm, const CtrnnArgs& A) {
  const int64_t B = A.batch, N = A.units, T = A.steps, U = A.unfolds, BN = B * N;
  const bool keep = A.chain != nullptr;
  std::vector<float> scratch(keep ? 0 : 3 * BN);
  float* h = keep ? A.chain : scratch.data();
  std::memcpy(h, A.h0, sizeof(float) * BN);
  const float units_f = static_cast<float>(U);
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t u = 0; u < U; ++u) {
      const int64_t k = t * U + u;
      float* a = keep ? A.acts + k * BN : scratch.data() + BN;
      float* next = keep ? A.chain + (k + 1) * BN : scratch.data() + (h == scratch.data() ? 2 : 0) * BN;
      for (int64_t b = 0; b < B; ++b) {
        std::memcpy(a + b * N, A.drive + (b * T + t) * N, sizeof(float) * N);
      }
      gemm(false, true, B, N, N, h, N, A.weight, N, 1.0f, a, N);
      for (int64_t b = 0; b < B; ++b) {
        const vf s = splat(A.dt[b * T + t] / units_f);
        float* ar = a + b * N;
        const float* hr = h + b * N;
        float* nr = next + b * N;
        for (int64_t i = 0; i < N; i += W) {
          const int64_t n = N - i;
          const vf y = cfc_tanh(cfc_load(ar + i, n));
          const vf hv = cfc_load(hr + i, n);
          cfc_store(ar + i, y, n);
          cfc_store(nr + i, hv + s * (y - hv * cfc_load(A.inv_tau + i, n)), n);
        }
      }
      h = next;
    }
  }
  std::memcpy(A.out, h, sizeof(float) * BN);
}

// Backward scan from chain and acts, given grad_out (B, N); every gradient is written
// (not accumulated).  d_pre is a (K, B, N) scratch buffer (the ga of every sub-step).
static void ctrnn_backward(const Gemm& gemm, const CtrnnArgs& A) {
  const int64_t B = A.batch, N = A.units, T = A.steps, U = A.unfolds, BN = B * N;
  const int64_t K = T * U;
  const float units_f = static_cast<float>(U);
  std::vector<float> g(A.grad_out, A.grad_out + BN), gn(BN);
  std::vector<float> d_inv(N + W, 0.0f);
  for (int64_t k = K - 1; k >= 0; --k) {
    const int64_t t = k / U, u = k % U;
    const float* h = A.chain + k * BN;
    const float* y = A.acts + k * BN;
    float* ga = A.d_pre + k * BN;
    for (int64_t b = 0; b < B; ++b) {
      const float sf = A.dt[b * T + t] / units_f;
      const vf s = splat(sf);
      const float* gr = g.data() + b * N;
      const float* hr = h + b * N;
      const float* yr = y + b * N;
      float* gar = ga + b * N;
      float* gnr = gn.data() + b * N;
      float* ddr = A.d_drive + (b * T + t) * N;
      vf ds = splat(0.0f);
      for (int64_t i = 0; i < N; i += W) {
        const int64_t n = N - i;
        const vf gv = cfc_load(gr + i, n), hv = cfc_load(hr + i, n), yv = cfc_load(yr + i, n);
        const vf inv = cfc_load(A.inv_tau + i, n);
        const vf gs = gv * s;
        const vf gav = gs * (1.0f - yv * yv);
        cfc_store(gar + i, gav, n);
        cfc_store(gnr + i, gv - gs * inv, n);
        ds = ds + gv * (yv - hv * inv);
        cfc_store(d_inv.data() + i, cfc_load(d_inv.data() + i, n) - gs * hv, n);
        cfc_store(ddr + i, u == U - 1 ? gav : cfc_load(ddr + i, n) + gav, n);
      }
      const float dsum = ctrnn_sum(ds);
      float& dd = A.d_dt[b * T + t];
      dd = u == U - 1 ? dsum : dd + dsum;
      if (u == 0) dd = dd / units_f;
    }
    gemm(false, false, B, N, N, ga, N, A.weight, N, 1.0f, gn.data(), N);
    g.swap(gn);
  }
  std::memcpy(A.d_h0, g.data(), sizeof(float) * BN);
  std::memcpy(A.d_inv_tau, d_inv.data(), sizeof(float) * N);
  // dU[i][j] = sum over sub-steps and samples of ga[., i] h[., j]: one product.
  gemm(true, false, N, N, K * B, A.d_pre, N, A.chain, N, 0.0f, A.d_weight, N);
}

// NOLINTEND
