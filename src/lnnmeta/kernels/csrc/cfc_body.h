// Body of the native CfC sequence kernels for one instruction set.
//
// Included by ltc_native.cpp right after ltc_body.h, inside the same per-ISA namespace
// (W, vf, vu, load, store, splat, sigmoid_of, exp2_approx come from there).  Matrix
// products go to the BLAS sgemm that torch itself uses (its address is passed in: see
// Gemm in ltc_native.cpp); everything element-wise is fused here, one pass per step.
//
// The cell is ncps 1.0.1's CfCCell with its tanh-like activations rewritten as sigmoids
// and the affine parts folded into the weights (lnnmeta/kernels/cfc.py), with states in
// the folded form l (h = 2 l - 1; "pure" mode: h = l).  Shapes: T steps, B samples,
// N units, H backbone units, K head blocks (3: ff1, ff2 and the time gate with a
// constant span folded in; 4: ff1, ff2, time_a, time_b with per-step spans; 1: ff1 of
// "pure" mode).  Per step t (row-major (B, .) matrices), the head pre-activations are
//   a   = sigmoid(z_in[t] + l @ w_h^T)                        (B, H)   with a backbone
//   y   = b_y + a @ w_y^T                                     (B, K N)
// or, without a backbone (the layers of a wired CfC; w_y null, H = K N),
//   y   = z_in[t] + l @ w_h^T                                 (B, K N)
// and the new state is
//   ff1 = sigmoid(y_0), ff2 = sigmoid(y_1)
//   ti  = sigmoid(y_2)                 (K = 3)
//   ti  = sigmoid(y_2 * span + y_3)    (K = 4; y_2 is t_a, kept for the span gradient)
//   l   = ff1 + ti (ff2 - ff1)         ("default"), ff1 + ti (ff2 - 1/2) ("no_gate")
//   l   = A - A e y,  e = exp(-span (|w_tau| + |y|))          ("pure", K = 1)
//   out = 2 l - 1 ("pure": l)          (the real state, in the caller's layout)
// With mixed memory, ncps' LSTMCell runs first, fed the previous state, and its output
// hm takes the place of l in the first product:
//   z   = zl_in[t] + l @ w_rec^T                              (B, 4 N)
//   c   = c sigmoid(z_2) + tanh(z_0) sigmoid(z_1),  hm = tanh(c) sigmoid(z_3)
// (ncps' +1 on the forget gate is in zl_in, and w_rec acts on the stored form l).

// NOLINTBEGIN (this file is a fragment, see above)

// Load / store the first min(n, W) floats at p (lanes past n load as zero): masked
// instructions where the instruction set has them (rows of fewer than W units, e.g. the
// small layers of a wired CfC, are then no slower than full ones), else memcpy.
#if LNN_ISA == 1
static inline __m256i cfc_mask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#endif

static inline vf cfc_load(const float* p, int64_t n) {
  if (n >= W) return load(p);
#if LNN_ISA == 2
  return (vf)_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1u), p);
#elif LNN_ISA == 1
  return (vf)_mm256_maskload_ps(p, cfc_mask(n));
#else
  vf v{};
  std::memcpy(&v, p, sizeof(float) * n);
  return v;
#endif
}

static inline void cfc_store(float* p, vf v, int64_t n) {
  if (n >= W) {
    store(p, v);
    return;
  }
#if LNN_ISA == 2
  _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1u), (__m512)v);
#elif LNN_ISA == 1
  _mm256_maskstore_ps(p, cfc_mask(n), (__m256)v);
#else
  std::memcpy(p, &v, sizeof(float) * n);
#endif
}

static inline vf cfc_sigmoid(vf x) { return sigmoid_of(x * -1.44269504088896341f); }

static inline vf cfc_abs(vf x) { return (vf)((vu)x & 0x7fffffffu); }

static inline vf cfc_tanh(vf x) { return cfc_sigmoid(x * 2.0f) * 2.0f - 1.0f; }

