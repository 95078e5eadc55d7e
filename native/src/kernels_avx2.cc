// AVX2 row kernels (x86-64). Only this file is compiled with -mavx2 -mfma -mf16c; it runs only when
// CPU detection reports AVX2+FMA+F16C. Tails shorter than a vector use the scalar reference.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "kernels.h"

namespace vidlite {
namespace {

const Kernels& S() { return ScalarKernels(); }

inline __m256i Load8u32(const uint8_t* p) {
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

// Two vectors of 8 int32 in 0..255 (or -128..255) -> 16 bytes (unsigned or signed saturation).
inline __m128i Pack16(__m256i lo, __m256i hi, bool is_signed) {
  __m256i w = _mm256_permute4x64_epi64(_mm256_packs_epi32(lo, hi), 0xD8);
  __m128i a = _mm256_castsi256_si128(w), b = _mm256_extracti128_si256(w, 1);
  return is_signed ? _mm_packs_epi16(a, b) : _mm_packus_epi16(a, b);
}

// Eight unaligned dword loads at base + off(k). Not vpgatherdd: it is microcoded, and far slower
// still on CPUs with the Gather Data Sampling mitigation; independent loads keep more misses in flight.
template <typename Off>
inline __m256i Dwords(const uint8_t* base, Off off) {
  auto at = [&](int k) {
    int32_t v;
    std::memcpy(&v, base + off(k), sizeof v);
    return v;
  };
  return _mm256_setr_epi32(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7));
}

void GatherPacked(const uint8_t* row, const int32_t* cols, int n, int safe_n, bool pairs, int bpp, const int* off,
                  uint8_t* o0, uint8_t* o1, uint8_t* o2) {
  const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  alignas(32) int8_t mb[32];
  int i = 0;
  if (pairs && bpp <= 4) {
    // One 8-byte load holds both pixels of a pair; a lane holds two pairs. Lane dword c collects
    // channel c of the lane's 4 pixels, the dword permute groups each channel's 8 pixels.
    for (int lane = 0; lane < 2; ++lane)
      for (int c = 0; c < 4; ++c)
        for (int px = 0; px < 4; ++px)
          mb[16 * lane + 4 * c + px] = c < 3 ? static_cast<int8_t>(8 * (px >> 1) + bpp * (px & 1) + off[c]) : -1;
    const __m256i m = _mm256_load_si256(reinterpret_cast<const __m256i*>(mb));
    for (; i + 16 <= safe_n; i += 16) {
      auto q = [&](int k) {
        return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(row + static_cast<ptrdiff_t>(cols[i + 2 * k]) * bpp));
      };
      const __m256i a = _mm256_set_m128i(_mm_unpacklo_epi64(q(2), q(3)), _mm_unpacklo_epi64(q(0), q(1)));
      const __m256i b = _mm256_set_m128i(_mm_unpacklo_epi64(q(6), q(7)), _mm_unpacklo_epi64(q(4), q(5)));
      const __m256i pa = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(a, m), perm);
      const __m256i pb = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(b, m), perm);
      const __m128i alo = _mm256_castsi256_si128(pa), blo = _mm256_castsi256_si128(pb);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o0 + i), _mm_unpacklo_epi64(alo, blo));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o1 + i), _mm_unpackhi_epi64(alo, blo));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o2 + i),
                       _mm_unpacklo_epi64(_mm256_extracti128_si256(pa, 1), _mm256_extracti128_si256(pb, 1)));
    }
  } else {
    // Within each lane: bytes off0 of pixels 0..3, then off1, then off2; the dword permute then puts
    // plane k's 8 bytes in the k-th 64-bit quarter.
    for (int lane = 0; lane < 2; ++lane)
      for (int k = 0; k < 4; ++k)
        for (int px = 0; px < 4; ++px) mb[16 * lane + 4 * k + px] = k < 3 ? static_cast<int8_t>(4 * px + off[k]) : -1;
    const __m256i m = _mm256_load_si256(reinterpret_cast<const __m256i*>(mb));
    for (; i + 8 <= safe_n; i += 8) {
      const __m256i g = Dwords(row, [&](int k) { return static_cast<ptrdiff_t>(cols[i + k]) * bpp; });
      const __m256i x = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(g, m), perm);
      const __m128i lo = _mm256_castsi256_si128(x), hi = _mm256_extracti128_si256(x, 1);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(o0 + i), lo);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(o1 + i), _mm_unpackhi_epi64(lo, lo));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(o2 + i), hi);
    }
  }
  if (i < n) S().gather_packed(row, cols + i, n - i, 0, false, bpp, off, o0 + i, o1 + i, o2 + i);
}

// Two 16-byte windows: at a in the low lane, at b in the high lane (the high-lane insert from memory
// needs no shuffle port).
inline __m256i Windows(const uint8_t* a, const uint8_t* b) {
  return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a))),
                                 _mm_loadu_si128(reinterpret_cast<const __m128i*>(b)), 1);
}

// The fused pair kernels handle 8 outputs at once: pair j's window in the low lane and pair j + 4's in
// the high lane (j = 0..3), each byte-shuffled into dword j of its lane and OR-ed together, so every
// dword of the result belongs to one pair, in output order. m[j]: the shuffle that writes `pattern`
// (4 source byte indices; 0x80 = zero) to dword j of each lane and zeros elsewhere.
inline void DwordMasks(uint32_t pattern, __m256i m[4]) {
  const __m256i z = _mm256_set1_epi32(static_cast<int32_t>(0x80808080u)),
                p = _mm256_set1_epi32(static_cast<int32_t>(pattern));
  m[0] = _mm256_blend_epi32(z, p, 0x11);
  m[1] = _mm256_blend_epi32(z, p, 0x22);
  m[2] = _mm256_blend_epi32(z, p, 0x44);
  m[3] = _mm256_blend_epi32(z, p, 0x88);
}

inline uint32_t Bytes4(int a, int b, int c, int d) {
  return static_cast<uint32_t>(a & 0xFF) | static_cast<uint32_t>(b & 0xFF) << 8 |
         static_cast<uint32_t>(c & 0xFF) << 16 | static_cast<uint32_t>(d & 0xFF) << 24;
}

