// The scalar reference of every row kernel: plain loops, the definition the SIMD variants are held to.
// Built with -ffp-contract=off so no compiler fuses its multiply-adds.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels.h"

namespace vidlite {
namespace {

inline uint8_t Clamp255(int32_t v) { return static_cast<uint8_t>(std::min(std::max(v, 0), 255)); }

void GatherPacked(const uint8_t* row, const int32_t* cols, int n, int /*safe_n*/, bool /*pairs*/, int bpp,
                  const int* off, uint8_t* o0, uint8_t* o1, uint8_t* o2) {
  for (int i = 0; i < n; ++i) {
    const uint8_t* px = row + static_cast<ptrdiff_t>(cols[i]) * bpp;
    o0[i] = px[off[0]];
    o1[i] = px[off[1]];
    o2[i] = px[off[2]];
  }
}

void GatherYuv(const uint8_t* y, const uint8_t* u, const uint8_t* v, int cstep, const int32_t* cols, int n,
               int /*safe_n*/, bool /*pairs*/, uint8_t* oy, uint8_t* ou, uint8_t* ov) {
  for (int i = 0; i < n; ++i) {
    const int x = cols[i];
    oy[i] = y[x];
    ou[i] = u[(x >> 1) * cstep];
    ov[i] = v[(x >> 1) * cstep];
  }
}

void PairsPacked(const uint8_t* row, const int32_t* cols, int n, int /*safe_n*/, int bpp, const int* off,
                 const float* w0, const float* w1, ptrdiff_t /*pf*/, float* o0, float* o1, float* o2) {
  float* o[3] = {o0, o1, o2};
  for (int d = 0; d < n; ++d) {
    const uint8_t* p0 = row + static_cast<ptrdiff_t>(cols[2 * d]) * bpp;
    for (int k = 0; k < 3; ++k) {
      float acc = w0[d] * p0[off[k]];
      acc += w1[d] * p0[bpp + off[k]];
      o[k][d] = acc;
    }
  }
}

inline void YuvPixel(int y, int u, int v, const YuvCoeffs& k, uint8_t* rgb) {
  const int32_t yy = std::max(y - k.y_offset, 0) * k.y + (1 << (kYuvShift - 1));
  const int32_t uu = u - 128, vv = v - 128;
  rgb[0] = Clamp255((yy + k.rv * vv) >> kYuvShift);
  rgb[1] = Clamp255((yy - k.gu * uu - k.gv * vv) >> kYuvShift);
  rgb[2] = Clamp255((yy + k.bu * uu) >> kYuvShift);
}

void YuvToRgb(const uint8_t* y, const uint8_t* u, const uint8_t* v, uint8_t* r, uint8_t* g, uint8_t* b, int n,
              const YuvCoeffs& k) {
  for (int i = 0; i < n; ++i) {
    uint8_t rgb[3];
    YuvPixel(y[i], u[i], v[i], k, rgb);
    r[i] = rgb[0], g[i] = rgb[1], b[i] = rgb[2];
  }
}

void PairsPlane(const uint8_t* p, const int32_t* cols, int n, int /*safe_n*/, const float* w0, const float* w1,
                ptrdiff_t /*pf*/, float* o) {
  for (int d = 0; d < n; ++d) {
    const int x = cols[2 * d];
    float acc = w0[d] * p[x];
    acc += w1[d] * p[x + 1];
    o[d] = acc;
  }
}

void PairsChroma(const uint8_t* u, const uint8_t* v, int cstep, const int32_t* cols, const uint8_t* /*odd*/, int n,
                 int /*safe_n*/, const float* w0, const float* w1, ptrdiff_t /*pf*/, float* o_u, float* o_v) {
  for (int d = 0; d < n; ++d) {
    const int x = cols[2 * d], c0 = (x >> 1) * cstep, c1 = ((x + 1) >> 1) * cstep;
    float acc = w0[d] * u[c0];
    acc += w1[d] * u[c1];
    o_u[d] = acc;
    acc = w0[d] * v[c0];
    acc += w1[d] * v[c1];
    o_v[d] = acc;
  }
}

void RgbToGray(const uint8_t* r, const uint8_t* g, const uint8_t* b, uint8_t* gray, int n) {
  for (int i = 0; i < n; ++i)
    gray[i] =
        static_cast<uint8_t>((r[i] * kGrayR + g[i] * kGrayG + b[i] * kGrayB + (1 << (kYuvShift - 1))) >> kYuvShift);
}

void Horizontal(const uint8_t* in, const int32_t* pos, const float* w, int taps, int n, float* out) {
  for (int d = 0; d < n; ++d) {
    const uint8_t* p = in + pos[d];
    float acc = w[d] * p[0];
    for (int t = 1; t < taps; ++t) acc += w[static_cast<ptrdiff_t>(t) * n + d] * p[t];
    out[d] = acc;
  }
}

void HorizontalPairs(const uint8_t* in, const float* w, int n, float* out) {
  for (int d = 0; d < n; ++d) {
    float acc = w[d] * in[2 * d];
    acc += w[n + d] * in[2 * d + 1];
    out[d] = acc;
  }
}

void Vertical(const float* const* rows, const float* w, int taps, int n, float* out) {
  for (int i = 0; i < n; ++i) {
    float acc = w[0] * rows[0][i];
    for (int t = 1; t < taps; ++t) acc += w[t] * rows[t][i];
    out[i] = acc;
  }
}

void VerticalF32(const float* const* rows, const float* w, int taps, int n, float s, float b, float* out) {
  for (int i = 0; i < n; ++i) {
    float acc = w[0] * rows[0][i];
    for (int t = 1; t < taps; ++t) acc += w[t] * rows[t][i];
    out[i] = acc * s + b;
  }
}

void VerticalYuv(const float* const* rows, const float* w, int taps, int n, const YuvFloat& k, const float* s,
                 const float* b, float* const out[3]) {
  for (int i = 0; i < n; ++i) VerticalYuvPixel(rows, w, taps, i, k, s, b, out);
}

void StoreF32(const float* in, int n, float s, float b, float* out, int step) {
  for (int i = 0; i < n; ++i) out[static_cast<ptrdiff_t>(i) * step] = in[i] * s + b;
}

void StoreF16(const float* in, int n, float s, float b, uint16_t* out, int step) {
  for (int i = 0; i < n; ++i) out[static_cast<ptrdiff_t>(i) * step] = FloatToHalf(in[i] * s + b);
}

void StoreQ8(const float* in, int n, float s, float b, float qs, int zp, int lo, int hi, uint8_t* out, int step) {
  // Clamping before rounding keeps the float->int conversion in range; it changes no result.
  const float flo = static_cast<float>(lo - zp - 1), fhi = static_cast<float>(hi - zp + 1);
  for (int i = 0; i < n; ++i) {
    float v = std::min(std::max((in[i] * s + b) / qs, flo), fhi);
    int q = static_cast<int>(std::nearbyint(v)) + zp;
    out[static_cast<ptrdiff_t>(i) * step] = static_cast<uint8_t>(std::min(std::max(q, lo), hi));
  }
}

}  // namespace

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const uint32_t sign = (x >> 16) & 0x8000u, ax = x & 0x7fffffffu;
  if (ax >= 0x7f800000u) return static_cast<uint16_t>(sign | (ax > 0x7f800000u ? 0x7e00u : 0x7c00u));
  if (ax >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds past 65504: inf
  if (ax < 0x38800000u) {  // half subnormal: multiples of 2^-24, scaling by 2^24 is exact
    float a;
    std::memcpy(&a, &ax, sizeof a);
    return static_cast<uint16_t>(sign | static_cast<uint32_t>(std::nearbyint(a * 16777216.f)));
  }
  const uint32_t m = ax - (112u << 23);  // rebias exponent 127 -> 15
  return static_cast<uint16_t>(sign | ((m + 0xfffu + ((m >> 13) & 1u)) >> 13));
}

namespace {

void Pairs2Packed(const uint8_t* const row[2], const int32_t* cols, int n, int /*safe_n*/, int bpp, const int* off,
                  const float* w0, const float* w1, const float* wy, const float* s, const float* b, ptrdiff_t pf,
                  float* const out[3]) {
  Pairs2ByChunks(ScalarKernels(), n, wy, s, b, out, [&](int r, int d, int m, float* h[3]) {
    PairsPacked(row[r], cols + 2 * d, m, 0, bpp, off, w0 + d, w1 + d, pf, h[0], h[1], h[2]);
  });
}

void Pairs2Yuv(const uint8_t* const y[2], const uint8_t* const u[2], const uint8_t* const v[2], int cstep,
               const int32_t* cols, const uint8_t* odd, const uint8_t* /*tables*/, int n, int safe_n, const float* w0,
               const float* w1, const float* wy, const YuvFloat& k, const float* s, const float* b, ptrdiff_t pf_y,
               ptrdiff_t pf_c, float* const out[3]) {
  Pairs2YuvByChunks(ScalarKernels(), y, u, v, cstep, cols, odd, n, safe_n, w0, w1, wy, k, s, b, pf_y, pf_c, out);
}

}  // namespace

const Kernels& ScalarKernels() {
  static const Kernels k = [] {
    Kernels k{};
    k.name = "scalar";
    k.gather_packed = GatherPacked;
    k.pairs_packed = PairsPacked;
    k.pairs_plane = PairsPlane;
    k.pairs_chroma = PairsChroma;
    k.pairs2_packed = Pairs2Packed;
    k.pairs2_yuv = Pairs2Yuv;
    k.pairs2_yuv_tables = NoPairTables;
    k.gather_yuv = GatherYuv;
    k.yuv_to_rgb = YuvToRgb;
    k.rgb_to_gray = RgbToGray;
    k.horizontal = Horizontal;
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