static void cfc_sigmoid_inplace(float* p, int64_t n) {
  for (int64_t i = 0; i < n; i += W) cfc_store(p + i, cfc_sigmoid(cfc_load(p + i, n - i)), n - i);
}

// Row (t, b) of the (T, B, N) or, if out_batch_first, (B, T, N) output sequence.
static inline int64_t cfc_out_row(const CfcArgs& A, int64_t t, int64_t b) {
  return (A.out_batch_first ? b * A.steps + t : t * A.batch + b) * A.units;
}

static inline float cfc_span(const CfcArgs& A, int64_t t, int64_t b) {
  return A.spans != nullptr ? A.spans[t * A.batch + b] : 0.0f;
}

// New state of step t from the head pre-activations y (B, K N): writes states[t], out
// and what the backward pass needs (heads_out: ff1, ff2, ti; "pure": y and e; t_a).
static void cfc_gates_forward(const CfcArgs& A, int64_t t, const float* y) {
  const int64_t B = A.batch, N = A.units, KN = A.heads * N;
  if (A.gemm_only) {  // zeros: what the next product reads must be finite
    std::memset(A.states + t * B * N, 0, sizeof(float) * B * N);
    return;
  }
  for (int64_t b = 0; b < B; ++b) {
    const float* yr = y + b * KN;
    float* hr = A.heads_out + (t * B + b) * 3 * N;
    float* lr = A.states + (t * B + b) * N;
    float* outr = A.out + cfc_out_row(A, t, b);
    const vf span = splat(cfc_span(A, t, b));
    if (A.mode == 2) {
      for (int64_t i = 0; i < N; i += W) {
        const int64_t n = N - i;
        const vf yv = cfc_load(yr + i, n), a = cfc_load(A.pure_a + i, n);
        const vf z = span * (cfc_load(A.pure_w + i, n) + cfc_abs(yv));
        const vf e = exp2_approx(z * -1.44269504088896341f);
        const vf l = a - a * e * yv;
        cfc_store(hr + i, yv, n);
        cfc_store(hr + N + i, e, n);
        cfc_store(lr + i, l, n);
        cfc_store(outr + i, l, n);
      }
      continue;
    }
    float* tar = A.t_a != nullptr ? A.t_a + (t * B + b) * N : nullptr;
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
      const vf l = A.mode == 1 ? f1 + ti * (f2 - 0.5f) : f1 + ti * (f2 - f1);
      cfc_store(lr + i, l, n);
      cfc_store(outr + i, l * 2.0f - 1.0f, n);
    }
  }
}

// The LSTM memory of step t, fed the previous folded state lprev; z is a (B, 4 N)
// scratch buffer.  Writes gates[t], cells[t], tcells[t], hm[t] and returns hm[t].
static const float* cfc_lstm_forward(const Gemm& gemm, const CfcArgs& A, int64_t t,
                                     const float* lprev, float* z) {
  const int64_t B = A.batch, N = A.units, N4 = 4 * N;
  std::memcpy(z, A.zl_in + t * B * N4, sizeof(float) * B * N4);
  gemm(false, true, B, N4, N, lprev, N, A.w_rec, N, 1.0f, z, N4);
  const float* cprev = t > 0 ? A.cells + (t - 1) * B * N : A.c0;
  if (A.gemm_only) std::memset(A.hm + t * B * N, 0, sizeof(float) * B * N);
  for (int64_t b = 0; b < (A.gemm_only ? 0 : B); ++b) {
    const float* zr = z + b * N4;
    float* gr = A.gates + (t * B + b) * N4;
    const int64_t row = (t * B + b) * N;
    for (int64_t i = 0; i < N; i += W) {
      const int64_t n = N - i;
      const vf gi = cfc_tanh(cfc_load(zr + i, n));
      const vf ig = cfc_sigmoid(cfc_load(zr + N + i, n));
      const vf fg = cfc_sigmoid(cfc_load(zr + 2 * N + i, n));
      const vf og = cfc_sigmoid(cfc_load(zr + 3 * N + i, n));
      const vf c = cfc_load(cprev + b * N + i, n) * fg + gi * ig;
      const vf tc = cfc_tanh(c);
      cfc_store(gr + i, gi, n);
      cfc_store(gr + N + i, ig, n);
      cfc_store(gr + 2 * N + i, fg, n);
      cfc_store(gr + 3 * N + i, og, n);
      cfc_store(A.cells + row + i, c, n);
      cfc_store(A.tcells + row + i, tc, n);
      cfc_store(A.hm + row + i, tc * og, n);
    }
  }
  return A.hm + t * B * N;
}

