// NEON row kernels (aarch64, where Advanced SIMD is always present). Same arithmetic order as the
// scalar reference: separate multiply and add (vmulq + vaddq, never vfmaq), so results are identical.
#include <arm_neon.h>

#include "kernels.h"

namespace vidlite {
namespace {

const Kernels& S() { return ScalarKernels(); }

inline void Widen8(const uint8_t* p, int32x4_t* lo, int32x4_t* hi) {
  uint16x8_t w = vmovl_u8(vld1_u8(p));
  *lo = vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(w)));
  *hi = vreinterpretq_s32_u32(vmovl_u16(vget_high_u16(w)));
}

inline uint8x8_t Narrow8u(int32x4_t lo, int32x4_t hi) {
  return vqmovun_s16(vcombine_s16(vqmovn_s32(lo), vqmovn_s32(hi)));
}

void YuvToRgb(const uint8_t* y, const uint8_t* u, const uint8_t* v, uint8_t* r, uint8_t* g, uint8_t* b,
              int n, const YuvCoeffs& k) {
  const int32x4_t off = vdupq_n_s32(k.y_offset), rnd = vdupq_n_s32(1 << (kYuvShift - 1)),
                  c128 = vdupq_n_s32(128), zero = vdupq_n_s32(0);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    int32x4_t y4[2], u4[2], v4[2], r4[2], g4[2], b4[2];
    Widen8(y + i, &y4[0], &y4[1]);
    Widen8(u + i, &u4[0], &u4[1]);
    Widen8(v + i, &v4[0], &v4[1]);
    for (int h = 0; h < 2; ++h) {
      int32x4_t yy = vaddq_s32(vmulq_n_s32(vmaxq_s32(vsubq_s32(y4[h], off), zero), k.y), rnd);
      int32x4_t uu = vsubq_s32(u4[h], c128), vv = vsubq_s32(v4[h], c128);
      r4[h] = vshrq_n_s32(vaddq_s32(yy, vmulq_n_s32(vv, k.rv)), kYuvShift);
      g4[h] = vshrq_n_s32(vsubq_s32(vsubq_s32(yy, vmulq_n_s32(uu, k.gu)), vmulq_n_s32(vv, k.gv)), kYuvShift);
      b4[h] = vshrq_n_s32(vaddq_s32(yy, vmulq_n_s32(uu, k.bu)), kYuvShift);
    }
    vst1_u8(r + i, Narrow8u(r4[0], r4[1]));
    vst1_u8(g + i, Narrow8u(g4[0], g4[1]));
    vst1_u8(b + i, Narrow8u(b4[0], b4[1]));
  }
  if (i < n) S().yuv_to_rgb(y + i, u + i, v + i, r + i, g + i, b + i, n - i, k);
}

void RgbToGray(const uint8_t* r, const uint8_t* g, const uint8_t* b, uint8_t* gray, int n) {
  const int32x4_t rnd = vdupq_n_s32(1 << (kYuvShift - 1));
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    int32x4_t r4[2], g4[2], b4[2], o[2];
    Widen8(r + i, &r4[0], &r4[1]);
    Widen8(g + i, &g4[0], &g4[1]);
    Widen8(b + i, &b4[0], &b4[1]);
    for (int h = 0; h < 2; ++h) {
      int32x4_t acc = vaddq_s32(vmulq_n_s32(r4[h], kGrayR), rnd);
      acc = vaddq_s32(acc, vmulq_n_s32(g4[h], kGrayG));
      acc = vaddq_s32(acc, vmulq_n_s32(b4[h], kGrayB));
      o[h] = vshrq_n_s32(acc, kYuvShift);
    }
    vst1_u8(gray + i, Narrow8u(o[0], o[1]));
  }
  if (i < n) S().rgb_to_gray(r + i, g + i, b + i, gray + i, n - i);
}

