// Body of the native LTC kernels for one instruction set.
//
// ltc_native.cpp includes this file once per instruction set, inside a namespace that
// defines
//   constexpr int W;   // lanes per vector
//   vf                 // W floats   (GCC vector extension)
//   vu                 // W uint32s
//   LNN_ISA            // 0 generic, 1 AVX2+FMA, 2 AVX-512 (for intrinsics)
// and under `#pragma GCC target(...)` for that instruction set; all std headers are
// included before.  Vectors run over samples (the batch, padded to a multiple of 16 by
// the caller), so every loop over samples is a whole number of vectors.
//
// Notation (ncps 1.0.1, LTCCell._ode_solver; Hasani et al. 2021, "Liquid time-constant
// networks", fused semi-implicit Euler solver): for post-synaptic unit j, pre-synaptic
// unit i and sample b,
//   s_ji  = sigmoid(sig_ji * (v_i - mu_ji))                     synapse activation
//   num_j = c_num_j + sum_i we_ji * s_ji,   we = softplus(w) * mask * erev
//   den_j = c_den_j + sum_i  w_ji * s_ji,    w = softplus(w) * mask
//   v'_j  = (num_j + cm_j * v_j) / den_j                        one unfold
// where c_num = gleak * vleak + sensory numerator and c_den = cm_t + gleak + epsilon +
// sensory denominator hold everything that does not depend on the state, and cm_t =
// cm / (elapsed_time / unfolds).  One time step is `unfolds` such iterations.

// NOLINTBEGIN (this file is a fragment, see above)