static void cfc_forward(const Gemm& gemm, const CfcArgs& A) {
  const int64_t B = A.batch, N = A.units, H = A.hidden, KN = A.heads * N;
  std::vector<float> y(B * KN), zl(A.w_rec != nullptr ? B * 4 * N : 0);
  for (int64_t t = 0; t < A.steps; ++t) {
    const float* prev = t > 0 ? A.states + (t - 1) * B * N : A.l0;
    if (A.w_rec != nullptr) prev = cfc_lstm_forward(gemm, A, t, prev, zl.data());
    if (A.w_y == nullptr) {  // no backbone: H = K N
      std::memcpy(y.data(), A.z_in + t * B * KN, sizeof(float) * B * KN);
      gemm(false, true, B, KN, N, prev, N, A.w_h, N, 1.0f, y.data(), KN);
    } else {
      float* a = A.acts + t * B * H;
      std::memcpy(a, A.z_in + t * B * H, sizeof(float) * B * H);
      gemm(false, true, B, H, N, prev, N, A.w_h, N, 1.0f, a, H);
      if (!A.gemm_only) cfc_sigmoid_inplace(a, B * H);
      for (int64_t b = 0; b < B; ++b) std::memcpy(y.data() + b * KN, A.b_y, sizeof(float) * KN);
      gemm(false, true, B, KN, H, a, H, A.w_y, H, 1.0f, y.data(), KN);
    }
    cfc_gates_forward(A, t, y.data());
  }
}

// dl = d out / d l * grad of the output at step t (2 grad[t]; "pure": grad[t]), (B, N).
static void cfc_gather_grad(const CfcArgs& A, int64_t t, float* dl) {
  if (A.gemm_only) return;
  const int64_t N = A.units;
  const float scale = A.mode == 2 ? 1.0f : 2.0f;
  for (int64_t b = 0; b < A.batch; ++b) {
    const float* g = A.grad + cfc_out_row(A, t, b);
    for (int64_t i = 0; i < N; i += W) {
      cfc_store(dl + b * N + i, cfc_load(g + i, N - i) * scale, N - i);
    }
  }
}