// w0 * first + w1 * second of 8 pairs (int32 pixel values), rounded like horizontal_pairs.
inline __m256 PairFilter(__m256 w0, __m256 w1, __m256i first, __m256i second) {
  return _mm256_add_ps(_mm256_mul_ps(w0, _mm256_cvtepi32_ps(first)), _mm256_mul_ps(w1, _mm256_cvtepi32_ps(second)));
}

// A hint for the row a later call reads (pf bytes away); pf == 0: none.
inline void PrefetchAt(const uint8_t* p, ptrdiff_t pf) {
  if (pf) _mm_prefetch(reinterpret_cast<const char*>(p + pf), _MM_HINT_T0);
}

// Runs group(d) over d = 0, 8, ... while 8 outputs fit in safe_n, then once more over the last 8 safe
// outputs (overlapping: the same values are stored again), so only outputs past safe_n need the
// reference's per-pixel loop. Returns the first output not done.
template <typename Group>
inline int Groups8(int safe_n, Group group) {
  int d = 0;
  for (; d + 8 <= safe_n; d += 8) group(d);
  if (d < safe_n && safe_n >= 8) group(safe_n - 8), d = safe_n;
  return d;
}

// Weights on the grid (kernels.h) as int16 pairs [k0, k1] of outputs d..d+7, k = w 2^kWeightBits.
inline __m256i GridWeights(const float* w0, const float* w1) {
  const __m256 one = _mm256_set1_ps(1 << kWeightBits);
  const __m256i k0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(w0), one));
  const __m256i k1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(w1), one));
  return _mm256_or_si256(k0, _mm256_slli_epi32(k1, 16));
}

// k0 p + k1 q of 8 pairs held as 16-bit words [p, q] per dword: 2^kWeightBits times what PairFilter
// gives for grid weights, exactly (both are exact).
inline __m256 GridFilter(__m256i words, __m256i k) { return _mm256_cvtepi32_ps(_mm256_madd_epi16(words, k)); }

// The vertical weights of a two-row kernel scaled by 2^-kWeightBits, to take GridFilter's factor out:
// (wy 2^-14) (2^14 H) rounds exactly like wy H (a power of two changes no rounding).
inline void GridVerticalWeights(const float* wy, __m256* a, __m256* c) {
  const float unit = 1.f / (1 << kWeightBits);
  *a = _mm256_set1_ps(wy[0] * unit), *c = _mm256_set1_ps(wy[1] * unit);
}

// Byte offsets of the first pixels of outputs d..d+7 (columns are >= 0: 32 bits extend for free);
// kBpp a constant, so no multiply.
template <int kBpp>
inline void PairOffsets(const int32_t* cols, int d, uint32_t x[8]) {
  for (int k = 0; k < 8; ++k) x[k] = static_cast<uint32_t>(cols[2 * (d + k)]) * kBpp;
}

// Packed pairs, 8 outputs at a time, gathered by byte shuffles into two vectors: each dword of a
// (and of b) gets 4 bytes of one pair's 16-byte window by the pattern pa (pb), in output order.
class PackedShuffles {
 public:
  PackedShuffles(uint32_t pa, uint32_t pb) {
    DwordMasks(pa, ma_);
    DwordMasks(pb, mb_);
  }
  // The pairs at offsets x; prefetches pf bytes away at pairs 0, 2, 4, 6.
  void operator()(const uint8_t* row, const uint32_t x[8], ptrdiff_t pf, __m256i* a, __m256i* b) const {
    *a = _mm256_setzero_si256(), *b = _mm256_setzero_si256();
    for (int j = 0; j < 4; ++j) {
      const uint8_t *p0 = row + x[j], *p1 = row + x[j + 4];
      if (j % 2 == 0) PrefetchAt(p0, pf), PrefetchAt(p1, pf);
      const __m256i win = Windows(p0, p1);
      *a = _mm256_or_si256(*a, _mm256_shuffle_epi8(win, ma_[j]));
      *b = _mm256_or_si256(*b, _mm256_shuffle_epi8(win, mb_[j]));
    }
  }

 private:
  __m256i ma_[4], mb_[4];
};

// The float filter of packed pairs: per pair (pixels p, q), dword [c0(p), c0(q), c1(p), c1(q)] in a,
// [c2(p), c2(q), 0, 0] in b.
class PackedPairs {
 public:
  PackedPairs(int bpp, const int* off)
      : shuffles_(Bytes4(off[0], bpp + off[0], off[1], bpp + off[1]), Bytes4(off[2], bpp + off[2], 0x80, 0x80)) {}
  // h[k]: w0 * c_k(p) + w1 * c_k(q) of the 8 outputs at offsets x.
  void operator()(const uint8_t* row, const uint32_t x[8], __m256 w0, __m256 w1, ptrdiff_t pf, __m256 h[3]) const {
    const __m256i lo = _mm256_set1_epi32(0xFF);
    __m256i a, b;
    shuffles_(row, x, pf, &a, &b);
    h[0] = PairFilter(w0, w1, _mm256_and_si256(a, lo), _mm256_and_si256(_mm256_srli_epi32(a, 8), lo));
    h[1] = PairFilter(w0, w1, _mm256_and_si256(_mm256_srli_epi32(a, 16), lo), _mm256_srli_epi32(a, 24));
    h[2] = PairFilter(w0, w1, _mm256_and_si256(b, lo), _mm256_srli_epi32(b, 8));
  }

 private:
  PackedShuffles shuffles_;
};

// The integer filter of packed pairs (GridFilter), with as many shuffles: per pair, dword
// [c0(p), c1(p), c0(q), c1(q)] in a, whose even bytes are channel 0's words and odd bytes channel
// 1's, and [c2(p), 0, c2(q), 0] in b.
class PackedWords {
 public:
  PackedWords(int bpp, const int* off)
      : shuffles_(Bytes4(off[0], off[1], bpp + off[0], bpp + off[1]), Bytes4(off[2], 0x80, bpp + off[2], 0x80)) {}
  // h[k]: 2^kWeightBits (w0 c_k(p) + w1 c_k(q)) of the 8 outputs at offsets x, weights kw (GridWeights).
  void operator()(const uint8_t* row, const uint32_t x[8], __m256i kw, ptrdiff_t pf, __m256 h[3]) const {
    __m256i a, b;
    shuffles_(row, x, pf, &a, &b);
    h[0] = GridFilter(_mm256_and_si256(a, _mm256_set1_epi16(0xFF)), kw);
    h[1] = GridFilter(_mm256_srli_epi16(a, 8), kw);
    h[2] = GridFilter(b, kw);
  }

