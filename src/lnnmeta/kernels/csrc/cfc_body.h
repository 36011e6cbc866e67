// Body of the native CfC sequence kernels for one instruction set.
//
// Included by ltc_native.cpp right after ltc_body.h, inside the same per-ISA namespace
// (W, vf, load, store, splat, sigmoid_of come from there).  Matrix products go to the
// BLAS sgemm that torch itself uses (its address is passed in: see Gemm in
// ltc_native.cpp); everything element-wise is fused here, one pass per step.
//
// The cell is ncps 1.0.1's CfCCell with one backbone layer whose tanh-like activation
// has been rewritten as a sigmoid and the affine parts folded into the weights
// (lnnmeta/kernels/cfc.py), with states in the folded form l (h = 2 l - 1).  Shapes:
// T steps, B samples, N units, H backbone units, K head blocks (3: ff1, ff2 and the time
// gate with a constant span folded in; 4: ff1, ff2, time_a, time_b with per-step spans).
// Per step t (row-major (B, .) matrices):
//   a   = sigmoid(z_in[t] + l @ w_h^T)                        (B, H)
//   y   = b_y + a @ w_y^T                                     (B, K N)
//   ff1 = sigmoid(y_0), ff2 = sigmoid(y_1)
//   ti  = sigmoid(y_2)                 (K = 3)
//   ti  = sigmoid(y_2 * span + y_3)    (K = 4; y_2 is t_a, kept for the span gradient)
//   l   = ff1 + ti (ff2 - ff1)         ("default"), ff1 + ti (ff2 - 1/2) ("no_gate")
//   out = 2 l - 1                      (the real state, in the caller's layout)

// NOLINTBEGIN (this file is a fragment, see above)

static inline vf cfc_load(const float* p, int64_t n) {
  if (n >= W) return load(p);
  vf v{};
  std::memcpy(&v, p, sizeof(float) * n);
  return v;
}

static inline void cfc_store(float* p, vf v, int64_t n) {
  if (n >= W) {
    store(p, v);
  } else {
    std::memcpy(p, &v, sizeof(float) * n);
  }
}

static inline vf cfc_sigmoid(vf x) { return sigmoid_of(x * -1.44269504088896341f); }

static void cfc_sigmoid_inplace(float* p, int64_t n) {
  for (int64_t i = 0; i < n; i += W) cfc_store(p + i, cfc_sigmoid(cfc_load(p + i, n - i)), n - i);
}

// Row (t, b) of the (T, B, N) or, if out_batch_first, (B, T, N) output sequence.
static inline int64_t cfc_out_row(const CfcArgs& A, int64_t t, int64_t b) {
  return (A.out_batch_first ? b * A.steps + t : t * A.batch + b) * A.units;
}

static void cfc_forward(const Gemm& gemm, const CfcArgs& A) {
  const int64_t B = A.batch, N = A.units, H = A.hidden, KN = A.heads * N;
  std::vector<float> y(B * KN);
  for (int64_t t = 0; t < A.steps; ++t) {
    float* a = A.acts + t * B * H;
    std::memcpy(a, A.z_in + t * B * H, sizeof(float) * B * H);
    const float* prev = t > 0 ? A.states + (t - 1) * B * N : A.l0;
    gemm(false, true, B, H, N, prev, N, A.w_h, N, 1.0f, a, H);
    cfc_sigmoid_inplace(a, B * H);
    for (int64_t b = 0; b < B; ++b) std::memcpy(y.data() + b * KN, A.b_y, sizeof(float) * KN);
    gemm(false, true, B, KN, H, a, H, A.w_y, H, 1.0f, y.data(), KN);
    for (int64_t b = 0; b < B; ++b) {
      const float* yr = y.data() + b * KN;
      float* hr = A.heads_out + (t * B + b) * 3 * N;
      float* lr = A.states + (t * B + b) * N;
      float* outr = A.out + cfc_out_row(A, t, b);
      float* tar = A.t_a != nullptr ? A.t_a + (t * B + b) * N : nullptr;
      const vf span = splat(A.spans != nullptr ? A.spans[t * B + b] : 0.0f);
      for (int64_t i = 0; i < N; i += W) {
        const int64_t n = N - i;
        const vf f1 = cfc_sigmoid(cfc_load(yr + i, n));
        const vf f2 = cfc_sigmoid(cfc_load(yr + N + i, n));
        vf u = cfc_load(yr + 2 * N + i, n);
        if (A.heads == 4) {
          cfc_store(tar + i, u, n);
          u = u * span + cfc_load(yr + 3 * N + i, n);
        }
        const vf ti = cfc_sigmoid(u);
        cfc_store(hr + i, f1, n);
        cfc_store(hr + N + i, f2, n);
        cfc_store(hr + 2 * N + i, ti, n);
        const vf l = A.no_gate ? f1 + ti * (f2 - 0.5f) : f1 + ti * (f2 - f1);
        cfc_store(lr + i, l, n);
        cfc_store(outr + i, l * 2.0f - 1.0f, n);
      }
    }
  }
}