void HorizontalPairs(const uint8_t* in, const float* w, int n, float* out) {
  int d = 0;
  for (; d + 8 <= n; d += 8) {
    const uint8x8x2_t p = vld2_u8(in + 2 * d);  // deinterleaves the two taps of 8 outputs
    const uint16x8_t e = vmovl_u8(p.val[0]), o = vmovl_u8(p.val[1]);
    for (int h = 0; h < 2; ++h) {
      const float32x4_t ev = vcvtq_f32_u32(vmovl_u16(h ? vget_high_u16(e) : vget_low_u16(e)));
      const float32x4_t ov = vcvtq_f32_u32(vmovl_u16(h ? vget_high_u16(o) : vget_low_u16(o)));
      vst1q_f32(out + d + 4 * h, vaddq_f32(vmulq_f32(vld1q_f32(w + d + 4 * h), ev),
                                           vmulq_f32(vld1q_f32(w + n + d + 4 * h), ov)));
    }
  }
  for (; d < n; ++d) {
    float acc = w[d] * in[2 * d];
    acc += w[n + d] * in[2 * d + 1];
    out[d] = acc;
  }
}

void Vertical(const float* const* rows, const float* w, int taps, int n, float* out) {
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    float32x4_t acc = vmulq_n_f32(vld1q_f32(rows[0] + i), w[0]);
    for (int t = 1; t < taps; ++t) acc = vaddq_f32(acc, vmulq_n_f32(vld1q_f32(rows[t] + i), w[t]));
    vst1q_f32(out + i, acc);
  }
  for (; i < n; ++i) {
    float acc = w[0] * rows[0][i];
    for (int t = 1; t < taps; ++t) acc += w[t] * rows[t][i];
    out[i] = acc;
  }
}

void StoreF32(const float* in, int n, float s, float b, float* out, int step) {
  if (step != 1) return S().store_f32(in, n, s, b, out, step);
  const float32x4_t vb = vdupq_n_f32(b);
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(out + i, vaddq_f32(vmulq_n_f32(vld1q_f32(in + i), s), vb));
  if (i < n) S().store_f32(in + i, n - i, s, b, out + i, 1);
}

void StoreF16(const float* in, int n, float s, float b, uint16_t* out, int step) {
  if (step != 1) return S().store_f16(in, n, s, b, out, step);
  const float32x4_t vb = vdupq_n_f32(b);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    float16x4_t h = vcvt_f16_f32(vaddq_f32(vmulq_n_f32(vld1q_f32(in + i), s), vb));  // FPCR: nearest even
    vst1_u16(out + i, vreinterpret_u16_f16(h));
  }
  if (i < n) S().store_f16(in + i, n - i, s, b, out + i, 1);
}

void StoreQ8(const float* in, int n, float s, float b, float qs, int zp, int lo, int hi, uint8_t* out,
             int step) {
  if (step != 1) return S().store_q8(in, n, s, b, qs, zp, lo, hi, out, step);
  const float32x4_t vb = vdupq_n_f32(b), vq = vdupq_n_f32(qs);
  const float32x4_t flo = vdupq_n_f32(static_cast<float>(lo - zp - 1)), fhi = vdupq_n_f32(static_cast<float>(hi - zp + 1));
  const int32x4_t vzp = vdupq_n_s32(zp), vlo = vdupq_n_s32(lo), vhi = vdupq_n_s32(hi);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    int32x4_t q[2];
    for (int h = 0; h < 2; ++h) {
      float32x4_t v = vdivq_f32(vaddq_f32(vmulq_n_f32(vld1q_f32(in + i + 4 * h), s), vb), vq);
      v = vminq_f32(vmaxq_f32(v, flo), fhi);
      q[h] = vminq_s32(vmaxq_s32(vaddq_s32(vcvtnq_s32_f32(v), vzp), vlo), vhi);
    }
    int16x8_t w = vcombine_s16(vqmovn_s32(q[0]), vqmovn_s32(q[1]));
    vst1_u8(out + i, lo < 0 ? vreinterpret_u8_s8(vqmovn_s16(w)) : vqmovun_s16(w));
  }
  if (i < n) S().store_q8(in + i, n - i, s, b, qs, zp, lo, hi, out + i, 1);
}

}  // namespace

const Kernels& NeonKernels() {
  // No gather instruction on NEON: gathers and the general horizontal filter are the scalar loops,
  // and there is no fused pair kernel (the driver then chains gather and filter).
  static const Kernels k = {"neon", ScalarKernels().gather_packed, nullptr, ScalarKernels().gather_yuv,
                            YuvToRgb, RgbToGray,
                            ScalarKernels().horizontal, HorizontalPairs, Vertical, StoreF32, StoreF16, StoreQ8};
  return k;
}

}  // namespace vidlite
