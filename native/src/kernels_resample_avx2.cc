// AVX2 variant of the Pillow-exact resize kernels (kernels_resample.h). Compiled with -mavx2 and used
// only after CPU detection; bit-identical to kernels_resample_scalar.cc: the same 32-bit sums.
//
// Pillow's weights have 22 fractional bits, too many for the 16-bit multiplies of vpmaddwd.
// Vertical pass: each weight is split as k = kh * 2^11 + kl (kl = k & 2047, kh = k >> 11), two vpmaddwd
// accumulate sum p kl and sum p kh exactly in 32 bits (p <= 255), and (sum p kh << 11) + sum p kl is the
// 32-bit sum of the reference. Horizontal pass (most of the work: every source row): one vpmaddwd on
// c = round(k / 2^s) (s per output, the least that fits c in 16 bits) gives the sum to within
// sum p (k - c 2^s) in [Elo, Ehi], Elo = 255 x the negative remainders, Ehi = 255 x the positive ones;
// where the result rounds the same at both ends (all but 0.5-0.8 % of the outputs of a 1920 -> 224
// row of noise: Ehi - Elo is ~0.5 % of 2^22; all outputs of flat areas), that is the exact result;
// the other outputs are recomputed exactly (the scalar sum).
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels_resample.h"

namespace vidlite {
namespace {

constexpr int kSplit = 11;

const ResampleKernels& S() { return ScalarResampleKernels(); }

inline int32_t Lo(int32_t k) { return k & ((1 << kSplit) - 1); }
inline int32_t Hi(int32_t k) { return k >> kSplit; }

inline __m256i Load(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// Horizontal tables: a 32-byte header (int32 number of groups), then per group of 8 outputs the c words
// of its steps (below), then s, Elo and Ehi of its outputs in the order the sums come out (8 int32
// each; planes: o0 .. o7, packed: [o0, o2, o4, o6, o1, o3, o5, o7]); then every output's k (int32):
// the exact sums, the outputs past the last whole group, and all of them when taps are not a
// multiple of the step.
// Planes (bpp 1): per pair (a, b) of the group, a's 16-tap steps, b's (one 16-byte load widened to 16
// words each: 32 bytes of c words), and when taps / 8 is odd a last 8-tap step the pair shares,
// [4 c of a, 4 of b | the next 4 of a, of b] (two 8-byte loads in one vector, laid out as the
// pair's 16-tap sums come out of vphaddd).
// Packed (bpp 3, 4): per output, 4-tap steps of [c_t, c_t+1] x 3 channels + 2 zero words in the low
// lane and the same of taps t + 2, t + 3 in the high lane (one 16-byte window holds the 4 pixels).
constexpr size_t kHeader = 32;
inline bool Packed(int bpp) { return bpp >= 3; }
inline int Step(int bpp) { return Packed(bpp) ? 4 : 8; }
size_t GroupBytes(int taps, int bpp) {
  return ((Packed(bpp) ? 8 * (taps / 4) : 4 * (2 * (taps / 16) + (taps / 8) % 2)) + 3) * 32;
}
inline int Groups(int taps, int n, int bpp) { return taps % Step(bpp) ? 0 : n / 8; }
// The output of sum lane j: planes in order, packed even outputs in the low lane, odd in the high.
inline int Lane(int j, bool packed) { return !packed ? j : j < 4 ? 2 * j : 2 * (j - 4) + 1; }

// round(k / 2^s), ties up.
inline int32_t Scaled(int32_t k, int s) { return s ? (k + (1 << (s - 1))) >> s : k; }

void HTables(const int32_t* k, int taps, int n, int bpp, std::vector<uint8_t>* tables) {
  const int groups = Groups(taps, n, bpp), full = taps / 16;
  const size_t all = static_cast<size_t>(n) * taps;
  std::vector<int32_t> shift(n, 0);
  for (int d = 0; d < n; ++d)
    for (int tap = 0; tap < taps; ++tap)
      while (Scaled(k[static_cast<size_t>(d) * taps + tap], shift[d]) < -32768 ||
             Scaled(k[static_cast<size_t>(d) * taps + tap], shift[d]) > 32767)
        ++shift[d];
  tables->assign(kHeader + groups * GroupBytes(taps, bpp) + all * sizeof(int32_t), 0);
  std::memcpy(tables->data(), &groups, sizeof groups);
  uint8_t* t = tables->data() + kHeader;
  auto c = [&](int d, int tap) {
    return static_cast<int16_t>(Scaled(k[static_cast<size_t>(d) * taps + tap], shift[d]));
  };
  auto put = [&](const int16_t(&w)[16]) {
    std::memcpy(t, w, sizeof w);
    t += sizeof w;
  };
  for (int g = 0; g < groups; ++g) {
    for (int pair = 0; pair < 4 && !Packed(bpp); ++pair) {
      const int a = 8 * g + 2 * pair;
      for (int d : {a, a + 1})
        for (int s = 0; s < full; ++s) {
          int16_t w[16];
          for (int j = 0; j < 16; ++j) w[j] = c(d, 16 * s + j);
          put(w);
        }
      if ((taps / 8) % 2) {
        int16_t w[16];
        for (int j = 0; j < 16; ++j) w[j] = c(a + j / 4 % 2, 16 * full + 4 * (j / 8) + j % 4);
        put(w);
      }
    }
    for (int d = 8 * g; d < 8 * g + 8 && Packed(bpp); ++d)
      for (int s = 0; s < taps / 4; ++s) {
        int16_t w[16] = {};
        for (int lane = 0; lane < 2; ++lane)
          for (int ch = 0; ch < 3; ++ch)
            for (int j = 0; j < 2; ++j) w[8 * lane + 2 * ch + j] = c(d, 4 * s + 2 * lane + j);
        put(w);
      }
    int32_t bounds[3][8] = {};  // s, Elo, Ehi
    for (int j = 0; j < 8; ++j) {
      const int d = 8 * g + Lane(j, Packed(bpp));
      bounds[0][j] = shift[d];
      for (int tap = 0; tap < taps; ++tap) {
        const int32_t kk = k[static_cast<size_t>(d) * taps + tap], r = kk - Scaled(kk, shift[d]) * (1 << shift[d]);
        bounds[r < 0 ? 1 : 2][j] += 255 * r;
      }
    }
    std::memcpy(t, bounds, sizeof bounds);
    t += sizeof bounds;
  }
  std::memcpy(t, k, all * sizeof(int32_t));
}

struct HTable {
  int32_t count;          // groups in the table
  const uint8_t* groups;  // group 0's c words
  const int32_t* k;       // every output's exact weights
};

HTable ReadTable(const uint8_t* tables, int taps, int bpp) {
  HTable h;
  std::memcpy(&h.count, tables, sizeof h.count);
  h.groups = tables + kHeader;
  h.k = reinterpret_cast<const int32_t*>(h.groups + h.count * GroupBytes(taps, bpp));
  return h;
}

inline __m256i Dot(__m256i words, const uint8_t* t) { return _mm256_madd_epi16(words, Load(t)); }

// The rare exact sum, out of line so the vector loops keep their registers.
__attribute__((noinline)) uint8_t Exact(const uint8_t* p, ptrdiff_t step, const int32_t* k, int taps) {
  return PilDot(p, step, k, taps);
}

// The 8 outputs of a group from their sums of p c (lanes in the order of Lane(j, kPacked)) and the
// group's s, Elo, Ehi at t: clipped bytes stored in order, then redo(i) recomputes output i of the
// group where the bounds leave the rounding open.
template <bool kPacked, typename Redo>
inline void Finish8(__m256i sums, const uint8_t* t, uint8_t* out, Redo redo) {
  const __m256i mid = _mm256_add_epi32(_mm256_sllv_epi32(sums, Load(t)), _mm256_set1_epi32(1 << 21));
  const __m256i q = _mm256_srai_epi32(_mm256_add_epi32(mid, Load(t + 32)), 22);
  const __m256i high = _mm256_srai_epi32(_mm256_add_epi32(mid, Load(t + 64)), 22);
  const unsigned same = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(q, high))));
  const __m256i b = _mm256_packus_epi16(_mm256_packs_epi32(q, q), _mm256_setzero_si256());
  const __m128i lo = _mm256_castsi256_si128(b), hi = _mm256_extracti128_si256(b, 1);
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out), kPacked ? _mm_unpacklo_epi8(lo, hi) : _mm_unpacklo_epi32(lo, hi));
  for (unsigned open = ~same & 0xFFu; open; open &= open - 1) redo(Lane(__builtin_ctz(open), kPacked));
}