// Back-propagation through time.  d l / d(head pre-activations) is formed per step and
// kept for a chunk of steps, whose weight and bias gradients are then one matrix product
// each (instead of one per step, and without a (T, B, K N) buffer).
// dl = d out / d l * grad of the output at step t = 2 grad[t], as (B, N).
static void cfc_gather_grad(const CfcArgs& A, int64_t t, float* dl) {
  const int64_t N = A.units;
  for (int64_t b = 0; b < A.batch; ++b) {
    const float* g = A.grad + cfc_out_row(A, t, b);
    for (int64_t i = 0; i < N; i += W) {
      cfc_store(dl + b * N + i, cfc_load(g + i, N - i) * 2.0f, N - i);
    }
  }
}

static void cfc_backward(const Gemm& gemm, const CfcArgs& A) {
  const int64_t T = A.steps, B = A.batch, N = A.units, H = A.hidden, K = A.heads;
  const int64_t KN = K * N;
  const int64_t chunk = std::max<int64_t>(1, std::min<int64_t>(T, (1023 + B) / B));
  std::vector<float> dl(B * N), dy(chunk * B * KN), da(B * H), ones(chunk * B, 1.0f);
  cfc_gather_grad(A, T - 1, dl.data());
  bool first_chunk = true;
  int64_t hi = T, lo = std::max<int64_t>(0, T - chunk);
  for (int64_t t = T - 1; t >= 0; --t) {
    float* d = dy.data() + (t - lo) * B * KN;
    for (int64_t b = 0; b < B; ++b) {
      const float* hr = A.heads_out + (t * B + b) * 3 * N;
      const float* g = dl.data() + b * N;
      float* dr = d + b * KN;
      const float span = A.spans != nullptr ? A.spans[t * B + b] : 0.0f;
      const float* tar = A.t_a != nullptr ? A.t_a + (t * B + b) * N : nullptr;
      vf dspan = splat(0.0f);
      for (int64_t i = 0; i < N; i += W) {
        const int64_t n = N - i;
        const vf gi = cfc_load(g + i, n);
        const vf f1 = cfc_load(hr + i, n), f2 = cfc_load(hr + N + i, n);
        const vf ti = cfc_load(hr + 2 * N + i, n);
        // d l / d(ff1, ff2, ti), then sigmoid_backward: grad * (1 - s) * s.
        const vf c1 = A.no_gate ? splat(1.0f) : 1.0f - ti;
        const vf c3 = A.no_gate ? f2 - 0.5f : f2 - f1;
        cfc_store(dr + i, gi * c1 * (1.0f - f1) * f1, n);
        cfc_store(dr + N + i, gi * ti * (1.0f - f2) * f2, n);
        const vf du = gi * c3 * (1.0f - ti) * ti;
        if (K == 4) {
          cfc_store(dr + 2 * N + i, du * span, n);
          cfc_store(dr + 3 * N + i, du, n);
          dspan += du * cfc_load(tar + i, n);  // zero lanes past N: t_a loads as 0
        } else {
          cfc_store(dr + 2 * N + i, du, n);
        }
      }
      if (A.d_spans != nullptr) {
        float s = 0.0f;
        for (int q = 0; q < W; ++q) s += dspan[q];
        A.d_spans[t * B + b] = s;
      }
    }
    const float* a = A.acts + t * B * H;
    float* dp = A.d_pre + t * B * H;
    gemm(false, false, B, H, KN, d, KN, A.w_y, H, 0.0f, da.data(), H);
    for (int64_t i = 0; i < B * H; i += W) {
      const int64_t n = B * H - i;
      const vf s = cfc_load(a + i, n);
      cfc_store(dp + i, cfc_load(da.data() + i, n) * (1.0f - s) * s, n);
    }
    if (t > 0) {
      cfc_gather_grad(A, t - 1, dl.data());
      gemm(false, false, B, N, H, dp, H, A.w_h, N, 1.0f, dl.data(), N);
    } else {
      gemm(false, false, B, N, H, dp, H, A.w_h, N, 0.0f, A.d_l0, N);
    }
    if (t == lo) {  // chunk [lo, hi) complete: its share of d w_y and d b_y
      const int64_t rows = (hi - lo) * B;
      const float beta = first_chunk ? 0.0f : 1.0f;
      gemm(true, false, KN, H, rows, dy.data(), KN, A.acts + lo * B * H, H, beta, A.d_w_y, H);
      gemm(false, false, 1, KN, rows, ones.data(), rows, dy.data(), KN, beta, A.d_b_y, KN);
      first_chunk = false;
      hi = lo;
      lo = std::max<int64_t>(0, hi - chunk);
    }
  }
  // d w_h = sum_t d_pre[t]^T l[t - 1], with l[-1] = l0.
  gemm(true, false, H, N, B, A.d_pre, H, A.l0, N, 0.0f, A.d_w_h, N);
  if (T > 1) {
    gemm(true, false, H, N, (T - 1) * B, A.d_pre + B * H, H, A.states, N, 1.0f, A.d_w_h, N);
  }
}

// NOLINTEND