 private:
  PackedShuffles shuffles_;
};

// f(std::integral_constant<int, bpp>) for the packed pixel sizes.
template <typename F>
inline void WithBpp(int bpp, F f) {
  if (bpp == 3)
    f(std::integral_constant<int, 3>{});
  else
    f(std::integral_constant<int, 4>{});
}

void PairsPacked(const uint8_t* row, const int32_t* cols, int n, int safe_n, int bpp, const int* off, const float* w0,
                 const float* w1, ptrdiff_t pf, float* o0, float* o1, float* o2) {
  int d = 0;
  WithBpp(bpp, [&](auto kBpp) {
    const PackedPairs pairs(bpp, off);
    float* const o[3] = {o0, o1, o2};
    d = Groups8(safe_n, [&](int d) {
      uint32_t x[8];
      PairOffsets<kBpp>(cols, d, x);
      __m256 h[3];
      pairs(row, x, _mm256_loadu_ps(w0 + d), _mm256_loadu_ps(w1 + d), pf, h);
      for (int k = 0; k < 3; ++k) _mm256_storeu_ps(o[k] + d, h[k]);
    });
  });
  if (d < n) S().pairs_packed(row, cols + 2 * d, n - d, 0, bpp, off, w0 + d, w1 + d, pf, o0 + d, o1 + d, o2 + d);
}

void Pairs2Packed(const uint8_t* const row[2], const int32_t* cols, int n, int safe_n, int bpp, const int* off,
                  const float* w0, const float* w1, const float* wy, const float* s, const float* b, ptrdiff_t pf,
                  float* const out[3]) {
  int d = 0;
  WithBpp(bpp, [&](auto kBpp) {
    const PackedWords words(bpp, off);
    // Locals, not the callers' arrays: the stores below may alias memory, which would reload those.
    const uint8_t *r0 = row[0], *r1 = row[1];
    float* const o[3] = {out[0], out[1], out[2]};
    __m256 a, c;
    GridVerticalWeights(wy, &a, &c);
    const __m256 vs[3] = {_mm256_set1_ps(s[0]), _mm256_set1_ps(s[1]), _mm256_set1_ps(s[2])};
    const __m256 vb[3] = {_mm256_set1_ps(b[0]), _mm256_set1_ps(b[1]), _mm256_set1_ps(b[2])};
    d = Groups8(safe_n, [&](int d) {
      uint32_t x[8];
      PairOffsets<kBpp>(cols, d, x);
      const __m256i kw = GridWeights(w0 + d, w1 + d);
      __m256 h0[3], h1[3];
      words(r0, x, kw, pf, h0);
      words(r1, x, kw, pf, h1);
      // Blended vertically and normalized as vertical_f32 does with the two rows' outputs.
      for (int k = 0; k < 3; ++k) {
        const __m256 v = _mm256_add_ps(_mm256_mul_ps(a, h0[k]), _mm256_mul_ps(c, h1[k]));
        _mm256_storeu_ps(o[k] + d, _mm256_add_ps(_mm256_mul_ps(v, vs[k]), vb[k]));
      }
    });
  });
  if (d < n) {
    float* const tail[3] = {out[0] + d, out[1] + d, out[2] + d};
    S().pairs2_packed(row, cols + 2 * d, n - d, 0, bpp, off, w0 + d, w1 + d, wy, s, b, pf, tail);
  }
}

// One plane's pairs, 8 outputs at a time: dword j of each lane = [P(x), P(x+1), 0, 0] of pair j / j + 4.
void PairsPlane(const uint8_t* p, const int32_t* cols, int n, int safe_n, const float* w0, const float* w1,
                ptrdiff_t pf, float* o) {
  __m256i m[4];
  DwordMasks(Bytes4(0, 1, 0x80, 0x80), m);
  const __m256i lo = _mm256_set1_epi32(0xFF);
  const int d = Groups8(safe_n, [&](int d) {
    __m256i a = _mm256_setzero_si256();
    for (int j = 0; j < 4; ++j) {
      // Columns are >= 0: 32-bit unsigned arithmetic extends to pointer width for free.
      const uint32_t x0 = static_cast<uint32_t>(cols[2 * (d + j)]), x1 = static_cast<uint32_t>(cols[2 * (d + j + 4)]);
      if (j == 0) PrefetchAt(p + x0, pf), PrefetchAt(p + x1, pf);
      a = _mm256_or_si256(a, _mm256_shuffle_epi8(Windows(p + x0, p + x1), m[j]));
    }
    _mm256_storeu_ps(o + d, PairFilter(_mm256_loadu_ps(w0 + d), _mm256_loadu_ps(w1 + d), _mm256_and_si256(a, lo),
                                       _mm256_srli_epi32(a, 8)));
  });
  if (d < n) S().pairs_plane(p, cols + 2 * d, n - d, 0, w0 + d, w1 + d, pf, o + d);
}