// One output's 16-tap steps on each plane: 8 partial sums of p c per plane, [taps 0-7 | taps 8-15].
template <int kPlanes>
inline void FullSteps(const uint8_t* const* in, int32_t x, int steps, const uint8_t* t, __m256i acc[kPlanes]) {
  for (int p = 0; p < kPlanes; ++p) acc[p] = _mm256_setzero_si256();
  for (int s = 0; s < steps; ++s, t += 32)
    for (int p = 0; p < kPlanes; ++p)
      acc[p] = _mm256_add_epi32(
          acc[p], Dot(_mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in[p] + x + 16 * s))), t));
}

// [a's 4 partial sums | b's 4] from 8 of each.
inline __m256i Fold(__m256i a, __m256i b) {
  return _mm256_add_epi32(_mm256_permute2x128_si256(a, b, 0x20), _mm256_permute2x128_si256(a, b, 0x31));
}

// The 128 bytes of each plane from the group's first window on, pf further: a group of 8 outputs
// moves at most that far along a row for the downscales that matter (1080p -> 224: 69 bytes).
template <int kPlanes>
inline void Prefetch(const uint8_t* const* in, ptrdiff_t x, ptrdiff_t pf) {
  if (!pf) return;
  for (int p = 0; p < kPlanes; ++p) {
    _mm_prefetch(reinterpret_cast<const char*>(in[p] + x + pf), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(in[p] + x + pf + 64), _MM_HINT_T0);
  }
}

