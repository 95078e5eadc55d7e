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

// R, G, B (unclamped) of 4 pixels, exactly as the scalar reference (integer arithmetic).
struct Rgb4 {
  int32x4_t c[3];
};
inline Rgb4 YuvToRgb4(int32x4_t y, int32x4_t u, int32x4_t v, const YuvCoeffs& k) {
  const int32x4_t c128 = vdupq_n_s32(128);
  const int32x4_t yy = vaddq_s32(vmulq_n_s32(vmaxq_s32(vsubq_s32(y, vdupq_n_s32(k.y_offset)), vdupq_n_s32(0)), k.y),
                                 vdupq_n_s32(1 << (kYuvShift - 1)));
  const int32x4_t uu = vsubq_s32(u, c128), vv = vsubq_s32(v, c128);
  Rgb4 o;
  o.c[0] = vshrq_n_s32(vaddq_s32(yy, vmulq_n_s32(vv, k.rv)), kYuvShift);
  o.c[1] = vshrq_n_s32(vsubq_s32(vsubq_s32(yy, vmulq_n_s32(uu, k.gu)), vmulq_n_s32(vv, k.gv)), kYuvShift);
  o.c[2] = vshrq_n_s32(vaddq_s32(yy, vmulq_n_s32(uu, k.bu)), kYuvShift);
  return o;
}

void YuvToRgb(const uint8_t* y, const uint8_t* u, const uint8_t* v, uint8_t* r, uint8_t* g, uint8_t* b, int n,
              const YuvCoeffs& k) {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    int32x4_t y4[2], u4[2], v4[2];
    Widen8(y + i, &y4[0], &y4[1]);
    Widen8(u + i, &u4[0], &u4[1]);
    Widen8(v + i, &v4[0], &v4[1]);
    const Rgb4 lo = YuvToRgb4(y4[0], u4[0], v4[0], k), hi = YuvToRgb4(y4[1], u4[1], v4[1], k);
    uint8_t* dst[3] = {r, g, b};
    for (int c = 0; c < 3; ++c) vst1_u8(dst[c] + i, Narrow8u(lo.c[c], hi.c[c]));  // saturation = clamp
  }
  if (i < n) S().yuv_to_rgb(y + i, u + i, v + i, r + i, g + i, b + i, n - i, k);
}

// Fused pair kernels: no gather instruction on NEON, so the bytes of 4 pairs are loaded into vector
// lanes one by one (lane j: first pixel of pair j, lane j + 4: its second pixel); conversion and the
// horizontal filter then run on vectors, with no byte arrays in between.
inline void Lanes(uint8x8_t v, int32x4_t* first, int32x4_t* second) {
  const uint16x8_t w = vmovl_u8(v);
  *first = vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(w)));
  *second = vreinterpretq_s32_u32(vmovl_u16(vget_high_u16(w)));
}

// w0 * first + w1 * second, each product and the sum rounded separately (no vfma).
inline void PairFilter(float32x4_t w0, float32x4_t w1, int32x4_t first, int32x4_t second, float* out) {
  vst1q_f32(out, vaddq_f32(vmulq_f32(w0, vcvtq_f32_s32(first)), vmulq_f32(w1, vcvtq_f32_s32(second))));
}

// Lane J: the pair's first pixel, lane J + 4: its second.
template <int J>
inline void LoadPlanePair(const uint8_t* p, ptrdiff_t x, uint8x8_t* b) {
  *b = vld1_lane_u8(p + x, *b, J);
  *b = vld1_lane_u8(p + x + 1, *b, J + 4);
}

template <int J>
inline void LoadChromaPair(const uint8_t* u, const uint8_t* v, int cstep, ptrdiff_t x, uint8x8_t* ub, uint8x8_t* vb) {
  const ptrdiff_t c0 = (x >> 1) * cstep, c1 = ((x + 1) >> 1) * cstep;
  *ub = vld1_lane_u8(u + c0, *ub, J);
  *ub = vld1_lane_u8(u + c1, *ub, J + 4);
  *vb = vld1_lane_u8(v + c0, *vb, J);
  *vb = vld1_lane_u8(v + c1, *vb, J + 4);
}

void PairsPlane(const uint8_t* p, const int32_t* cols, int n, int /*safe_n*/, const float* w0, const float* w1,
                ptrdiff_t pf, float* o) {
  int d = 0;
  for (; d + 4 <= n; d += 4) {
    if (pf) __builtin_prefetch(p + cols[2 * d] + pf);  // the row a later call reads, spread over this one
    uint8x8_t b = vdup_n_u8(0);
    LoadPlanePair<0>(p, cols[2 * d], &b);
    LoadPlanePair<1>(p, cols[2 * d + 2], &b);
    LoadPlanePair<2>(p, cols[2 * d + 4], &b);
    LoadPlanePair<3>(p, cols[2 * d + 6], &b);
    int32x4_t first, second;
    Lanes(b, &first, &second);
    PairFilter(vld1q_f32(w0 + d), vld1q_f32(w1 + d), first, second, o + d);
  }
  if (d < n) S().pairs_plane(p, cols + 2 * d, n - d, 0, w0 + d, w1 + d, pf, o + d);
}

