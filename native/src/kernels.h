// Row kernels of the fused pipeline. Each has a scalar reference (kernels_scalar.cc) and SIMD
// variants (kernels_avx2.cc, kernels_neon.cc) that must give bit-identical results: the integer
// kernels trivially, the float ones because every variant rounds each multiply and each add
// separately, in the same order (no fused multiply-add; the library builds with -ffp-contract=off).
// The NumPy reference (vidlite.preprocess.reference) follows the same order, so it matches too.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vidlite {

// Bilinear weights lie on a grid of 2^-kWeightBits (geometry.h): w * p for an 8-bit p is then exact
// in float32, and so is w0 * p + w1 * q, which a SIMD variant may compute as one integer multiply-add
// (k0 p + k1 q, k = w 2^kWeightBits) scaled by 2^-kWeightBits, bit-identical to the float reference.
constexpr int kWeightBits = 14;

// R,G,B = clamp((max(Y - y_offset, 0) * y + {rv*V', -gu*U' - gv*V', bu*U'} + 2^13) >> 14),
// U' = U - 128, V' = V - 128.
struct YuvCoeffs {
  int32_t y_offset, y, rv, gu, gv, bu;
};
constexpr int kYuvShift = 14;

// The same conversion on filtered (float) Y, U, V: 4:2:0 sources to colour output filter the planes
// first and convert once per output pixel, with the coefficients YuvCoeffs / 2^14 (exact in float),
// every product and sum rounded to float in the order below, and no rounding to 8 bits.
struct YuvFloat {
  float y_offset, y, rv, gu, gv, bu;
  explicit YuvFloat(const YuvCoeffs& k)
      : y_offset(static_cast<float>(k.y_offset)),
        y(k.y / 16384.f),
        rv(k.rv / 16384.f),
        gu(k.gu / 16384.f),
        gv(k.gv / 16384.f),
        bu(k.bu / 16384.f) {}
};
static_assert(kYuvShift == 14, "YuvFloat divides by 2^14");

// The reference of one output pixel (the NumPy reference computes the same, op by op):
// Y'' = max(Y - y_offset, 0) * y, U'' = U - 128, V'' = V - 128,
// R = Y'' + rv V'', G = (Y'' - gu U'') - gv V'', B = Y'' + bu U'', each clamped to [0, 255].
inline void YuvFloatPixel(float y, float u, float v, const YuvFloat& k, float rgb[3]) {
  auto clamp = [](float x) { return x < 255.f ? (x > 0.f ? x : 0.f) : 255.f; };
  const float yy = (y - k.y_offset > 0.f ? y - k.y_offset : 0.f) * k.y;
  const float uu = u - 128.f, vv = v - 128.f;
  rgb[0] = clamp(yy + k.rv * vv);
  rgb[1] = clamp(yy - k.gu * uu - k.gv * vv);
  rgb[2] = clamp(yy + k.bu * uu);
}

// Kernels::vertical_yuv of pixel i: the reference loop body, and the SIMD variants' tails.
inline void VerticalYuvPixel(const float* const* rows, const float* w, int taps, int i, const YuvFloat& k,
                             const float* s, const float* b, float* const out[3]) {
  float yuv[3], rgb[3];
  for (int p = 0; p < 3; ++p) {
    float acc = w[0] * rows[p * taps][i];
    for (int t = 1; t < taps; ++t) acc += w[t] * rows[p * taps + t][i];
    yuv[p] = acc;
  }
  YuvFloatPixel(yuv[0], yuv[1], yuv[2], k, rgb);
  for (int c = 0; c < 3; ++c) out[c][i] = rgb[c] * s[c] + b[c];
}

// OpenCV's RGB->gray weights (sum 2^14).
constexpr int32_t kGrayR = 4899, kGrayG = 9617, kGrayB = 1868;