// kFull >= 0: the number of 16-tap steps, known at compile time so the loops unroll (the common
// geometries); -1: `full_steps` at run time. Reduction: vphaddd of a pair's 16-tap sums gives
// [a, a, b, b | a, a, b, b] (the shared step's layout), of two pairs [o0..o3 | o0..o3] per lane half.
template <int kPlanes, int kFull, bool kShared>
void HorizontalGroups(const uint8_t* const* in, const int32_t* start, const HTable& h, int taps, int full_steps,
                      int groups, ptrdiff_t pf, uint8_t* const* out) {
  const int full = kFull >= 0 ? kFull : full_steps;
  const size_t pair_bytes = (2 * static_cast<size_t>(full) + kShared) * 32;
  const uint8_t* t = h.groups;
  for (int g = 0; g < groups; ++g) {
    Prefetch<kPlanes>(in, start[8 * g], pf);
    __m256i quads[kPlanes][2];  // outputs 0-3 and 4-7, each [lane-low sums | lane-high sums]
    for (int pair = 0; pair < 4; ++pair, t += pair_bytes) {
      const int32_t a = start[8 * g + 2 * pair], b = start[8 * g + 2 * pair + 1];
      __m256i ab[kPlanes];
      if (full) {
        __m256i sa[kPlanes], sb[kPlanes];
        FullSteps<kPlanes>(in, a, full, t, sa);
        FullSteps<kPlanes>(in, b, full, t + 32 * full, sb);
        for (int p = 0; p < kPlanes; ++p) ab[p] = _mm256_hadd_epi32(sa[p], sb[p]);
      }
      if (kShared)
        for (int p = 0; p < kPlanes; ++p) {
          const __m128i xa = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(in[p] + a + 16 * full));
          const __m128i xb = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(in[p] + b + 16 * full));
          const __m256i s = Dot(_mm256_cvtepu8_epi16(_mm_unpacklo_epi32(xa, xb)), t + 64 * full);
          ab[p] = full ? _mm256_add_epi32(ab[p], s) : s;
        }
      for (int p = 0; p < kPlanes; ++p)
        quads[p][pair / 2] = pair % 2 ? _mm256_hadd_epi32(quads[p][pair / 2], ab[p]) : ab[p];
    }
    for (int p = 0; p < kPlanes; ++p)
      Finish8<false>(Fold(quads[p][0], quads[p][1]), t, out[p] + 8 * g, [&](int j) {
        const int d = 8 * g + j;
        out[p][d] = Exact(in[p] + start[d], 1, h.k + static_cast<ptrdiff_t>(d) * taps, taps);
      });
    t += 96;
  }
}