void PairsChroma(const uint8_t* u, const uint8_t* v, int cstep, const int32_t* cols, const uint8_t* odd, int n,
                 int /*safe_n*/, const float* w0, const float* w1, ptrdiff_t pf, float* o_u, float* o_v) {
  int d = 0;
  for (; d + 4 <= n; d += 4) {
    if (pf) __builtin_prefetch(u + (cols[2 * d] >> 1) * cstep + pf);
    uint8x8_t ub = vdup_n_u8(0), vb = ub;
    LoadChromaPair<0>(u, v, cstep, cols[2 * d], &ub, &vb);
    LoadChromaPair<1>(u, v, cstep, cols[2 * d + 2], &ub, &vb);
    LoadChromaPair<2>(u, v, cstep, cols[2 * d + 4], &ub, &vb);
    LoadChromaPair<3>(u, v, cstep, cols[2 * d + 6], &ub, &vb);
    const float32x4_t a = vld1q_f32(w0 + d), b = vld1q_f32(w1 + d);
    int32x4_t first, second;
    Lanes(ub, &first, &second);
    PairFilter(a, b, first, second, o_u + d);
    Lanes(vb, &first, &second);
    PairFilter(a, b, first, second, o_v + d);
  }
  if (d < n) S().pairs_chroma(u, v, cstep, cols + 2 * d, odd + d, n - d, 0, w0 + d, w1 + d, pf, o_u + d, o_v + d);
}

template <int J>
inline void LoadPackedPair(const uint8_t* p, int bpp, const int* off, uint8x8_t c[3]) {
  for (int k = 0; k < 3; ++k) {
    c[k] = vld1_lane_u8(p + off[k], c[k], J);
    c[k] = vld1_lane_u8(p + bpp + off[k], c[k], J + 4);
  }
}

void PairsPacked(const uint8_t* row, const int32_t* cols, int n, int /*safe_n*/, int bpp, const int* off,
                 const float* w0, const float* w1, ptrdiff_t pf, float* o0, float* o1, float* o2) {
  float* o[3] = {o0, o1, o2};
  int d = 0;
  for (; d + 4 <= n; d += 4) {
    if (pf) __builtin_prefetch(row + static_cast<ptrdiff_t>(cols[2 * d]) * bpp + pf);  // a later call's row
    uint8x8_t c[3] = {vdup_n_u8(0), vdup_n_u8(0), vdup_n_u8(0)};
    LoadPackedPair<0>(row + static_cast<ptrdiff_t>(cols[2 * d]) * bpp, bpp, off, c);
    LoadPackedPair<1>(row + static_cast<ptrdiff_t>(cols[2 * d + 2]) * bpp, bpp, off, c);
    LoadPackedPair<2>(row + static_cast<ptrdiff_t>(cols[2 * d + 4]) * bpp, bpp, off, c);
    LoadPackedPair<3>(row + static_cast<ptrdiff_t>(cols[2 * d + 6]) * bpp, bpp, off, c);
    const float32x4_t a = vld1q_f32(w0 + d), b = vld1q_f32(w1 + d);
    for (int k = 0; k < 3; ++k) {
      int32x4_t first, second;
      Lanes(c[k], &first, &second);
      PairFilter(a, b, first, second, o[k] + d);
    }
  }
  if (d < n) S().pairs_packed(row, cols + 2 * d, n - d, 0, bpp, off, w0 + d, w1 + d, pf, o0 + d, o1 + d, o2 + d);
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
      vst1q_f32(out + d + 4 * h,
                vaddq_f32(vmulq_f32(vld1q_f32(w + d + 4 * h), ev), vmulq_f32(vld1q_f32(w + n + d + 4 * h), ov)));
    }
  }
  for (; d < n; ++d) {
    float acc = w[d] * in[2 * d];
    acc += w[n + d] * in[2 * d + 1];
    out[d] = acc;
  }
}

// sum_t w[t] * rows[t][i..i+4), in tap order (two taps, the bilinear case, without the loop).
inline float32x4_t VerticalAt(const float* const* rows, const float* w, int taps, int i) {
  float32x4_t acc = vmulq_n_f32(vld1q_f32(rows[0] + i), w[0]);
  if (taps == 2) return vaddq_f32(acc, vmulq_n_f32(vld1q_f32(rows[1] + i), w[1]));
  for (int t = 1; t < taps; ++t) acc = vaddq_f32(acc, vmulq_n_f32(vld1q_f32(rows[t] + i), w[t]));
  return acc;
}

void Vertical(const float* const* rows, const float* w, int taps, int n, float* out) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(out + i, VerticalAt(rows, w, taps, i));
  for (; i < n; ++i) {
    float acc = w[0] * rows[0][i];
    for (int t = 1; t < taps; ++t) acc += w[t] * rows[t][i];
    out[i] = acc;
  }
}