// 4:2:0 chroma pairs, 8 outputs at a time: dword j of each lane = [U(x), U(x+1), V(x), V(x+1)] of
// pair j / j + 4. Interleaved chroma (NV12/NV21) takes all four from one window and one shuffle,
// I420 from a U and a V window. The second pixel's chroma sits one chroma sample further when x is
// odd, which the per-pair `odd` adds to the shuffle indices.
template <bool kInterleaved>
int PairsChromaImpl(const uint8_t* u, const uint8_t* v, const int32_t* cols, const uint8_t* odd, int safe_n,
                    const float* w0, const float* w1, ptrdiff_t pf, float* o_u, float* o_v) {
  const uint8_t* cu = kInterleaved ? std::min(u, v) : u;
  __m256i mu[4], mv[4];
  if (kInterleaved) {
    DwordMasks(
        Bytes4(static_cast<int>(u - cu), static_cast<int>(u - cu), static_cast<int>(v - cu), static_cast<int>(v - cu)),
        mu);
  } else {
    DwordMasks(Bytes4(0, 0, 0x80, 0x80), mu);
    DwordMasks(Bytes4(0x80, 0x80, 0, 0), mv);
  }
  // odd[d + j] to bytes 1 and 3 of dword j of the low lane, odd[d + 4 + j] to the high lane.
  const __m256i spread = _mm256_setr_epi8(-128, 0, -128, 0, -128, 1, -128, 1, -128, 2, -128, 2, -128, 3, -128, 3, -128,
                                          4, -128, 4, -128, 5, -128, 5, -128, 6, -128, 6, -128, 7, -128, 7);
  const __m256i lo = _mm256_set1_epi32(0xFF);
  return Groups8(safe_n, [&](int d) {
    int64_t odd8;
    std::memcpy(&odd8, odd + d, sizeof odd8);
    __m256i adj = _mm256_shuffle_epi8(_mm256_set1_epi64x(odd8), spread);
    if (kInterleaved) adj = _mm256_add_epi8(adj, adj);  // chroma samples are 2 bytes apart
    __m256i c = _mm256_setzero_si256();
    for (int j = 0; j < 4; ++j) {
      const uint32_t x0 = static_cast<uint32_t>(cols[2 * (d + j)]), x1 = static_cast<uint32_t>(cols[2 * (d + j + 4)]);
      const uint32_t c0 = kInterleaved ? x0 & ~1u : x0 >> 1, c1 = kInterleaved ? x1 & ~1u : x1 >> 1;
      if (j == 0) PrefetchAt(cu + c0, pf), PrefetchAt(cu + c1, pf);
      c = _mm256_or_si256(c, _mm256_shuffle_epi8(Windows(cu + c0, cu + c1), _mm256_add_epi8(mu[j], adj)));
      if (!kInterleaved)
        c = _mm256_or_si256(c, _mm256_shuffle_epi8(Windows(v + c0, v + c1), _mm256_add_epi8(mv[j], adj)));
    }
    const __m256 a = _mm256_loadu_ps(w0 + d), b = _mm256_loadu_ps(w1 + d);
    _mm256_storeu_ps(o_u + d, PairFilter(a, b, _mm256_and_si256(c, lo), _mm256_and_si256(_mm256_srli_epi32(c, 8), lo)));
    _mm256_storeu_ps(o_v + d,
                     PairFilter(a, b, _mm256_and_si256(_mm256_srli_epi32(c, 16), lo), _mm256_srli_epi32(c, 24)));
  });
}

void PairsChroma(const uint8_t* u, const uint8_t* v, int cstep, const int32_t* cols, const uint8_t* odd, int n,
                 int safe_n, const float* w0, const float* w1, ptrdiff_t pf, float* o_u, float* o_v) {
  const int d = cstep == 2 ? PairsChromaImpl<true>(u, v, cols, odd, safe_n, w0, w1, pf, o_u, o_v)
                           : PairsChromaImpl<false>(u, v, cols, odd, safe_n, w0, w1, pf, o_u, o_v);
  if (d < n) S().pairs_chroma(u, v, cstep, cols + 2 * d, odd + d, n - d, 0, w0 + d, w1 + d, pf, o_u + d, o_v + d);
}

// 4:2:0 gather for column pairs (x, x+1): one dword load fetches Y of both, one (NV12/NV21) or two
// (I420) fetch their chroma; byte shuffles built from the parity of x then pick the right samples
// (an even x shares one chroma sample between the two pixels, an odd x straddles two).
class YuvPairGather {
 public:
  YuvPairGather(const uint8_t* u, const uint8_t* v, int cstep) : v_(v), cstep_(cstep), nv_(cstep == 2) {
    cbase_ = nv_ ? std::min(u, v) : u;
    const int8_t ub = static_cast<int8_t>(nv_ ? u - cbase_ : 0), vb = static_cast<int8_t>(nv_ ? v - cbase_ : 0);
    // Per lane: output byte 2k / 2k+1 = first / second pixel of pair k (k = 0..3), upper 8 bytes unused.
    auto base = [](int8_t b) {
      return _mm256_setr_epi8(b, b, 4 + b, 4 + b, 8 + b, 8 + b, 12 + b, 12 + b, -1, -1, -1, -1, -1, -1, -1, -1, b, b,
                              4 + b, 4 + b, 8 + b, 8 + b, 12 + b, 12 + b, -1, -1, -1, -1, -1, -1, -1, -1);
    };
    umask_ = base(ub), vmask_ = base(vb), ymask_ = base(0);
    ymask_ = _mm256_add_epi8(ymask_, _mm256_setr_epi8(0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1,
                                                      0, 1, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  // Y, U, V of the 16 columns cols[0..16) (8 pairs), in column order.
  void operator()(const uint8_t* y, const int32_t* cols, __m128i* oy, __m128i* ou, __m128i* ov) const {
    // Moves dword k's low byte to byte 2k+1 (the second pixel of pair k).
    const __m256i to_second = _mm256_setr_epi8(-1, 0, -1, 4, -1, 8, -1, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, -1,
                                               4, -1, 8, -1, 12, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m256i evens = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    const __m256i a = _mm256_permutevar8x32_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(cols)), evens);
    const __m256i b =
        _mm256_permutevar8x32_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(cols + 8)), evens);
    const __m256i x = _mm256_permute2x128_si256(a, b, 0x20);  // first column of each of 8 pairs
    const __m256i odd = _mm256_mullo_epi32(_mm256_and_si256(x, _mm256_set1_epi32(1)), _mm256_set1_epi32(cstep_));
    const __m256i adj = _mm256_shuffle_epi8(odd, to_second);
    auto xk = [&](int k) { return static_cast<ptrdiff_t>(cols[2 * k]); };
    auto ck = [&](int k) { return (xk(k) >> 1) * cstep_; };
    const __m256i gu = Dwords(cbase_, ck);
    const __m256i gv = nv_ ? gu : Dwords(v_, ck);
    *oy = Low16(_mm256_shuffle_epi8(Dwords(y, xk), ymask_));
    *ou = Low16(_mm256_shuffle_epi8(gu, _mm256_add_epi8(umask_, adj)));
    *ov = Low16(_mm256_shuffle_epi8(gv, _mm256_add_epi8(vmask_, adj)));
  }

 private:
  static __m128i Low16(__m256i v) {  // low 8 bytes of each lane -> 16 bytes
    return _mm256_castsi256_si128(_mm256_permute4x64_epi64(v, 0x08));
  }
  const uint8_t *cbase_, *v_;
  int cstep_;
  bool nv_;
  __m256i umask_, vmask_, ymask_;
};