template <int kPlanes>
void HorizontalPlanes(const uint8_t* const* in, const int32_t* start, const HTable& h, int taps, int groups,
                      ptrdiff_t pf, uint8_t* const* out) {
  const int full = taps / 16;
  const bool shared = (taps / 8) % 2;
  switch (2 * full + shared) {  // 8 .. 56 taps unrolled
    case 1: return HorizontalGroups<kPlanes, 0, true>(in, start, h, taps, full, groups, pf, out);
    case 2: return HorizontalGroups<kPlanes, 1, false>(in, start, h, taps, full, groups, pf, out);
    case 3: return HorizontalGroups<kPlanes, 1, true>(in, start, h, taps, full, groups, pf, out);
    case 4: return HorizontalGroups<kPlanes, 2, false>(in, start, h, taps, full, groups, pf, out);
    case 5: return HorizontalGroups<kPlanes, 2, true>(in, start, h, taps, full, groups, pf, out);
    case 6: return HorizontalGroups<kPlanes, 3, false>(in, start, h, taps, full, groups, pf, out);
    case 7: return HorizontalGroups<kPlanes, 3, true>(in, start, h, taps, full, groups, pf, out);
    default:
      if (shared) return HorizontalGroups<kPlanes, -1, true>(in, start, h, taps, full, groups, pf, out);
      return HorizontalGroups<kPlanes, -1, false>(in, start, h, taps, full, groups, pf, out);
  }
}

void Horizontal(const uint8_t* const* in, int planes, const int32_t* start, const uint8_t* tables, int taps, int n,
                ptrdiff_t pf, uint8_t* const* out) {
  const HTable h = ReadTable(tables, taps, 1);
  const int groups = std::min(h.count, n / 8);
  switch (planes) {
    case 1: HorizontalPlanes<1>(in, start, h, taps, groups, pf, out); break;
    case 2: HorizontalPlanes<2>(in, start, h, taps, groups, pf, out); break;
    default: HorizontalPlanes<3>(in, start, h, taps, groups, pf, out); break;
  }
  for (int p = 0; p < planes; ++p)
    for (int d = 8 * groups; d < n; ++d)
      out[p][d] = PilDot(in[p] + start[d], 1, h.k + static_cast<ptrdiff_t>(d) * taps, taps);
}

// One output of packed pixels: its 4-tap steps (one 16-byte window of 4 pixels each, both lanes),
// sums of p c per lane [c0, c1, c2, 0 | c0, c1, c2, 0].
template <int kBpp, int kSteps>
inline __m256i PackedOutput(const uint8_t* p, int steps, __m256i mask, const uint8_t* t) {
  __m256i acc = _mm256_setzero_si256();
  for (int s = 0; s < (kSteps >= 0 ? kSteps : steps); ++s) {
    const __m256i w = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 4 * kBpp * s)));
    acc = _mm256_add_epi32(acc, Dot(_mm256_shuffle_epi8(w, mask), t + 32 * s));
  }
  return acc;
}