struct Kernels {
  const char* name;
  // Gathers: pixels at columns cols[0..n) of one source row into planar bytes. SIMD variants may read
  // up to 8 bytes from each gathered position for the first safe_n columns (the caller guarantees
  // those stay inside the row), then read exactly the pixel bytes like the reference.
  // pairs: cols come in pairs (x, x + 1) (bilinear downscale), which lets SIMD fetch a pair at once.
  // Packed: o_k[i] = row[cols[i] * bpp + off[k]].
  void (*gather_packed)(const uint8_t* row, const int32_t* cols, int n, int safe_n, bool pairs, int bpp, const int* off,
                        uint8_t* o0, uint8_t* o1, uint8_t* o2);
  // Fused kernels for bilinear downscales by >= 2x (cols in pairs (x, x + 1)) to 3 channels: gather,
  // colour-convert and filter horizontally in one pass, with exactly the arithmetic of the chained
  // kernels (gather, yuv_to_rgb, horizontal_pairs). safe_n: leading outputs d whose 16-byte windows
  // (below) stay inside the rows; SIMD variants may read those windows, then read only pixel bytes.
  // pf (pf_y, pf_c: luma, chroma): a hint, the byte offset from each row read to the row a later
  // call will read (0: none); variants may prefetch the same columns there, spread over the row.
  // Packed: o_k[d] = w0[d] * p0[off[k]] + w1[d] * p1[off[k]], p0 = row + cols[2d] * bpp,
  // p1 = p0 + bpp; window: 16 bytes at p0.
  void (*pairs_packed)(const uint8_t* row, const int32_t* cols, int n, int safe_n, int bpp, const int* off,
                       const float* w0, const float* w1, ptrdiff_t pf, float* o0, float* o1, float* o2);
  // One 8-bit plane (the luma of 4:2:0): o[d] = w0[d] * p[x] + w1[d] * p[x + 1], x = cols[2d]: exactly
  // a gather followed by horizontal_pairs. Windows: 16 bytes at p + x.
  void (*pairs_plane)(const uint8_t* p, const int32_t* cols, int n, int safe_n, const float* w0, const float* w1,
                      ptrdiff_t pf, float* o);
  // 4:2:0 chroma of the same pairs: pixel q has chroma u/v[(q >> 1) * cstep];
  // o_u[d] = w0[d] * U(x) + w1[d] * U(x + 1), likewise V: exactly gather_yuv followed by
  // horizontal_pairs on U and V. odd[d] = x & 1 (precomputed per plan: where the second pixel's
  // chroma lies). Windows: 16 bytes at u + c and v + c, c = (x >> 1) * cstep.
  void (*pairs_chroma)(const uint8_t* u, const uint8_t* v, int cstep, const int32_t* cols, const uint8_t* odd, int n,
                       int safe_n, const float* w0, const float* w1, ptrdiff_t pf, float* o_u, float* o_v);
  // Both tap rows of one output row, for bilinear downscales by >= 2x in both directions of packed
  // sources to float32 planes: out[k][d] = (wy[0] * H0_k[d] + wy[1] * H1_k[d]) * s[k] + b[k], where
  // H0 / H1 are what pairs_packed gives for row[0] / row[1], rounded exactly like pairs_packed
  // followed by vertical_f32. Windows as for pairs_packed. w0, w1 on the weight grid.
  void (*pairs2_packed)(const uint8_t* const row[2], const int32_t* cols, int n, int safe_n, int bpp, const int* off,
                        const float* w0, const float* w1, const float* wy, const float* s, const float* b, ptrdiff_t pf,
                        float* const out[3]);
  // The 4:2:0 counterpart of pairs2_packed: y[r] the two luma rows, u[r] / v[r] the chroma of each
  // (the same chroma row when both luma rows share it). out[c][d] is exactly what pairs_plane on each
  // luma row, pairs_chroma on each chroma row and vertical_yuv with taps 2 and weights wy give.
  // Windows as for pairs_chroma; pf_y / pf_c: prefetch hints as pf, for luma and chroma rows.
  // tables: what pairs2_yuv_tables built for these cols and safe_n (null: none); with tables, w0 and
  // w1 must lie on the weight grid.
  void (*pairs2_yuv)(const uint8_t* const y[2], const uint8_t* const u[2], const uint8_t* const v[2], int cstep,
                     const int32_t* cols, const uint8_t* odd, const uint8_t* tables, int n, int safe_n, const float* w0,
                     const float* w1, const float* wy, const YuvFloat& k, const float* s, const float* b,
                     ptrdiff_t pf_y, ptrdiff_t pf_c, float* const out[3]);
  // Per-plan tables a variant's pairs2_yuv reads instead of working out the byte positions of every
  // pair on every row (interleaved chroma, cstep 2: U at byte u_off, V at v_off of each sample; I420,
  // cstep 1: 0, 0): built once into *tables; false (tables untouched) where the variant has none or
  // the geometry does not suit them.
  bool (*pairs2_yuv_tables)(const int32_t* cols, int safe_n, int cstep, int u_off, int v_off,
                            std::vector<uint8_t>* tables);
  // 4:2:0: oy[i] = y[x], ou[i] = u[(x >> 1) * cstep], ov[i] = v[(x >> 1) * cstep], x = cols[i].
  void (*gather_yuv)(const uint8_t* y, const uint8_t* u, const uint8_t* v, int cstep, const int32_t* cols, int n,
                     int safe_n, bool pairs, uint8_t* oy, uint8_t* ou, uint8_t* ov);
  // Exact integer kernels.
  void (*yuv_to_rgb)(const uint8_t* y, const uint8_t* u, const uint8_t* v, uint8_t* r, uint8_t* g, uint8_t* b, int n,
                     const YuvCoeffs& k);
  void (*rgb_to_gray)(const uint8_t* r, const uint8_t* g, const uint8_t* b, uint8_t* gray, int n);