// d = d l / d y (B, K N) of step t given dl (B, N); writes d_spans[t] and, in "pure"
// mode, adds the step's share of the |w_tau| and A gradients to acc_w and acc_a.
static void cfc_gates_backward(const CfcArgs& A, int64_t t, const float* dl, float* d,
                               float* acc_w, float* acc_a) {
  const int64_t B = A.batch, N = A.units, K = A.heads, KN = K * N;
  if (A.gemm_only) {
    std::memset(d, 0, sizeof(float) * B * KN);
    return;
  }
  for (int64_t b = 0; b < B; ++b) {
    const float* hr = A.heads_out + (t * B + b) * 3 * N;
    const float* g = dl + b * N;
    float* dr = d + b * KN;
    const float span_s = cfc_span(A, t, b);
    const vf span = splat(span_s);
    const float* tar = A.t_a != nullptr ? A.t_a + (t * B + b) * N : nullptr;
    vf dspan = splat(0.0f);
    for (int64_t i = 0; i < N; i += W) {
      const int64_t n = N - i;
      const vf gi = cfc_load(g + i, n);
      if (A.mode == 2) {
        // l = a - a e y: d y = -a e (1 - span |y|), d|w_tau| = a y e span,
        // d a = 1 - e y, d span = a y e (|w_tau| + |y|).
        const vf yv = cfc_load(hr + i, n), e = cfc_load(hr + N + i, n);
        const vf a = cfc_load(A.pure_a + i, n), ay = cfc_abs(yv);
        const vf aye = a * yv * e * gi;
        cfc_store(dr + i, (ay * span - 1.0f) * a * e * gi, n);
        cfc_store(acc_w + i, cfc_load(acc_w + i, n) + aye * span, n);
        cfc_store(acc_a + i, cfc_load(acc_a + i, n) + (1.0f - e * yv) * gi, n);
        dspan += aye * (cfc_load(A.pure_w + i, n) + ay);  // zero lanes past N
        continue;
      }
      const vf f1 = cfc_load(hr + i, n), f2 = cfc_load(hr + N + i, n);
      const vf ti = cfc_load(hr + 2 * N + i, n);
      // d l / d(ff1, ff2, ti), then sigmoid_backward: grad * (1 - s) * s.
      const vf c1 = A.mode == 1 ? splat(1.0f) : 1.0f - ti;
      const vf c3 = A.mode == 1 ? f2 - 0.5f : f2 - f1;
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
}

// Backward pass of the LSTM memory of step t: given dhm, the gradient of hm[t], and dc,
// that of cells[t] from later steps, writes d_zl[t] and replaces dc by the gradient of
// the previous cell.
static void cfc_lstm_backward(const CfcArgs& A, int64_t t, const float* dhm, float* dc) {
  if (A.gemm_only) return;
  const int64_t B = A.batch, N = A.units, N4 = 4 * N;
  const float* cprev = t > 0 ? A.cells + (t - 1) * B * N : A.c0;
  for (int64_t b = 0; b < B; ++b) {
    const float* gr = A.gates + (t * B + b) * N4;
    float* dz = A.d_zl + (t * B + b) * N4;
    const int64_t row = (t * B + b) * N;
    for (int64_t i = 0; i < N; i += W) {
      const int64_t n = N - i;
      const vf gi = cfc_load(gr + i, n), ig = cfc_load(gr + N + i, n);
      const vf fg = cfc_load(gr + 2 * N + i, n), og = cfc_load(gr + 3 * N + i, n);
      const vf tc = cfc_load(A.tcells + row + i, n);
      const vf dh = cfc_load(dhm + b * N + i, n);
      const vf dct = cfc_load(dc + b * N + i, n) + dh * og * (1.0f - tc * tc);
      cfc_store(dz + i, dct * ig * (1.0f - gi * gi), n);
      cfc_store(dz + N + i, dct * gi * ig * (1.0f - ig), n);
      cfc_store(dz + 2 * N + i, dct * cfc_load(cprev + b * N + i, n) * fg * (1.0f - fg), n);
      cfc_store(dz + 3 * N + i, dh * tc * og * (1.0f - og), n);
      cfc_store(dc + b * N + i, dct * fg, n);
    }
  }
}

// Back-propagation through time.  With a backbone, d l / d(head pre-activations) is kept
// for a chunk of steps, whose weight and bias gradients are then one matrix product each
// (instead of one per step, and without a (T, B, K N) buffer); without one, it is the
// gradient of z_in itself.  d w_h is one product over all steps at the end.
static void cfc_backward(const Gemm& gemm, const CfcArgs& A) {
  const int64_t T = A.steps, B = A.batch, N = A.units, H = A.hidden, K = A.heads;
  const int64_t KN = K * N;
  const bool direct = A.w_y == nullptr;
  const int64_t chunk = std::max<int64_t>(1, std::min<int64_t>(T, (1023 + B) / B));
  std::vector<float> dl(B * N), dy(direct ? 0 : chunk * B * KN), da(direct ? 0 : B * H);
  std::vector<float> ones(chunk * B, 1.0f), acc_w(N, 0.0f), acc_a(N, 0.0f);
  const bool mixed = A.w_rec != nullptr;
  std::vector<float> dhm(mixed ? B * N : 0), dc(mixed ? B * N : 0, 0.0f);
  if (mixed && A.grad_c != nullptr) std::memcpy(dc.data(), A.grad_c, sizeof(float) * B * N);
  cfc_gather_grad(A, T - 1, dl.data());
  bool first_chunk = true;
  int64_t hi = T, lo = std::max<int64_t>(0, T - chunk);
  for (int64_t t = T - 1; t >= 0; --t) {
    float* d = direct ? A.d_pre + t * B * KN : dy.data() + (t - lo) * B * KN;
    cfc_gates_backward(A, t, dl.data(), d, acc_w.data(), acc_a.data());
    float* dp = d;
    if (!direct) {
      const float* a = A.acts + t * B * H;
      dp = A.d_pre + t * B * H;
      gemm(false, false, B, H, KN, d, KN, A.w_y, H, 0.0f, da.data(), H);
      if (A.gemm_only) std::memcpy(dp, da.data(), sizeof(float) * B * H);  // finite values
      for (int64_t i = 0; i < (A.gemm_only ? 0 : B * H); i += W) {
        const int64_t n = B * H - i;
        const vf s = cfc_load(a + i, n);
        cfc_store(dp + i, cfc_load(da.data() + i, n) * (1.0f - s) * s, n);
      }
    }
    if (mixed) {  // through hm[t] and the LSTM memory to l[t - 1]
      gemm(false, false, B, N, H, dp, H, A.w_h, N, 0.0f, dhm.data(), N);
      cfc_lstm_backward(A, t, dhm.data(), dc.data());
      const float* dz = A.d_zl + t * B * 4 * N;
      if (t > 0) {
        cfc_gather_grad(A, t - 1, dl.data());
        gemm(false, false, B, N, 4 * N, dz, 4 * N, A.w_rec, N, 1.0f, dl.data(), N);
      } else {
        gemm(false, false, B, N, 4 * N, dz, 4 * N, A.w_rec, N, 0.0f, A.d_l0, N);
        std::memcpy(A.d_c0, dc.data(), sizeof(float) * B * N);
      }
    } else if (t > 0) {
      cfc_gather_grad(A, t - 1, dl.data());
      gemm(false, false, B, N, H, dp, H, A.w_h, N, 1.0f, dl.data(), N);
    } else {
      gemm(false, false, B, N, H, dp, H, A.w_h, N, 0.0f, A.d_l0, N);
    }
    if (!direct && t == lo) {  // chunk [lo, hi) complete: its share of d w_y and d b_y
      const int64_t rows = (hi - lo) * B;
      const float beta = first_chunk ? 0.0f : 1.0f;
      gemm(true, false, KN, H, rows, dy.data(), KN, A.acts + lo * B * H, H, beta, A.d_w_y, H);
      gemm(false, false, 1, KN, rows, ones.data(), rows, dy.data(), KN, beta, A.d_b_y, KN);
      first_chunk = false;
      hi = lo;
      lo = std::max<int64_t>(0, hi - chunk);
    }
  }
  if (mixed) {
    // d w_h = sum_t d_pre[t]^T hm[t]; d w_rec = sum_t d_zl[t]^T l[t - 1], l[-1] = l0.
    gemm(true, false, H, N, T * B, A.d_pre, H, A.hm, N, 0.0f, A.d_w_h, N);
    gemm(true, false, 4 * N, N, B, A.d_zl, 4 * N, A.l0, N, 0.0f, A.d_w_rec, N);
    if (T > 1) {
      gemm(true, false, 4 * N, N, (T - 1) * B, A.d_zl + B * 4 * N, 4 * N, A.states, N, 1.0f,
           A.d_w_rec, N);
    }
  } else {
    // d w_h = sum_t d_pre[t]^T l[t - 1], with l[-1] = l0.
    gemm(true, false, H, N, B, A.d_pre, H, A.l0, N, 0.0f, A.d_w_h, N);
    if (T > 1) {
      gemm(true, false, H, N, (T - 1) * B, A.d_pre + B * H, H, A.states, N, 1.0f, A.d_w_h, N);
    }
  }
  if (A.mode == 2) {
    std::memcpy(A.d_pure_w, acc_w.data(), sizeof(float) * N);
    std::memcpy(A.d_pure_a, acc_a.data(), sizeof(float) * N);
  }
}

// NOLINTEND