template <int kBpp, int kSteps>
void PackedGroups(const uint8_t* in, const int* off, const int32_t* start, const HTable& h, int taps, int g0,
                  int groups, ptrdiff_t pf, uint8_t* const* out) {
  const int steps = taps / 4;
  const size_t output_bytes = 32 * static_cast<size_t>(steps);
  // Low lane: [c(t), c(t+1)] words for c = off[0], off[1], off[2], 2 zero words; high lane: taps t+2, t+3.
  alignas(32) int8_t m[32];
  for (int lane = 0; lane < 2; ++lane)
    for (int i = 0; i < 16; ++i)
      m[16 * lane + i] = i % 2 || i >= 12 ? -1 : static_cast<int8_t>(kBpp * (2 * lane + i / 2 % 2) + off[i / 4]);
  const __m256i mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(m));
  const uint8_t* t = h.groups + g0 * GroupBytes(taps, kBpp);
  for (int g = g0; g < groups; ++g) {
    if (pf) {  // a group moves up to ~4 lines along a row of packed pixels
      const char* p = reinterpret_cast<const char*>(in + start[8 * g] * kBpp + pf);
      for (int line = 0; line < 4; ++line) _mm_prefetch(p + 64 * line, _MM_HINT_T0);
    }
    __m256i q[4];  // [o(2i): c0, c1, c2, 0 | o(2i+1): c0, c1, c2, 0]
    for (int i = 0; i < 4; ++i, t += 2 * output_bytes) {
      const int d = 8 * g + 2 * i;
      q[i] = Fold(PackedOutput<kBpp, kSteps>(in + start[d] * kBpp, steps, mask, t),
                  PackedOutput<kBpp, kSteps>(in + start[d + 1] * kBpp, steps, mask, t + output_bytes));
    }
    // Transposed to one vector per channel, lanes [o0, o2, o4, o6 | o1, o3, o5, o7].
    const __m256i l01 = _mm256_unpacklo_epi32(q[0], q[1]), l23 = _mm256_unpacklo_epi32(q[2], q[3]);
    const __m256i h01 = _mm256_unpackhi_epi32(q[0], q[1]), h23 = _mm256_unpackhi_epi32(q[2], q[3]);
    const __m256i sums[3] = {_mm256_unpacklo_epi64(l01, l23), _mm256_unpackhi_epi64(l01, l23),
                             _mm256_unpacklo_epi64(h01, h23)};
    for (int c = 0; c < 3; ++c)
      Finish8<true>(sums[c], t, out[c] + 8 * g, [&](int j) {
        const int d = 8 * g + j;
        out[c][d] = Exact(in + start[d] * kBpp + off[c], kBpp, h.k + static_cast<ptrdiff_t>(d) * taps, taps);
      });
    t += 96;
  }
}

template <int kBpp>
void PackedSteps(const uint8_t* in, const int* off, const int32_t* start, const HTable& h, int taps, int g0, int groups,
                 ptrdiff_t pf, uint8_t* const* out) {
  // clang-format cannot tell that each VIDLITE_STEPS expansion is a case label with its statement.
  // clang-format off
  switch (taps / 4) {  // 4 .. 48 taps unrolled
#define VIDLITE_STEPS(n) \
  case n: return PackedGroups<kBpp, n>(in, off, start, h, taps, g0, groups, pf, out);
    VIDLITE_STEPS(1) VIDLITE_STEPS(2) VIDLITE_STEPS(3) VIDLITE_STEPS(4) VIDLITE_STEPS(5) VIDLITE_STEPS(6)
    VIDLITE_STEPS(7) VIDLITE_STEPS(8) VIDLITE_STEPS(9) VIDLITE_STEPS(10) VIDLITE_STEPS(11) VIDLITE_STEPS(12)
#undef VIDLITE_STEPS
    default: return PackedGroups<kBpp, -1>(in, off, start, h, taps, g0, groups, pf, out);
  }
  // clang-format on
}