  // The resize runs horizontally first (on each source row, once), then vertically.
  // out[d] = sum_t w[t*n + d] * in[pos[d] + t]   (weights tap-major, accumulated in tap order).
  // SIMD variants may read up to 3 bytes past in[pos[d] + taps - 1]: tap rows carry that padding.
  void (*horizontal)(const uint8_t* in, const int32_t* pos, const float* w, int taps, int n, float* out);
  // Same as horizontal with taps == 2 and pos[d] == 2d (bilinear downscale by >= 2x): w[d], w[n+d].
  void (*horizontal_pairs)(const uint8_t* in, const float* w, int n, float* out);
  // out[i] = sum_t w[t] * rows[t][i]  (taps >= 1, accumulated in tap order)
  void (*vertical)(const float* const* rows, const float* w, int taps, int n, float* out);
  // vertical, then store_f32 with step 1, in one pass: out[i] = (sum_t w[t] * rows[t][i]) * s + b.
  void (*vertical_f32)(const float* const* rows, const float* w, int taps, int n, float s, float b, float* out);
  // Filtered 4:2:0 planes to RGB: Y = sum_t w[t] * rows[t][i], U and V likewise from rows[taps + t]
  // and rows[2 taps + t]; YuvFloatPixel converts them; out[c][i] = rgb[c] * s[c] + b[c].
  void (*vertical_yuv)(const float* const* rows, const float* w, int taps, int n, const YuvFloat& k, const float* s,
                       const float* b, float* const out[3]);
  // v = in[i] * s + b stored at out[i * step] as float32 / float16 bits (round to nearest even) /
  // a byte holding clamp(rint(v / qs) + zp, lo, hi) (round half to even).
  void (*store_f32)(const float* in, int n, float s, float b, float* out, int step);
  void (*store_f16)(const float* in, int n, float s, float b, uint16_t* out, int step);
  void (*store_q8)(const float* in, int n, float s, float b, float qs, int zp, int lo, int hi, uint8_t* out, int step);
};

// pairs2_packed as a variant's own pairs_packed run on both rows, then its vertical_f32, over chunks
// of outputs that stay in L1: the reference definition, and the implementation of variants without a
// fused two-row loop. rows(r, d, m, h) fills h[0..2][0..m) with row r's outputs d..d+m-1.
template <typename Rows>
inline void Pairs2ByChunks(const Kernels& k, int n, const float* wy, const float* s, const float* b,
                           float* const out[3], Rows rows) {
  constexpr int kChunk = 64;
  float h[2][3][kChunk];
  for (int d = 0; d < n; d += kChunk) {
    const int m = n - d < kChunk ? n - d : kChunk;
    for (int r = 0; r < 2; ++r) {
      float* hr[3] = {h[r][0], h[r][1], h[r][2]};
      rows(r, d, m, hr);
    }
    for (int c = 0; c < 3; ++c) {
      const float* taps[2] = {h[0][c], h[1][c]};
      k.vertical_f32(taps, wy, 2, m, s[c], b[c], out[c] + d);
    }
  }
}

// pairs2_yuv as a variant's own pairs_plane, pairs_chroma and vertical_yuv over chunks of outputs that
// stay in L1: the reference definition, and the implementation of variants without a fused loop.
inline void Pairs2YuvByChunks(const Kernels& k, const uint8_t* const y[2], const uint8_t* const u[2],
                              const uint8_t* const v[2], int cstep, const int32_t* cols, const uint8_t* odd, int n,
                              int safe_n, const float* w0, const float* w1, const float* wy, const YuvFloat& yuv,
                              const float* s, const float* b, ptrdiff_t pf_y, ptrdiff_t pf_c, float* const out[3]) {
  constexpr int kChunk = 64;
  float h[6][kChunk];  // Y0, Y1, U0, U1, V0, V1
  const bool one_chroma = u[0] == u[1] && v[0] == v[1];
  for (int d = 0; d < n; d += kChunk) {
    const int m = n - d < kChunk ? n - d : kChunk;
    const int safe = safe_n - d < 0 ? 0 : (safe_n - d < m ? safe_n - d : m);
    for (int r = 0; r < 2; ++r) {
      k.pairs_plane(y[r], cols + 2 * d, m, safe, w0 + d, w1 + d, pf_y, h[r]);
      if (r == 0 || !one_chroma)
        k.pairs_chroma(u[r], v[r], cstep, cols + 2 * d, odd + d, m, safe, w0 + d, w1 + d, pf_c, h[2 + r], h[4 + r]);
    }
    const int c1 = one_chroma ? 0 : 1;
    const float* rows[6] = {h[0], h[1], h[2], h[2 + c1], h[4], h[4 + c1]};
    float* const o[3] = {out[0] + d, out[1] + d, out[2] + d};
    k.vertical_yuv(rows, wy, 2, m, yuv, s, b, o);
  }
}

// pairs2_yuv_tables of variants without tables.
inline bool NoPairTables(const int32_t*, int, int, int, int, std::vector<uint8_t>*) { return false; }

const Kernels& ScalarKernels();
#if defined(__x86_64__)
const Kernels& Avx2Kernels();  // needs AVX2 + FMA + F16C
#endif
#if defined(__aarch64__)
const Kernels& NeonKernels();
#endif
// The best variant the CPU has, honouring the feature mask (VIDLITE_CPU_MASK / SetCpuMask).
const Kernels& SelectKernels();

uint16_t FloatToHalf(float f);  // IEEE binary16, round to nearest even

}  // namespace vidlite