void VerticalF32(const float* const* rows, const float* w, int taps, int n, float s, float b, float* out) {
  const float32x4_t vb = vdupq_n_f32(b);
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(out + i, vaddq_f32(vmulq_n_f32(VerticalAt(rows, w, taps, i), s), vb));
  for (; i < n; ++i) {
    float acc = w[0] * rows[0][i];
    for (int t = 1; t < taps; ++t) acc += w[t] * rows[t][i];
    out[i] = acc * s + b;
  }
}

void VerticalYuv(const float* const* rows, const float* w, int taps, int n, const YuvFloat& k, const float* s,
                 const float* b, float* const out[3]) {
  const float32x4_t zero = vdupq_n_f32(0.f), c128 = vdupq_n_f32(128.f), c255 = vdupq_n_f32(255.f);
  const float32x4_t off = vdupq_n_f32(k.y_offset);
  // vmaxq/vminq as YuvFloatPixel's comparisons (no NaN arises; a -0 input would become +0 in both).
  auto clamp = [&](float32x4_t x) { return vminq_f32(vmaxq_f32(x, zero), c255); };
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t yf = VerticalAt(rows, w, taps, i), uf = VerticalAt(rows + taps, w, taps, i);
    const float32x4_t vf = VerticalAt(rows + 2 * taps, w, taps, i);
    const float32x4_t yy = vmulq_n_f32(vmaxq_f32(vsubq_f32(yf, off), zero), k.y);
    const float32x4_t uu = vsubq_f32(uf, c128), vv = vsubq_f32(vf, c128);
    const float32x4_t rgb[3] = {clamp(vaddq_f32(yy, vmulq_n_f32(vv, k.rv))),
                                clamp(vsubq_f32(vsubq_f32(yy, vmulq_n_f32(uu, k.gu)), vmulq_n_f32(vv, k.gv))),
                                clamp(vaddq_f32(yy, vmulq_n_f32(uu, k.bu)))};
    for (int c = 0; c < 3; ++c) vst1q_f32(out[c] + i, vaddq_f32(vmulq_n_f32(rgb[c], s[c]), vdupq_n_f32(b[c])));
  }
  for (; i < n; ++i) VerticalYuvPixel(rows, w, taps, i, k, s, b, out);
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

void StoreQ8(const float* in, int n, float s, float b, float qs, int zp, int lo, int hi, uint8_t* out, int step) {
  if (step != 1) return S().store_q8(in, n, s, b, qs, zp, lo, hi, out, step);
  const float32x4_t vb = vdupq_n_f32(b), vq = vdupq_n_f32(qs);
  const float32x4_t flo = vdupq_n_f32(static_cast<float>(lo - zp - 1)),
                    fhi = vdupq_n_f32(static_cast<float>(hi - zp + 1));
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

// Two tap rows: this variant's pair kernel on both rows, then its vertical_f32, in L1-sized chunks.
void Pairs2Packed(const uint8_t* const row[2], const int32_t* cols, int n, int /*safe_n*/, int bpp, const int* off,
                  const float* w0, const float* w1, const float* wy, const float* s, const float* b, ptrdiff_t pf,
                  float* const out[3]) {
  Pairs2ByChunks(NeonKernels(), n, wy, s, b, out, [&](int r, int d, int m, float* h[3]) {
    PairsPacked(row[r], cols + 2 * d, m, 0, bpp, off, w0 + d, w1 + d, pf, h[0], h[1], h[2]);
  });
}

void Pairs2Yuv(const uint8_t* const y[2], const uint8_t* const u[2], const uint8_t* const v[2], int cstep,
               const int32_t* cols, const uint8_t* odd, const uint8_t* /*tables*/, int n, int safe_n, const float* w0,
               const float* w1, const float* wy, const YuvFloat& k, const float* s, const float* b, ptrdiff_t pf_y,
               ptrdiff_t pf_c, float* const out[3]) {
  Pairs2YuvByChunks(NeonKernels(), y, u, v, cstep, cols, odd, n, safe_n, w0, w1, wy, k, s, b, pf_y, pf_c, out);
}

}  // namespace

const Kernels& NeonKernels() {
  // No gather instruction on NEON: the plain gathers (gather_packed, gather_yuv) and the general
  // horizontal filter stay the scalar loops; the fused pair kernels load lanes one by one.
  static const Kernels k = [] {
    Kernels k = ScalarKernels();
    k.name = "neon";
    k.pairs_packed = PairsPacked;
    k.pairs_plane = PairsPlane;
    k.pairs_chroma = PairsChroma;
    k.pairs2_packed = Pairs2Packed;
    k.pairs2_yuv = Pairs2Yuv;
    k.pairs2_yuv_tables = NoPairTables;
    k.yuv_to_rgb = YuvToRgb;
    k.rgb_to_gray = RgbToGray;
    k.horizontal_pairs = HorizontalPairs;
    k.vertical = Vertical;
    k.vertical_f32 = VerticalF32;
    k.vertical_yuv = VerticalYuv;
    k.store_f32 = StoreF32;
    k.store_f16 = StoreF16;
    k.store_q8 = StoreQ8;
    return k;
  }();
  return k;
}

}  // namespace vidlite