void HorizontalPacked(const uint8_t* in, int bpp, const int* off, const int32_t* start, const uint8_t* tables, int taps,
                      int n, int from, ptrdiff_t pf, uint8_t* const* out) {
  const HTable h = ReadTable(tables, taps, bpp);
  const int groups = std::min(h.count, n / 8);
  if (bpp == 3)
    PackedSteps<3>(in, off, start, h, taps, from / 8, groups, pf, out);
  else
    PackedSteps<4>(in, off, start, h, taps, from / 8, groups, pf, out);
  for (int c = 0; c < 3; ++c)
    for (int d = std::max(from, 8 * groups); d < n; ++d)
      out[c][d] = PilDot(in + static_cast<ptrdiff_t>(start[d]) * bpp + off[c], bpp,
                         h.k + static_cast<ptrdiff_t>(d) * taps, taps);
}

// 32 columns of rows r0, r1 as four vectors of dword pairs (r0[x], r1[x]) zero-extended to words:
// columns [0-3 | 16-19], [4-7 | 20-23], [8-11 | 24-27], [12-15 | 28-31].
inline void PairWords(const uint8_t* r0, const uint8_t* r1, __m256i w[4]) {
  const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r0));
  const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r1));
  const __m256i z = _mm256_setzero_si256(), l = _mm256_unpacklo_epi8(a, b), h = _mm256_unpackhi_epi8(a, b);
  w[0] = _mm256_unpacklo_epi8(l, z), w[1] = _mm256_unpackhi_epi8(l, z);
  w[2] = _mm256_unpacklo_epi8(h, z), w[3] = _mm256_unpackhi_epi8(h, z);
}

void Vertical(const uint8_t* const* rows, const int32_t* k, int taps, int n, uint8_t* out) {
  // Taps in pairs (an odd last tap paired with itself at weight 0): dword (kl_t, kl_t+1) and (kh_t, kh_t+1).
  constexpr int kMaxPairs = 64;
  const int pairs = (taps + 1) / 2;
  if (pairs > kMaxPairs) return S().vertical(rows, k, taps, n, out);
  __m256i kl[kMaxPairs], kh[kMaxPairs];
  const uint8_t* r[2 * kMaxPairs];
  for (int j = 0; j < pairs; ++j) {
    const int t1 = 2 * j + 1 < taps ? 2 * j + 1 : 2 * j;
    const int32_t k1 = 2 * j + 1 < taps ? k[t1] : 0;
    kl[j] = _mm256_set1_epi32(
        static_cast<int32_t>(static_cast<uint32_t>(Lo(k[2 * j])) | static_cast<uint32_t>(Lo(k1)) << 16));
    kh[j] = _mm256_set1_epi32(
        static_cast<int32_t>(static_cast<uint16_t>(Hi(k[2 * j])) | static_cast<uint32_t>(Hi(k1)) << 16));
    r[2 * j] = rows[2 * j], r[2 * j + 1] = rows[t1];
  }
  const __m256i round = _mm256_set1_epi32(1 << 21);
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i lo[4], hi[4];
    for (int q = 0; q < 4; ++q) lo[q] = hi[q] = _mm256_setzero_si256();
    for (int j = 0; j < pairs; ++j) {
      __m256i w[4];
      PairWords(r[2 * j] + i, r[2 * j + 1] + i, w);
      for (int q = 0; q < 4; ++q) {
        lo[q] = _mm256_add_epi32(lo[q], _mm256_madd_epi16(w[q], kl[j]));
        hi[q] = _mm256_add_epi32(hi[q], _mm256_madd_epi16(w[q], kh[j]));
      }
    }
    __m256i v[4];
    for (int q = 0; q < 4; ++q)
      v[q] = _mm256_srai_epi32(_mm256_add_epi32(_mm256_add_epi32(lo[q], _mm256_slli_epi32(hi[q], kSplit)), round), 22);
    // The pack steps undo the unpack steps' column order.
    const __m256i b = _mm256_packus_epi16(_mm256_packs_epi32(v[0], v[1]), _mm256_packs_epi32(v[2], v[3]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), b);
  }
  if (i < n) {
    const uint8_t* tail[2 * kMaxPairs];
    for (int t = 0; t < taps; ++t) tail[t] = rows[t] + i;
    S().vertical(tail, k, taps, n - i, out + i);
  }
}