void GatherYuv(const uint8_t* y, const uint8_t* u, const uint8_t* v, int cstep, const int32_t* cols, int n, int safe_n,
               bool pairs, uint8_t* oy, uint8_t* ou, uint8_t* ov) {
  int i = 0;
  if (pairs) {
    const YuvPairGather gather(u, v, cstep);
    for (; i + 16 <= safe_n; i += 16) {
      __m128i a, b, c;
      gather(y, cols + i, &a, &b, &c);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(oy + i), a);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(ou + i), b);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(ov + i), c);
    }
  }
  if (i < n) S().gather_yuv(y, u, v, cstep, cols + i, n - i, 0, false, oy + i, ou + i, ov + i);
}

// YUV -> RGB of 16 pixels (Y', U', V' as int16, Y' already offset and clamped at 0) with 16-bit
// multiply-adds (vpmaddwd) on (Y', U') / (Y', V') pairs instead of 32-bit multiplies: the integer
// results are identical. bu exceeds int16 (2.018 * 2^14), so B adds U' * 2^14 separately.
// out[c][h]: unclamped int32 of channel c for pixels 0-3, 8-11 (h = 0) and 4-7, 12-15 (h = 1).
struct YuvMadd {
  __m256i rnd, c_r, c_gu, c_gv, c_b;
  explicit YuvMadd(const YuvCoeffs& k) {
    auto pair = [](int32_t a, int32_t b) {
      return _mm256_set1_epi32(
          static_cast<int32_t>((static_cast<uint32_t>(b) << 16) | (static_cast<uint32_t>(a) & 0xFFFFu)));
    };
    rnd = _mm256_set1_epi32(1 << (kYuvShift - 1));
    c_r = pair(k.y, k.rv), c_gu = pair(k.y, -k.gu), c_gv = pair(0, -k.gv), c_b = pair(k.y, k.bu - (1 << kYuvShift));
  }
  void operator()(__m256i yy, __m256i uu, __m256i vv, __m256i out[3][2]) const {
    for (int h = 0; h < 2; ++h) {
      const __m256i yu = h ? _mm256_unpackhi_epi16(yy, uu) : _mm256_unpacklo_epi16(yy, uu);
      const __m256i yv = h ? _mm256_unpackhi_epi16(yy, vv) : _mm256_unpacklo_epi16(yy, vv);
      const __m256i u32 = _mm256_srai_epi32(yu, 16);  // U' sign-extended (the high half of each pair)
      out[0][h] = _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(yv, c_r), rnd), kYuvShift);
      out[1][h] = _mm256_srai_epi32(
          _mm256_add_epi32(_mm256_add_epi32(_mm256_madd_epi16(yu, c_gu), _mm256_madd_epi16(yv, c_gv)), rnd), kYuvShift);
      out[2][h] = _mm256_srai_epi32(
          _mm256_add_epi32(_mm256_add_epi32(_mm256_madd_epi16(yu, c_b), _mm256_slli_epi32(u32, kYuvShift)), rnd),
          kYuvShift);
    }
  }
};

// 16 bytes of Y, U, V -> Y' = max(Y - offset, 0), U' = U - 128, V' = V - 128 as int16.
inline void YuvPrime(__m128i y, __m128i u, __m128i v, int y_offset, __m256i* yy, __m256i* uu, __m256i* vv) {
  const __m256i c128 = _mm256_set1_epi16(128);
  *yy = _mm256_max_epi16(_mm256_sub_epi16(_mm256_cvtepu8_epi16(y), _mm256_set1_epi16(static_cast<int16_t>(y_offset))),
                         _mm256_setzero_si256());
  *uu = _mm256_sub_epi16(_mm256_cvtepu8_epi16(u), c128);
  *vv = _mm256_sub_epi16(_mm256_cvtepu8_epi16(v), c128);
}

void YuvToRgb(const uint8_t* y, const uint8_t* u, const uint8_t* v, uint8_t* r, uint8_t* g, uint8_t* b, int n,
              const YuvCoeffs& k) {
  const YuvMadd madd(k);
  auto ld = [](const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); };
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256i yy, uu, vv, out[3][2];
    YuvPrime(ld(y + i), ld(u + i), ld(v + i), k.y_offset, &yy, &uu, &vv);
    madd(yy, uu, vv, out);
    uint8_t* dst[3] = {r, g, b};
    for (int c = 0; c < 3; ++c) {
      // packs + packus work within lanes, which undoes the unpack order: pixels come back 0..15.
      const __m256i w16 = _mm256_packs_epi32(out[c][0], out[c][1]);
      const __m256i b8 = _mm256_packus_epi16(w16, w16);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst[c] + i),
                       _mm256_castsi256_si128(_mm256_permute4x64_epi64(b8, 0x08)));
    }
  }
  if (i < n) S().yuv_to_rgb(y + i, u + i, v + i, r + i, g + i, b + i, n - i, k);
}

void RgbToGray(const uint8_t* r, const uint8_t* g, const uint8_t* b, uint8_t* gray, int n) {
  const __m256i wr = _mm256_set1_epi32(kGrayR), wg = _mm256_set1_epi32(kGrayG), wb = _mm256_set1_epi32(kGrayB);
  const __m256i rnd = _mm256_set1_epi32(1 << (kYuvShift - 1));
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256i out[2];
    for (int h = 0; h < 2; ++h) {
      const int o = i + 8 * h;
      __m256i acc = _mm256_add_epi32(_mm256_mullo_epi32(Load8u32(r + o), wr), rnd);
      acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(Load8u32(g + o), wg));
      acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(Load8u32(b + o), wb));
      out[h] = _mm256_srai_epi32(acc, kYuvShift);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(gray + i), Pack16(out[0], out[1], false));
  }
  if (i < n) S().rgb_to_gray(r + i, g + i, b + i, gray + i, n - i);
}