static inline vf load(const float* p) {
  vf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

static inline void store(float* p, vf v) { std::memcpy(p, &v, sizeof v); }

static inline vf splat(float x) { return x - vf{}; }  // x - 0 = x exactly: a broadcast

// min(hi, y) and max(lo, y) that return y when y is NaN (x86 min/max semantics).
static inline vf clamp(vf y, vf lo, vf hi) {
#if LNN_ISA == 2
  return (vf)_mm512_max_ps((__m512)lo, _mm512_min_ps((__m512)hi, (__m512)y));
#elif LNN_ISA == 1
  return (vf)_mm256_max_ps((__m256)lo, _mm256_min_ps((__m256)hi, (__m256)y));
#else
  // Bitwise selects (a vector ?: can be lowered lane by lane on baseline targets).
  const vu above = (vu)(hi < y), below = (vu)(lo > y);
  y = (vf)(((vu)hi & above) | ((vu)y & ~above));
  return (vf)(((vu)lo & below) | ((vu)y & ~below));
#endif
}

// 2^y to about 2 ulp.  y is clamped to [-126, 126] (NaN propagates: a comparison with NaN
// is false), split as y = n + f with n = round(y), |f| <= 1/2; 2^f is a degree-6 minimax
// polynomial (relative error 2e-9 in exact arithmetic) and 2^n goes into the exponent.
static inline vf exp2_approx(vf y) {
  y = clamp(y, splat(-126.0f), splat(126.0f));
#if LNN_ISA == 2
  const vf n = (vf)_mm512_roundscale_ps((__m512)y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const vf f = y - n;
#else
  const vf shifter = splat(12582912.0f);  // 1.5 * 2^23: t = y + shifter rounds y to n,
  const vf t = y + shifter;               // which then sits in the low bits of t
  const vf f = y - (t - shifter);
#endif
#if LNN_ISA == 0
  // Estrin's scheme: shorter dependency chains where there is no FMA.
  const vf f2 = f * f;
  const vf hi4 = (f2 * 1.535612537e-4f + (f * 1.339881564e-3f + 9.618427604e-3f)) * (f2 * f2);
  const vf lo4 = f2 * (f * 5.550332740e-2f + 2.402264774e-1f) + (f * 6.931471825e-1f + 1.0f);
  const vf p = lo4 + hi4;
#else
  vf p = splat(1.535612537e-4f);  // Horner's scheme
  p = p * f + 1.339881564e-3f;
  p = p * f + 9.618427604e-3f;
  p = p * f + 5.550332740e-2f;
  p = p * f + 2.402264774e-1f;
  p = p * f + 6.931471825e-1f;
  p = p * f + 1.0f;
#endif
#if LNN_ISA == 2
  return (vf)_mm512_scalef_ps((__m512)p, (__m512)n);
#else
  return (vf)((vu)p + ((vu)t << 23));
#endif
}

// sigmoid(z) = 1 / (1 + exp(-z)) = 1 / (1 + 2^y) for y = -z log2(e).
static inline vf sigmoid_of(vf y) { return 1.0f / (1.0f + exp2_approx(y)); }

// Synapse sums of post-synaptic unit j for MB vectors of samples from column m, over the
// active synapses (pre-synaptic unit i) of j, with `pre` (n_pre, stride):
//   num[q] = sum_i we_ji s_ji,  den[q] = sum_i w_ji s_ji.
template <int MB>
static inline void synapse_sums(const Synapses& syn, const float* pre, int64_t stride,
                                int64_t j, int64_t m, vf* num, vf* den) {
  for (int q = 0; q < MB; ++q) num[q] = den[q] = splat(0.0f);
  const float* par = syn.param.data() + kParams * j * syn.n_pre;
  const int32_t* ids = syn.pre.data() + j * syn.n_pre;
  const int32_t count = syn.count[j];
  for (int32_t a = 0; a < count; ++a, par += kParams) {
    const vf mu = splat(par[0]), sig2 = splat(par[1]), we = splat(par[2]), w = splat(par[3]);
    const float* x = pre + ids[a] * stride + m;
    for (int q = 0; q < MB; ++q) {
      // z = sig * (v - mu) as in LTCCell._sigmoid; y = -z log2(e) = (mu - v) sig2.
      const vf s = sigmoid_of((mu - load(x + q * W)) * sig2);
      num[q] = num[q] + we * s;
      den[q] = den[q] + w * s;
    }
  }
}

constexpr int kBlock = 2;  // sample vectors per inner iteration of the synapse sums

// Calls fn(m, num, den, blocks) with the synapse sums of post unit j for all `columns`,
// computed kBlock vectors at a time, then one at a time.
template <class Fn>
static inline void for_each_block(const Synapses& syn, const float* pre, int64_t stride,
                                  int64_t j, int64_t columns, Fn&& fn) {
  int64_t m = 0;
  for (; m + kBlock * W <= columns; m += kBlock * W) {
    vf num[kBlock], den[kBlock];
    synapse_sums<kBlock>(syn, pre, stride, j, m, num, den);
    fn(m, num, den, kBlock);
  }
  for (; m < columns; m += W) {
    vf num[1], den[1];
    synapse_sums<1>(syn, pre, stride, j, m, num, den);
    fn(m, num, den, 1);
  }
}

// Backward pass of the synapse sums for the active synapse `a` (pre unit i) of post unit
// j, over `columns` samples, recomputing the activations: given dnum, dden (the gradients
// of num_j and den_j), add
//   sig_ji dz_ji to dpre_i,   dz = (we_ji dnum + w_ji dden) s (1 - s)   (dL/dz)
// and accumulate, per lane, sum dz, sum dz (mu - v), sum dnum s and sum dden s into acc:
// d mu_ji = -sig_ji sum dz, d sig_ji = -sum dz (mu - v), d we_ji, d w_ji.
static inline void synapse_backward(const Synapses& syn, const float* pre, int64_t stride,
                                    int64_t j, int32_t a, int64_t columns,
                                    const float* dnum, const float* dden, float* dpre,
                                    float* acc) {
  const float* par = syn.param.data() + kParams * (j * syn.n_pre + a);
  const int64_t i = syn.pre[j * syn.n_pre + a];
  const vf mu = splat(par[0]), sig2 = splat(par[1]), we = splat(par[2]), w = splat(par[3]);
  const vf sig = splat(par[4]);
  const float* x = pre + i * stride;
  float* dx = dpre + i * stride;
  vf a0 = splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
  for (int64_t m = 0; m < columns; m += W) {
    const vf d = mu - load(x + m);
    const vf s = sigmoid_of(d * sig2);
    const vf dn = load(dnum + m), dd = load(dden + m);
    const vf dz = (we * dn + w * dd) * (s - s * s);  // sigmoid_backward: ds s (1 - s)
    store(dx + m, load(dx + m) + sig * dz);
    a0 = a0 + dz;
    a1 = a1 + dz * d;
    a2 = a2 + dn * s;
    a3 = a3 + dd * s;
  }
  store(acc, load(acc) + a0);
  store(acc + W, load(acc + W) + a1);
  store(acc + 2 * W, load(acc + 2 * W) + a2);
  store(acc + 3 * W, load(acc + 3 * W) + a3);
}

static inline double lane_sum(const float* v) {
  double total = 0.0;
  for (int l = 0; l < W; ++l) total += v[l];
  return total;
}

// Parameter gradients from the per-synapse lane accumulators (4 vectors per synapse).
static void finish_param_grads(const Synapses& syn, const float* acc, float* dmu, float* dsig,
                               float* dwe, float* dw) {
  const int64_t size = syn.n_post * syn.n_pre;
  std::memset(dmu, 0, sizeof(float) * size);
  std::memset(dsig, 0, sizeof(float) * size);
  std::memset(dwe, 0, sizeof(float) * size);
  std::memset(dw, 0, sizeof(float) * size);
  for (int64_t j = 0; j < syn.n_post; ++j) {
    for (int32_t a = 0; a < syn.count[j]; ++a) {
      const int64_t slot = j * syn.n_pre + a;
      const int64_t at = j * syn.n_pre + syn.pre[slot];
      const float* g = acc + 4 * W * slot;
      dmu[at] = static_cast<float>(-syn.param[kParams * slot + 4] * lane_sum(g));
      dsig[at] = static_cast<float>(-lane_sum(g + W));
      dwe[at] = static_cast<float>(lane_sum(g + 2 * W));
      dw[at] = static_cast<float>(lane_sum(g + 3 * W));
    }
  }
}

// All synapse sums of (n_pre, columns) inputs into out (n_post, 2, columns).
static void sums_forward(const Synapses& syn, const float* pre, int64_t columns, float* out) {
  for (int64_t j = 0; j < syn.n_post; ++j) {
    float* num_out = out + 2 * j * columns;
    float* den_out = num_out + columns;
    for_each_block(syn, pre, columns, j, columns,
                   [&](int64_t m, const vf* num, const vf* den, int blocks) {
                     for (int q = 0; q < blocks; ++q) {
                       store(num_out + m + q * W, num[q]);
                       store(den_out + m + q * W, den[q]);
                     }
                   });
  }
}

// Backward pass of sums_forward: grad (n_post, 2, columns) -> dpre (n_pre, columns) and
// the parameter gradients.
static void sums_backward(const Synapses& syn, const float* pre, int64_t columns,
                          const float* grad, float* dpre, float* dmu, float* dsig, float* dwe,
                          float* dw) {
  std::memset(dpre, 0, sizeof(float) * syn.n_pre * columns);
  std::vector<float> acc(4 * W * syn.n_post * syn.n_pre, 0.0f);
  for (int64_t j = 0; j < syn.n_post; ++j) {
    const float* dnum = grad + 2 * j * columns;
    for (int32_t a = 0; a < syn.count[j]; ++a) {
      synapse_backward(syn, pre, columns, j, a, columns, dnum, dnum + columns, dpre,
                       acc.data() + 4 * W * (j * syn.n_pre + a));
    }
  }
  finish_param_grads(syn, acc.data(), dmu, dsig, dwe, dw);
}

// The fused solver over all steps (see ltc_native.cpp for the arguments).  Per step t
// and unfold, for every unit j:  v'_j = (c_num + num_j + cm_t v_j) / (c_den + den_j).
static void solver_forward(const Synapses& syn, const SolverArgs& A) {
  const int64_t n = syn.n_post, bp = A.batch, plane = n * bp;
  std::vector<float> ping, pong;
  if (A.chain == nullptr) {
    ping.resize(plane);
    pong.resize(plane);
  }
  float* first = A.chain != nullptr ? A.chain : ping.data();
  std::memcpy(first, A.v0, sizeof(float) * plane);
  const float* vin = first;
  for (int64_t t = 0; t < A.steps; ++t) {
    const float* cst = A.constants + 2 * t * plane;
    for (int64_t u = 0; u < A.unfolds; ++u) {
      const int64_t k = t * A.unfolds + u;
      float* vout = A.chain != nullptr ? A.chain + (k + 1) * plane
                                       : (vin == ping.data() ? pong.data() : ping.data());
      float* inv = A.inv_den != nullptr ? A.inv_den + k * plane : nullptr;
      for (int64_t j = 0; j < n; ++j) {
        const float* c_num = cst + 2 * j * bp;
        const float* c_den = c_num + bp;
        const float* cm_row = A.cm_per_sample ? A.cm + t * plane + j * bp : nullptr;
        const vf cm_unit = splat(A.cm_per_sample ? 0.0f : A.cm[j]);
        for_each_block(syn, vin, bp, j, bp,
                       [&](int64_t m, const vf* num, const vf* den, int blocks) {
                         for (int q = 0; q < blocks; ++q) {
                           const int64_t c = j * bp + m + q * W;
                           const vf cm = cm_row != nullptr ? load(cm_row + m + q * W) : cm_unit;
                           // v' = (cm_t v + gleak vleak + w_num)
                           //      / (cm_t + gleak + w_den + epsilon)
                           const vf total_den = load(c_den + m + q * W) + den[q];
                           const vf total_num = load(c_num + m + q * W) + num[q];
                           store(vout + c, (total_num + cm * load(vin + c)) / total_den);
                           if (inv != nullptr) store(inv + c, 1.0f / total_den);
                         }
                       });
      }
      vin = vout;
    }
    std::memcpy(A.out + t * plane, vin, sizeof(float) * plane);
  }
}

// Backward pass of the fused solver, walking steps and unfolds in reverse.  Per unfold,
// with g = dL/dv' and 1/den saved by the forward pass:
//   dnum = g / den,  dden = -dnum v',  dc_num += dnum,  dc_den += dden,  dcm_t += dnum v,
//   dv_j = dnum cm_t + sum_j' sig_j'j dz_j'j  (synapse_backward, recomputing s).
static void solver_backward(const Synapses& syn, const SolverArgs& A) {
  const int64_t n = syn.n_post, bp = A.batch, plane = n * bp;
  std::vector<float> g(plane, 0.0f), g_next(plane), dnum(plane), dden(plane);
  std::vector<float> acc(4 * W * n * syn.n_pre, 0.0f);
  std::memset(A.grad_constants, 0, sizeof(float) * 2 * A.steps * plane);
  std::memset(A.grad_cm, 0, sizeof(float) * (A.cm_per_sample ? A.steps : 1) * plane);
  for (int64_t t = A.steps - 1; t >= 0; --t) {
    const float* go = A.grad_out + t * plane;
    for (int64_t e = 0; e < plane; ++e) g[e] += go[e];
    float* dcst = A.grad_constants + 2 * t * plane;
    float* dcm = A.grad_cm + (A.cm_per_sample ? t * plane : 0);
    for (int64_t u = A.unfolds - 1; u >= 0; --u) {
      const int64_t k = t * A.unfolds + u;
      const float* vin = A.chain + k * plane;
      const float* vout = vin + plane;
      const float* inv = A.inv_den + k * plane;
      for (int64_t j = 0; j < n; ++j) {
        const float* cm_row = A.cm_per_sample ? A.cm + t * plane + j * bp : nullptr;
        const vf cm_unit = splat(A.cm_per_sample ? 0.0f : A.cm[j]);
        for (int64_t m = 0; m < bp; m += W) {
          const int64_t at = j * bp + m;
          const vf dn = load(g.data() + at) * load(inv + at);
          const vf dd = -(dn * load(vout + at));
          store(dnum.data() + at, dn);
          store(dden.data() + at, dd);
          store(dcst + 2 * j * bp + m, load(dcst + 2 * j * bp + m) + dn);
          store(dcst + (2 * j + 1) * bp + m, load(dcst + (2 * j + 1) * bp + m) + dd);
          store(dcm + at, load(dcm + at) + dn * load(vin + at));
          const vf cm = cm_row != nullptr ? load(cm_row + m) : cm_unit;
          store(g_next.data() + at, dn * cm);
        }
      }
      for (int64_t j = 0; j < n; ++j) {
        for (int32_t a = 0; a < syn.count[j]; ++a) {
          synapse_backward(syn, vin, bp, j, a, bp, dnum.data() + j * bp, dden.data() + j * bp,
                           g_next.data(), acc.data() + 4 * W * (j * syn.n_pre + a));
        }
      }
      g.swap(g_next);
    }
  }
  std::memcpy(A.grad_v0, g.data(), sizeof(float) * plane);
  finish_param_grads(syn, acc.data(), A.grad_mu, A.grad_sig, A.grad_we, A.grad_w);
}

// NOLINTEND