// Per 128-bit lane, the bytes of channel c of the lane's pixels (16 / bpp of them, at most 8 used)
// gathered into 4-byte slot c (bpp 3, 4: 4 pixels per lane) or 8-byte slot c (bpp 2: 8 pixels).
__m256i DeinterleaveMask(int bpp, const int* off, int channels) {
  alignas(32) int8_t m[32];
  const int px = bpp == 2 ? 8 : 4;
  for (int lane = 0; lane < 2; ++lane)
    for (int i = 0; i < 16; ++i) {
      const int c = i / px, j = i % px;
      m[16 * lane + i] = c < channels ? static_cast<int8_t>(j * bpp + off[c]) : -1;
    }
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(m));
}

void Deinterleave(const uint8_t* in, int bpp, const int* off, int channels, int n, uint8_t* const* out) {
  const __m256i m = DeinterleaveMask(bpp, off, channels);
  int i = 0;
  if (bpp == 2) {  // 16 pixels: lane = 8 pixels -> [c0 x 8, c1 x 8]; quadwords to [c0 x 16 | c1 x 16]
    for (; i + 16 <= n; i += 16) {
      const __m256i x = _mm256_shuffle_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 2 * i)), m);
      const __m256i y = _mm256_permute4x64_epi64(x, 0xD8);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out[0] + i), _mm256_castsi256_si128(y));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out[1] + i), _mm256_extracti128_si256(y, 1));
    }
  } else {
    // 8 pixels: lanes at pixel 0 and 4 (16 bytes each; bpp 3 reads 4 bytes past pixel 7, so the loop
    // stops 2 pixels early); dwords to [c0 x 8 | c1 x 8 | c2 x 8 | unused].
    const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    const int stop = bpp == 3 ? n - 2 : n;
    for (; i + 8 <= stop; i += 8) {
      const uint8_t* p = in + static_cast<ptrdiff_t>(i) * bpp;
      const __m256i x =
          _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(p + 4 * bpp), reinterpret_cast<const __m128i*>(p));
      const __m256i y = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(x, m), perm);
      const __m128i lo = _mm256_castsi256_si128(y);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out[0] + i), lo);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out[1] + i), _mm_unpackhi_epi64(lo, lo));
      if (channels > 2) _mm_storel_epi64(reinterpret_cast<__m128i*>(out[2] + i), _mm256_extracti128_si256(y, 1));
    }
  }
  if (i < n) {
    uint8_t* rest[3] = {out[0] + i, out[1] + i, channels > 2 ? out[2] + i : nullptr};
    S().deinterleave(in + static_cast<ptrdiff_t>(i) * bpp, bpp, off, channels, n - i, rest);
  }
}

}  // namespace

const ResampleKernels& Avx2ResampleKernels() {
  static const ResampleKernels k = [] {
    ResampleKernels k{};
    k.name = "avx2";
    k.tap_align[0] = 1;
    k.tap_align[1] = 8;
    k.tap_align[2] = 8;
    k.tap_align[3] = 4;
    k.tap_align[4] = 4;
    k.packed_over_read = 4;  // packed windows are 16 bytes: 4 pixels of 3 bytes leave 4 more
    k.h_tables = HTables;
    k.horizontal = Horizontal;
    k.horizontal_packed = HorizontalPacked;
    k.vertical = Vertical;
    k.deinterleave = Deinterleave;
    return k;
  }();
  return k;
}

}  // namespace vidlite