void Horizontal(const uint8_t* in, const int32_t* pos, const float* w, int taps, int n, float* out) {
  const __m256i low = _mm256_set1_epi32(0xFF);
  int d = 0;
  auto tap = [&](int t) {  // in[pos[d + k] + t] of 8 outputs (dword loads, low byte)
    return _mm256_cvtepi32_ps(_mm256_and_si256(Dwords(in + t, [&](int k) { return pos[d + k]; }), low));
  };
  for (; d + 8 <= n; d += 8) {
    __m256 acc = _mm256_mul_ps(_mm256_loadu_ps(w + d), tap(0));
    for (int t = 1; t < taps; ++t)
      acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_loadu_ps(w + static_cast<ptrdiff_t>(t) * n + d), tap(t)));
    _mm256_storeu_ps(out + d, acc);
  }
  for (; d < n; ++d) {  // same arithmetic as the reference (weights are tap-major over the full n)
    const uint8_t* p = in + pos[d];
    float acc = w[d] * p[0];
    for (int t = 1; t < taps; ++t) acc += w[static_cast<ptrdiff_t>(t) * n + d] * p[t];
    out[d] = acc;
  }
}

void HorizontalPairs(const uint8_t* in, const float* w, int n, float* out) {
  // Bytes of 8 pairs -> first taps in the low 8 bytes, second taps in the high 8.
  const __m128i split = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
  int d = 0;
  for (; d + 8 <= n; d += 8) {
    const __m128i b = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 2 * d)), split);
    const __m256 even = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b));
    const __m256 odd = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_unpackhi_epi64(b, b)));
    __m256 acc =
        _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(w + d), even), _mm256_mul_ps(_mm256_loadu_ps(w + n + d), odd));
    _mm256_storeu_ps(out + d, acc);
  }
  for (; d < n; ++d) {
    float acc = w[d] * in[2 * d];
    acc += w[n + d] * in[2 * d + 1];
    out[d] = acc;
  }
}

// sum_t w[t] * rows[t][i..i+8), summing in tap order.
inline __m256 VerticalAt(const float* const* rows, const float* w, int taps, int i) {
  __m256 acc = _mm256_mul_ps(_mm256_set1_ps(w[0]), _mm256_loadu_ps(rows[0] + i));
  for (int t = 1; t < taps; ++t)
    acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_set1_ps(w[t]), _mm256_loadu_ps(rows[t] + i)));
  return acc;
}

// Vertical filter of n values, each result v stored as finish(v) (8 at a time; scalar_finish for the
// tail, which sums like the reference). The two-tap (bilinear) loop keeps rows and weights in registers.
template <typename Finish, typename ScalarFinish>
inline void VerticalRows(const float* const* rows, const float* w, int taps, int n, float* out, Finish finish,
                         ScalarFinish scalar_finish) {
  int i = 0;
  if (taps == 2) {
    const float *r0 = rows[0], *r1 = rows[1];
    const __m256 a = _mm256_set1_ps(w[0]), b = _mm256_set1_ps(w[1]);
    for (; i + 8 <= n; i += 8)
      _mm256_storeu_ps(out + i, finish(_mm256_add_ps(_mm256_mul_ps(a, _mm256_loadu_ps(r0 + i)),
                                                     _mm256_mul_ps(b, _mm256_loadu_ps(r1 + i)))));
  } else {
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, finish(VerticalAt(rows, w, taps, i)));
  }
  for (; i < n; ++i) {
    float acc = w[0] * rows[0][i];
    for (int t = 1; t < taps; ++t) acc += w[t] * rows[t][i];
    out[i] = scalar_finish(acc);
  }
}

void Vertical(const float* const* rows, const float* w, int taps, int n, float* out) {
  VerticalRows(
      rows, w, taps, n, out, [](__m256 v) { return v; }, [](float v) { return v; });
}

void VerticalF32(const float* const* rows, const float* w, int taps, int n, float s, float b, float* out) {
  const __m256 vs = _mm256_set1_ps(s), vb = _mm256_set1_ps(b);
  VerticalRows(
      rows, w, taps, n, out, [&](__m256 v) { return _mm256_add_ps(_mm256_mul_ps(v, vs), vb); },
      [&](float v) { return v * s + b; });
}

// YuvFloatPixel on 8 pixels, operation for operation (max/min with 0 and 255 as its comparisons).
class YuvFloatVec {
 public:
  explicit YuvFloatVec(const YuvFloat& k)
      : off_(_mm256_set1_ps(k.y_offset)),
        y_(_mm256_set1_ps(k.y)),
        rv_(_mm256_set1_ps(k.rv)),
        gu_(_mm256_set1_ps(k.gu)),
        gv_(_mm256_set1_ps(k.gv)),
        bu_(_mm256_set1_ps(k.bu)) {}
  void operator()(__m256 y, __m256 u, __m256 v, __m256 rgb[3]) const {
    const __m256 zero = _mm256_setzero_ps(), c128 = _mm256_set1_ps(128.f), c255 = _mm256_set1_ps(255.f);
    auto clamp = [&](__m256 x) { return _mm256_min_ps(_mm256_max_ps(x, zero), c255); };
    const __m256 yy = _mm256_mul_ps(_mm256_max_ps(_mm256_sub_ps(y, off_), zero), y_);
    const __m256 uu = _mm256_sub_ps(u, c128), vv = _mm256_sub_ps(v, c128);
    rgb[0] = clamp(_mm256_add_ps(yy, _mm256_mul_ps(rv_, vv)));
    rgb[1] = clamp(_mm256_sub_ps(_mm256_sub_ps(yy, _mm256_mul_ps(gu_, uu)), _mm256_mul_ps(gv_, vv)));
    rgb[2] = clamp(_mm256_add_ps(yy, _mm256_mul_ps(bu_, uu)));
  }

 private:
  __m256 off_, y_, rv_, gu_, gv_, bu_;
};

void VerticalYuv(const float* const* rows, const float* w, int taps, int n, const YuvFloat& k, const float* s,
                 const float* b, float* const out[3]) {
  const YuvFloatVec convert(k);
  const __m256 vs[3] = {_mm256_set1_ps(s[0]), _mm256_set1_ps(s[1]), _mm256_set1_ps(s[2])};
  const __m256 vb[3] = {_mm256_set1_ps(b[0]), _mm256_set1_ps(b[1]), _mm256_set1_ps(b[2])};
  auto store = [&](int i, const __m256 yuv[3]) {
    __m256 rgb[3];
    convert(yuv[0], yuv[1], yuv[2], rgb);
    for (int c = 0; c < 3; ++c) _mm256_storeu_ps(out[c] + i, _mm256_add_ps(_mm256_mul_ps(rgb[c], vs[c]), vb[c]));
  };
  int i = 0;
  if (taps == 2) {  // bilinear: rows and weights in registers
    const __m256 a = _mm256_set1_ps(w[0]), c = _mm256_set1_ps(w[1]);
    for (; i + 8 <= n; i += 8) {
      __m256 yuv[3];
      for (int p = 0; p < 3; ++p)
        yuv[p] = _mm256_add_ps(_mm256_mul_ps(a, _mm256_loadu_ps(rows[2 * p] + i)),
                               _mm256_mul_ps(c, _mm256_loadu_ps(rows[2 * p + 1] + i)));
      store(i, yuv);
    }
  } else {
    for (; i + 8 <= n; i += 8) {
      const __m256 yuv[3] = {VerticalAt(rows, w, taps, i), VerticalAt(rows + taps, w, taps, i),
                             VerticalAt(rows + 2 * taps, w, taps, i)};
      store(i, yuv);
    }
  }
  for (; i < n; ++i) VerticalYuvPixel(rows, w, taps, i, k, s, b, out);
}

// pairs2_yuv tables: at a downscale of up to ~7x, pairs d and d + 1 (d even) lie in one 16-byte
// window at pair d, so one window load serves two pairs. Per group of 8 outputs, four 32-byte
// shuffles: luma A, luma B, chroma A, chroma B. A's lanes hold the windows of pairs 0 and 4 (feeding
// output dwords 0-1 of each lane), B's those of pairs 2 and 6 (dwords 2-3). A luma dword gets
// GridFilter's words [P(x), 0, P(x + 1), 0]; a chroma dword, from interleaved chroma (NV12/NV21),
// [U(x), V(x), U(x + 1), V(x + 1)], whose even bytes are U's words and odd bytes V's, and from a
// chroma plane (I420, the same shuffle for U and V) [C(x), 0, C(x + 1), 0].
constexpr int kCoupleMasks = 4;

bool Pairs2YuvTables(const int32_t* cols, int safe_n, int cstep, int u_off, int v_off, std::vector<uint8_t>* tables) {
  constexpr int kGroupBytes = kCoupleMasks * 32;
  std::vector<uint8_t> t(static_cast<size_t>(safe_n / 8) * kGroupBytes, 0x80);
  // Byte of pixel x's chroma sample in its row; for I420 (one plane per component) U and V alike.
  auto sample = [&](int x) { return (x >> 1) * cstep; };
  const int last = cstep == 2 ? std::max(u_off, v_off) : 0;
  for (int d = 0; d + 8 <= safe_n; d += 8) {
    uint8_t* g = &t[static_cast<size_t>(d / 8) * kGroupBytes];
    for (int q = 0; q < 8; ++q) {
      const int x = cols[2 * (d + q)], xb = cols[2 * (d + (q & ~1))];
      // Bytes from the window start: luma of x, x + 1; chroma samples of x and of x + 1.
      const int ry = x - xb, cf = sample(x) - sample(xb), cs = sample(x + 1) - sample(xb);
      if (ry + 1 > 15 || cs + last > 15) return false;
      uint8_t* luma = g + ((q % 4) / 2) * 32 + (q / 4) * 16 + (q % 4) * 4;  // mask A or B, lane, dword
      uint8_t* chroma = luma + 64;
      luma[0] = static_cast<uint8_t>(ry), luma[2] = static_cast<uint8_t>(ry + 1);
      if (cstep == 2) {
        chroma[0] = static_cast<uint8_t>(cf + u_off), chroma[1] = static_cast<uint8_t>(cf + v_off);
        chroma[2] = static_cast<uint8_t>(cs + u_off), chroma[3] = static_cast<uint8_t>(cs + v_off);
      } else {
        chroma[0] = static_cast<uint8_t>(cf), chroma[2] = static_cast<uint8_t>(cs);
      }
    }
  }
  *tables = std::move(t);
  return true;
}

// Two window loads at offsets a0 / a1 (lanes of A) and b0 / b1 (lanes of B) of one row.
struct Couple {
  __m256i a, b;
  Couple(const uint8_t* row, uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1)
      : a(Windows(row + a0, row + a1)), b(Windows(row + b0, row + b1)) {}
  __m256i Words(const __m256i* masks) const {
    return _mm256_or_si256(_mm256_shuffle_epi8(a, _mm256_loadu_si256(masks)),
                           _mm256_shuffle_epi8(b, _mm256_loadu_si256(masks + 1)));
  }
};

// pairs2_yuv over whole groups of 8 safe outputs with the tables; returns the first output not done.
// kInterleaved: NV12/NV21 chroma (u and v point into one row), else I420 planes.
template <bool kTwoChroma, bool kInterleaved>
int Pairs2YuvCouples(const uint8_t* const y[2], const uint8_t* const u[2], const uint8_t* const v[2],
                     const int32_t* cols, const uint8_t* tables, int safe_n, const float* w0, const float* w1,
                     const float* wy, const YuvFloat& k, const float* s, const float* b, ptrdiff_t pf_y, ptrdiff_t pf_c,
                     float* const out[3]) {
  const YuvFloatVec convert(k);
  const __m256 vs[3] = {_mm256_set1_ps(s[0]), _mm256_set1_ps(s[1]), _mm256_set1_ps(s[2])};
  const __m256 vb[3] = {_mm256_set1_ps(b[0]), _mm256_set1_ps(b[1]), _mm256_set1_ps(b[2])};
  __m256 ya, yc;
  GridVerticalWeights(wy, &ya, &yc);
  auto blend = [&](__m256 top, __m256 bottom) {
    return _mm256_add_ps(_mm256_mul_ps(ya, top), _mm256_mul_ps(yc, bottom));
  };
  // Locals, not the callers' arrays: the stores below may alias memory, which would reload those.
  // Interleaved chroma is read from its row's start (the lower of u and v).
  const uint8_t *y0 = y[0], *y1 = y[1];
  const uint8_t *u0 = kInterleaved ? std::min(u[0], v[0]) : u[0], *u1 = kInterleaved ? std::min(u[1], v[1]) : u[1];
  const uint8_t *v0 = v[0], *v1 = v[1];
  float* const o[3] = {out[0], out[1], out[2]};
  int d = 0;
  for (; d + 8 <= safe_n; d += 8, tables += kCoupleMasks * 32) {
    const uint32_t a0 = static_cast<uint32_t>(cols[2 * d]), a1 = static_cast<uint32_t>(cols[2 * (d + 4)]);
    const uint32_t b0 = static_cast<uint32_t>(cols[2 * (d + 2)]), b1 = static_cast<uint32_t>(cols[2 * (d + 6)]);
    auto sample = [](uint32_t x) { return kInterleaved ? x & ~1u : x >> 1; };  // chroma byte of pixel x
    const __m256i* m = reinterpret_cast<const __m256i*>(tables);
    PrefetchAt(y0 + a0, pf_y), PrefetchAt(y0 + a1, pf_y), PrefetchAt(y1 + a0, pf_y), PrefetchAt(y1 + a1, pf_y);
    PrefetchAt(u0 + sample(a0), pf_c), PrefetchAt(u0 + sample(a1), pf_c);
    if (!kInterleaved) PrefetchAt(v0 + sample(a0), pf_c), PrefetchAt(v0 + sample(a1), pf_c);
    const __m256i kw = GridWeights(w0 + d, w1 + d);
    const __m256 luma =
        blend(GridFilter(Couple(y0, a0, a1, b0, b1).Words(m), kw), GridFilter(Couple(y1, a0, a1, b0, b1).Words(m), kw));
    // U and V filtered from chroma row r.
    auto chroma = [&](const uint8_t* cu, const uint8_t* cv, __m256* fu, __m256* fv) {
      const uint32_t ca0 = sample(a0), ca1 = sample(a1), cb0 = sample(b0), cb1 = sample(b1);
      const __m256i q = Couple(cu, ca0, ca1, cb0, cb1).Words(m + 2);
      if (kInterleaved) {
        *fu = GridFilter(_mm256_and_si256(q, _mm256_set1_epi16(0xFF)), kw);
        *fv = GridFilter(_mm256_srli_epi16(q, 8), kw);
      } else {
        *fu = GridFilter(q, kw);
        *fv = GridFilter(Couple(cv, ca0, ca1, cb0, cb1).Words(m + 2), kw);
      }
    };
    __m256 fu0, fv0;
    chroma(u0, v0, &fu0, &fv0);
    __m256 fu1 = fu0, fv1 = fv0;
    if (kTwoChroma) chroma(u1, v1, &fu1, &fv1);
    __m256 rgb[3];
    convert(luma, blend(fu0, fu1), blend(fv0, fv1), rgb);
    for (int ch = 0; ch < 3; ++ch) _mm256_storeu_ps(o[ch] + d, _mm256_add_ps(_mm256_mul_ps(rgb[ch], vs[ch]), vb[ch]));
  }
  return d;
}

void Pairs2Yuv(const uint8_t* const y[2], const uint8_t* const u[2], const uint8_t* const v[2], int cstep,
               const int32_t* cols, const uint8_t* odd, const uint8_t* tables, int n, int safe_n, const float* w0,
               const float* w1, const float* wy, const YuvFloat& k, const float* s, const float* b, ptrdiff_t pf_y,
               ptrdiff_t pf_c, float* const out[3]) {
  int d = 0;
  if (tables) {
    const bool two = u[0] != u[1];
    auto run = [&](auto couples) {
      return couples(y, u, v, cols, tables, safe_n, w0, w1, wy, k, s, b, pf_y, pf_c, out);
    };
    if (cstep == 2)
      d = two ? run(Pairs2YuvCouples<true, true>) : run(Pairs2YuvCouples<false, true>);
    else
      d = two ? run(Pairs2YuvCouples<true, false>) : run(Pairs2YuvCouples<false, false>);
  }
  if (d < n) {
    float* const rest[3] = {out[0] + d, out[1] + d, out[2] + d};
    Pairs2YuvByChunks(Avx2Kernels(), y, u, v, cstep, cols + 2 * d, odd + d, n - d, safe_n - d, w0 + d, w1 + d, wy, k, s,
                      b, pf_y, pf_c, rest);
  }
}

void StoreF32(const float* in, int n, float s, float b, float* out, int step) {
  if (step != 1) return S().store_f32(in, n, s, b, out, step);
  const __m256 vs = _mm256_set1_ps(s), vb = _mm256_set1_ps(b);
  int i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(in + i), vs), vb));
  if (i < n) S().store_f32(in + i, n - i, s, b, out + i, 1);
}

void StoreF16(const float* in, int n, float s, float b, uint16_t* out, int step) {
  if (step != 1) return S().store_f16(in, n, s, b, out, step);
  const __m256 vs = _mm256_set1_ps(s), vb = _mm256_set1_ps(b);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(in + i), vs), vb);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
  }
  if (i < n) S().store_f16(in + i, n - i, s, b, out + i, 1);
}

void StoreQ8(const float* in, int n, float s, float b, float qs, int zp, int lo, int hi, uint8_t* out, int step) {
  if (step != 1) return S().store_q8(in, n, s, b, qs, zp, lo, hi, out, step);
  const __m256 vs = _mm256_set1_ps(s), vb = _mm256_set1_ps(b), vq = _mm256_set1_ps(qs);
  const __m256 flo = _mm256_set1_ps(static_cast<float>(lo - zp - 1)),
               fhi = _mm256_set1_ps(static_cast<float>(hi - zp + 1));
  const __m256i vzp = _mm256_set1_epi32(zp), vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi);
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256i q[2];
    for (int h = 0; h < 2; ++h) {
      __m256 v = _mm256_div_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(in + i + 8 * h), vs), vb), vq);
      v = _mm256_min_ps(_mm256_max_ps(v, flo), fhi);
      __m256i qi = _mm256_add_epi32(_mm256_cvtps_epi32(v), vzp);  // MXCSR default: round half to even
      q[h] = _mm256_min_epi32(_mm256_max_epi32(qi, vlo), vhi);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), Pack16(q[0], q[1], lo < 0));
  }
  if (i < n) S().store_q8(in + i, n - i, s, b, qs, zp, lo, hi, out + i, 1);
}

}  // namespace

const Kernels& Avx2Kernels() {
  static const Kernels k = [] {
    Kernels k{};
    k.name = "avx2";
    k.gather_packed = GatherPacked;
    k.pairs_packed = PairsPacked;
    k.pairs_plane = PairsPlane;
    k.pairs_chroma = PairsChroma;
    k.pairs2_packed = Pairs2Packed;
    k.pairs2_yuv = Pairs2Yuv;
    k.pairs2_yuv_tables = Pairs2YuvTables;
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
