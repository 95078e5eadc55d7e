// Every SIMD variant against the scalar reference, kernel by kernel: bit-identical outputs over odd
// lengths, unaligned starts (inputs end at a guard page) and strided stores.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "check.h"
#include "kernels.h"
#include "vidlite/cpu_features.h"

using namespace vidlite;

namespace {

std::vector<const Kernels*> SimdVariants() {
  std::vector<const Kernels*> v;
  const uint32_t f = CpuFeaturesDetected();
#if defined(__x86_64__)
  const uint32_t need = kCpuHasAVX2 | kCpuHasFMA | kCpuHasF16C;
  if ((f & need) == need) v.push_back(&Avx2Kernels());
#endif
#if defined(__aarch64__)
  if (f & kCpuHasNEON) v.push_back(&NeonKernels());
#endif
  (void)f;
  if (v.empty()) std::printf("  (no SIMD variant on this CPU: nothing to compare)\n");
  return v;
}

const int kLengths[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 100, 257, 1001};
// BT.601 / BT.709, limited / full range.
const YuvCoeffs kYuvDescriptions[] = {{16, 19077, 26149, 6419, 13320, 33050},
                                      {0, 16384, 22970, 5638, 11700, 29032},
                                      {16, 19077, 29372, 3494, 8731, 34610},
                                      {0, 16384, 25802, 3069, 7669, 30402}};

// A bilinear weight as the geometry makes them: on the 2^-kWeightBits grid the two-row kernels need.
float GridWeight(std::mt19937& rng) {
  return static_cast<float>(rng() % ((1u << kWeightBits) + 1)) / static_cast<float>(1 << kWeightBits);
}

template <typename T>
bool Same(const T* a, const T* b, size_t n) {
  return std::memcmp(a, b, n * sizeof(T)) == 0;
}

}  // namespace

VT_TEST(YuvToRgbMatchesScalar) {
  std::mt19937 rng(1);
  for (const Kernels* k : SimdVariants())
    for (int n : kLengths)
      for (const auto& c : kYuvDescriptions) {
        vtest::GuardedBuffer y(n), u(n), v(n);
        y.Fill(rng), u.Fill(rng), v.Fill(rng);
        std::vector<uint8_t> ref(3 * n), got(3 * n);
        ScalarKernels().yuv_to_rgb(y.data(), u.data(), v.data(), &ref[0], &ref[n], &ref[2 * n], n, c);
        k->yuv_to_rgb(y.data(), u.data(), v.data(), &got[0], &got[n], &got[2 * n], n, c);
        VT_CHECK(ref == got);
      }
}

VT_TEST(RgbToGrayMatchesScalar) {
  std::mt19937 rng(2);
  for (const Kernels* k : SimdVariants())
    for (int n : kLengths) {
      vtest::GuardedBuffer r(n), g(n), b(n);
      r.Fill(rng), g.Fill(rng), b.Fill(rng);
      std::vector<uint8_t> ref(n), got(n);
      ScalarKernels().rgb_to_gray(r.data(), g.data(), b.data(), ref.data(), n);
      k->rgb_to_gray(r.data(), g.data(), b.data(), got.data(), n);
      VT_CHECK(ref == got);
    }
}

VT_TEST(VerticalMatchesScalar) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> uw(0.f, 1.f), uv(0.f, 255.f);
  for (const Kernels* k : SimdVariants())
    for (int n : kLengths)
      for (int taps : {1, 2, 3, 5, 7, 9}) {
        std::vector<std::unique_ptr<vtest::GuardedBuffer>> bufs;
        std::vector<const float*> rows;
        std::vector<float> w(taps);
        for (int t = 0; t < taps; ++t) {
          bufs.emplace_back(new vtest::GuardedBuffer(n * sizeof(float)));
          float* r = reinterpret_cast<float*>(bufs.back()->data());
          for (int i = 0; i < n; ++i) r[i] = uv(rng);
          rows.push_back(r);
          w[t] = uw(rng);
        }
        std::vector<float> ref(n), got(n);
        ScalarKernels().vertical(rows.data(), w.data(), taps, n, ref.data());
        k->vertical(rows.data(), w.data(), taps, n, got.data());
        VT_CHECK(Same(ref.data(), got.data(), n));
        // vertical_f32 = vertical then store_f32, in every variant.
        std::vector<float> chain(n), fused(n), simd(n);
        ScalarKernels().store_f32(ref.data(), n, 0.0174f, -2.03f, chain.data(), 1);
        ScalarKernels().vertical_f32(rows.data(), w.data(), taps, n, 0.0174f, -2.03f, fused.data());
        k->vertical_f32(rows.data(), w.data(), taps, n, 0.0174f, -2.03f, simd.data());
        VT_CHECK(Same(chain.data(), fused.data(), n));
        VT_CHECK(Same(chain.data(), simd.data(), n));
      }
}

VT_TEST(HorizontalMatchesScalar) {
  std::mt19937 rng(4);
  std::uniform_real_distribution<float> uw(0.f, 1.f);
  for (const Kernels* k : SimdVariants())
    for (int n : kLengths)
      for (int taps = 1; taps <= 6; ++taps) {
        const int len = n + taps + 3;
        // The kernel contract allows reading 3 bytes past the last tap: the guard sits right after.
        vtest::GuardedBuffer in(len + 3);
        in.Fill(rng);
        std::vector<int32_t> pos(n);
        std::vector<float> w(static_cast<size_t>(n) * taps);
        for (int d = 0; d < n; ++d) pos[d] = static_cast<int32_t>(rng() % (len - taps + 1));
        pos[n - 1] = len - taps;  // the last taps read the very last element
        for (float& x : w) x = uw(rng);
        std::vector<float> ref(n), got(n);
        ScalarKernels().horizontal(in.data(), pos.data(), w.data(), taps, n, ref.data());
        k->horizontal(in.data(), pos.data(), w.data(), taps, n, got.data());
        VT_CHECK(Same(ref.data(), got.data(), n));
      }
}

VT_TEST(HorizontalPairsMatchesScalar) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> uw(0.f, 1.f);
  for (const Kernels* k : SimdVariants())
    for (int n : kLengths) {
      vtest::GuardedBuffer in(2 * n);
      in.Fill(rng);
      std::vector<float> w(2 * n), ref(n), got(n);
      for (float& x : w) x = uw(rng);
      ScalarKernels().horizontal_pairs(in.data(), w.data(), n, ref.data());
      k->horizontal_pairs(in.data(), w.data(), n, got.data());
      VT_CHECK(Same(ref.data(), got.data(), n));
      // And pairs agree with the general filter given the same tap-major weights.
      std::vector<int32_t> pos(n);
      for (int d = 0; d < n; ++d) pos[d] = 2 * d;
      std::vector<float> gen(n);
      ScalarKernels().horizontal(in.data(), pos.data(), w.data(), 2, n, gen.data());
      VT_CHECK(Same(ref.data(), gen.data(), n));
    }
}

VT_TEST(GathersMatchScalar) {
  std::mt19937 rng(9);
  for (const Kernels* k : SimdVariants())
    for (int w : {2, 8, 16, 18, 66, 640}) {
      // Every column, then a sparse sorted subset; safe_n computed as the driver does.
      std::vector<int32_t> cols;
      for (int x = 0; x < w; x += 1 + static_cast<int>(rng() % 3)) cols.push_back(x);
      // Pair columns (x, x+1) with x of both parities, as a bilinear downscale produces.
      std::vector<int32_t> pair_cols;
      for (int x = 0; x + 1 < w; x += 2 + static_cast<int>(rng() % 4))
        pair_cols.push_back(x), pair_cols.push_back(x + 1);
      auto w_bytes = [&](int bpp) { return w * bpp; };
      for (int bpp : {3, 4})
        for (bool pairs : {false, true}) {
          const std::vector<int32_t>& cs = pairs ? pair_cols : cols;
          const int m = static_cast<int>(cs.size());
          vtest::GuardedBuffer row(static_cast<size_t>(w) * bpp);
          row.Fill(rng);
          int safe = 0;
          while (safe < m && cs[safe] * bpp + 8 <= w * bpp) ++safe;
          const int off[3] = {2, 1, 0};
          std::vector<uint8_t> ref(3 * m), got(3 * m);
          ScalarKernels().gather_packed(row.data(), cs.data(), m, safe, pairs, bpp, off, &ref[0], &ref[m], &ref[2 * m]);
          k->gather_packed(row.data(), cs.data(), m, safe, pairs, bpp, off, &got[0], &got[m], &got[2 * m]);
          VT_CHECK(ref == got);
          if (!pairs) continue;
          // The fused gather + horizontal filter equals the two kernels in sequence.
          const int np = m / 2;
          std::vector<float> w(2 * np);
          for (float& x : w) x = GridWeight(rng);
          std::vector<float> chain(3 * np), fused(3 * np), simd(3 * np);
          for (int c = 0; c < 3; ++c) ScalarKernels().horizontal_pairs(&ref[c * m], w.data(), np, &chain[c * np]);
          int safe_pairs = 0;  // 16-byte windows, as the driver computes them
          while (safe_pairs < np && cs[2 * safe_pairs] * bpp + 16 <= w_bytes(bpp)) ++safe_pairs;
          ScalarKernels().pairs_packed(row.data(), cs.data(), np, safe_pairs, bpp, off, w.data(), w.data() + np, 0,
                                       &fused[0], &fused[np], &fused[2 * np]);
          VT_CHECK(Same(chain.data(), fused.data(), chain.size()));
          // A prefetch hint (any offset: prefetches never fault) changes nothing.
          k->pairs_packed(row.data(), cs.data(), np, safe_pairs, bpp, off, w.data(), w.data() + np, 4096, &simd[0],
                          &simd[np], &simd[2 * np]);
          VT_CHECK(Same(chain.data(), simd.data(), chain.size()));
          // Two rows blended and normalized equal the one-row kernel twice and vertical_f32.
          vtest::GuardedBuffer row1(static_cast<size_t>(w_bytes(bpp)));
          row1.Fill(rng);
          std::vector<float> second(3 * np), want(3 * np), two(3 * np, -1.f);
          ScalarKernels().pairs_packed(row1.data(), cs.data(), np, 0, bpp, off, w.data(), w.data() + np, 0, &second[0],
                                       &second[np], &second[2 * np]);
          const float wy[2] = {0.81f, 0.19f}, sc[3] = {0.0171f, 0.0175f, 0.0174f}, bi[3] = {-2.11f, -2.03f, -1.8f};
          for (int c = 0; c < 3; ++c) {
            const float* taps[2] = {&chain[c * np], &second[c * np]};
            ScalarKernels().vertical_f32(taps, wy, 2, np, sc[c], bi[c], &want[c * np]);
          }
          const uint8_t* rows2[2] = {row.data(), row1.data()};
          float* const outs[3] = {&two[0], &two[np], &two[2 * np]};
          k->pairs2_packed(rows2, cs.data(), np, safe_pairs, bpp, off, w.data(), w.data() + np, wy, sc, bi, -4096,
                           outs);
          VT_CHECK(Same(want.data(), two.data(), want.size()));
        }
      vtest::GuardedBuffer y(w), uv(w), u(w / 2), v(w / 2);
      y.Fill(rng), uv.Fill(rng), u.Fill(rng), v.Fill(rng);
      struct C {
        const uint8_t *u, *v;
        int step;
      } chroma[] = {{uv.data(), uv.data() + 1, 2}, {uv.data() + 1, uv.data(), 2}, {u.data(), v.data(), 1}};
      for (bool pairs : {false, true}) {
        const std::vector<int32_t>& cs = pairs ? pair_cols : cols;
        const int m = static_cast<int>(cs.size());
        int safe = 0;
        while (safe < m && cs[safe] + 8 <= w) ++safe;
        for (const C& c : chroma) {
          std::vector<uint8_t> ref(3 * m), got(3 * m);
          ScalarKernels().gather_yuv(y.data(), c.u, c.v, c.step, cs.data(), m, safe, pairs, &ref[0], &ref[m],
                                     &ref[2 * m]);
          k->gather_yuv(y.data(), c.u, c.v, c.step, cs.data(), m, safe, pairs, &got[0], &got[m], &got[2 * m]);
          VT_CHECK(ref == got);
        }
      }
    }
}

VT_TEST(PairsPlaneAndChromaEqualChainedKernels) {
  // The fused 4:2:0 pair kernels equal gather_yuv + horizontal_pairs of the scalar reference on each
  // plane (pairs_plane: Y, pairs_chroma: U and V), for every variant, NV12 / NV21 / I420 chroma, both
  // parities of the pair start, and rows whose last byte is the last before a guard page.
  std::mt19937 rng(10);
  std::vector<const Kernels*> all = SimdVariants();
  all.push_back(&ScalarKernels());
  for (const Kernels* k : all)
    for (int w : {2, 18, 40, 66, 130, 640}) {
      std::vector<int32_t> cols;
      for (int x = static_cast<int>(rng() % 2); x + 1 < w; x += 2 + static_cast<int>(rng() % 5))
        cols.push_back(x), cols.push_back(x + 1);
      const int np = static_cast<int>(cols.size()) / 2, m = 2 * np;
      if (np == 0) continue;
      std::vector<uint8_t> odd(np);
      for (int d = 0; d < np; ++d) odd[d] = static_cast<uint8_t>(cols[2 * d] & 1);
      std::vector<float> wt(2 * np);
      for (float& x : wt) x = static_cast<float>(rng() % 1000) / 999.f;
      vtest::GuardedBuffer y(w), uv(w), u(w / 2), v(w / 2);
      y.Fill(rng), uv.Fill(rng), u.Fill(rng), v.Fill(rng);
      struct C {
        const uint8_t *u, *v;
        int step, row;
      } chroma[] = {{uv.data(), uv.data() + 1, 2, w}, {uv.data() + 1, uv.data(), 2, w}, {u.data(), v.data(), 1, w / 2}};
      for (const C& c : chroma) {
        int safe = 0;  // as the driver computes it: 16-byte windows inside the luma and chroma rows
        while (safe < np) {
          const int x = cols[2 * safe], c0 = (x >> 1) * c.step + (c.step == 2 ? 1 : 0);
          if (x + 16 > w || c0 + 16 > c.row) break;
          ++safe;
        }
        std::vector<uint8_t> g(3 * m);
        ScalarKernels().gather_yuv(y.data(), c.u, c.v, c.step, cols.data(), m, 0, true, &g[0], &g[m], &g[2 * m]);
        std::vector<float> chain(3 * np), fused(3 * np, -1.f);
        for (int p = 0; p < 3; ++p) ScalarKernels().horizontal_pairs(&g[p * m], wt.data(), np, &chain[p * np]);
        // Prefetch hints (any offset: prefetches never fault) change nothing.
        k->pairs_plane(y.data(), cols.data(), np, safe, wt.data(), wt.data() + np, 8192, &fused[0]);
        k->pairs_chroma(c.u, c.v, c.step, cols.data(), odd.data(), np, safe, wt.data(), wt.data() + np, 4096,
                        &fused[np], &fused[2 * np]);
        VT_CHECK(Same(chain.data(), fused.data(), chain.size()));
      }
    }
}

VT_TEST(Pairs2YuvEqualsChainedKernels) {
  // Two luma rows with their chroma (one shared chroma row, or two), filtered and converted in one
  // call, equal the scalar pair kernels + vertical_yuv, for every variant, with the variant's tables
  // where it builds them (pair steps from 2 to 12 pixels: two pairs to a window; up to 40: one) and
  // without, NV12 / NV21 / I420, rows ending at guard pages.
  std::mt19937 rng(13);
  std::vector<const Kernels*> all = SimdVariants();
  all.push_back(&ScalarKernels());
  int with_tables = 0;
  for (const Kernels* k : all)
    for (int w : {40, 130, 642, 1920})
      for (int max_step : {3, 9, 13, 40}) {
        std::vector<int32_t> cols;
        for (int x = static_cast<int>(rng() % 2); x + 1 < w; x += 2 + static_cast<int>(rng() % (max_step - 1)))
          cols.push_back(x), cols.push_back(x + 1);
        const int np = static_cast<int>(cols.size()) / 2;
        std::vector<uint8_t> odd(np);
        for (int d = 0; d < np; ++d) odd[d] = static_cast<uint8_t>(cols[2 * d] & 1);
        std::vector<float> wt(2 * np);
        for (float& x : wt) x = GridWeight(rng);
        std::vector<std::unique_ptr<vtest::GuardedBuffer>> bufs;
        auto row = [&](int bytes) {
          bufs.emplace_back(new vtest::GuardedBuffer(bytes));
          bufs.back()->Fill(rng);
          return bufs.back()->data();
        };
        const uint8_t *y[2] = {row(w), row(w)}, *uv[2] = {row(w), row(w)};
        const uint8_t *u[2] = {row(w / 2), row(w / 2)}, *v[2] = {row(w / 2), row(w / 2)};
        struct C {
          int step, u_off, v_off;
          const uint8_t *u0, *v0, *u1, *v1;
          int row;
        } layouts[] = {{2, 0, 1, uv[0], uv[0] + 1, uv[1], uv[1] + 1, w},
                       {2, 1, 0, uv[0] + 1, uv[0], uv[1] + 1, uv[1], w},
                       {1, 0, 0, u[0], v[0], u[1], v[1], w / 2}};
        for (const C& c : layouts)
          for (bool shared : {true, false}) {
            int safe = 0;  // as the driver computes it
            while (safe < np) {
              const int x = cols[2 * safe], c0 = (x >> 1) * c.step + (c.step == 2 ? 1 : 0);
              if (x + 16 > w || c0 + 16 > c.row) break;
              ++safe;
            }
            const uint8_t *cu[2] = {c.u0, shared ? c.u0 : c.u1}, *cv[2] = {c.v0, shared ? c.v0 : c.v1};
            const float wy[2] = {0.37f, 0.63f}, sc[3] = {0.0171f, 0.0175f, 0.0174f}, bi[3] = {-2.11f, -2.03f, -1.8f};
            const YuvFloat yuv(kYuvDescriptions[rng() % 4]);
            std::vector<float> want(3 * np), got(3 * np, -1.f);
            float* const wo[3] = {&want[0], &want[np], &want[2 * np]};
            float* const go[3] = {&got[0], &got[np], &got[2 * np]};
            // The chained scalar reference, one call per plane and row.
            std::vector<float> h(6 * static_cast<size_t>(np));
            for (int r = 0; r < 2; ++r) {
              ScalarKernels().pairs_plane(y[r], cols.data(), np, 0, wt.data(), wt.data() + np, 0, &h[r * np]);
              ScalarKernels().pairs_chroma(cu[r], cv[r], c.step, cols.data(), odd.data(), np, 0, wt.data(),
                                           wt.data() + np, 0, &h[(2 + r) * np], &h[(4 + r) * np]);
            }
            const float* rows[6] = {&h[0], &h[np], &h[2 * np], &h[3 * np], &h[4 * np], &h[5 * np]};
            ScalarKernels().vertical_yuv(rows, wy, 2, np, yuv, sc, bi, wo);
            std::vector<uint8_t> tables;
            const bool built = k->pairs2_yuv_tables(cols.data(), safe, c.step, c.u_off, c.v_off, &tables);
            with_tables += built;
            for (bool use : {false, true}) {
              if (use && !built) continue;
              k->pairs2_yuv(y, cu, cv, c.step, cols.data(), odd.data(), use ? tables.data() : nullptr, np, safe,
                            wt.data(), wt.data() + np, wy, yuv, sc, bi, 4096, -2048, go);
              VT_CHECK(Same(want.data(), got.data(), want.size()));
            }
          }
      }
  std::printf("  %d layouts with tables\n", with_tables);
}

VT_TEST(VerticalYuvMatchesScalar) {
  std::mt19937 rng(12);
  std::uniform_real_distribution<float> uw(0.f, 1.f), uv(0.f, 255.f);
  for (const Kernels* k : SimdVariants())
    for (int n : kLengths)
      for (int taps : {1, 2, 3, 6})
        for (const YuvCoeffs& c : kYuvDescriptions) {
          std::vector<std::unique_ptr<vtest::GuardedBuffer>> bufs;
          std::vector<const float*> rows;
          std::vector<float> w(taps);
          for (float& x : w) x = uw(rng);
          for (int r = 0; r < 3 * taps; ++r) {
            bufs.emplace_back(new vtest::GuardedBuffer(n * sizeof(float)));
            float* row = reinterpret_cast<float*>(bufs.back()->data());
            for (int i = 0; i < n; ++i) row[i] = uv(rng);
            rows.push_back(row);
          }
          const float s[3] = {0.0171f, 0.0175f, 0.0174f}, b[3] = {-2.11f, -2.03f, -1.8f};
          std::vector<float> ref(3 * n, 7.f), got(3 * n, 7.f);
          float* const ro[3] = {&ref[0], &ref[n], &ref[2 * n]};
          float* const go[3] = {&got[0], &got[n], &got[2 * n]};
          ScalarKernels().vertical_yuv(rows.data(), w.data(), taps, n, YuvFloat(c), s, b, ro);
          k->vertical_yuv(rows.data(), w.data(), taps, n, YuvFloat(c), s, b, go);
          VT_CHECK(Same(ref.data(), got.data(), ref.size()));
        }
}

VT_TEST(FloatYuvConversionIsTheIntegerOneUnrounded) {
  // On unfiltered pixels the float conversion equals the integer yuv_to_rgb before its rounding to
  // 8 bits: |float - integer| <= 0.5 (plus float rounding), for every colour description.
  for (const YuvCoeffs& c : kYuvDescriptions) {
    const YuvFloat f(c);
    float worst = 0.f;
    for (int y = 0; y < 256; ++y)
      for (int u = 0; u < 256; u += 3)
        for (int v = 0; v < 256; v += 3) {
          const uint8_t yb = static_cast<uint8_t>(y), ub = static_cast<uint8_t>(u), vb = static_cast<uint8_t>(v);
          uint8_t r, g, b;
          ScalarKernels().yuv_to_rgb(&yb, &ub, &vb, &r, &g, &b, 1, c);
          float rgb[3];
          YuvFloatPixel(static_cast<float>(y), static_cast<float>(u), static_cast<float>(v), f, rgb);
          worst = std::max({worst, std::fabs(rgb[0] - r), std::fabs(rgb[1] - g), std::fabs(rgb[2] - b)});
        }
    VT_CHECK(worst <= 0.5f + 1e-3f);
  }
}

VT_TEST(StoresMatchScalar) {
  std::mt19937 rng(6);
  std::uniform_real_distribution<float> uv(-10.f, 300.f);
  struct Q {
    float s, b, qs;
    int zp, lo, hi;
  };
  const Q qs[] = {{1.f, 0.f, 1.f, 0, 0, 255},  // raw uint8, includes exact .5 halves below
                  {1 / 255.f, 0.f, 1 / 255.f, 0, 0, 255},
                  {0.0171f, -2.1179f, 0.0187f, 114, 0, 255},
                  {0.0171f, -2.1179f, 0.0187f, -14, -128, 127},
                  {0.01f, -1.f, 1e-9f, 3, -128, 127}};  // huge values saturate
  for (const Kernels* k : SimdVariants())
    for (int n : kLengths)
      for (int step : {1, 3}) {
        vtest::GuardedBuffer in(n * sizeof(float));
        float* src = reinterpret_cast<float*>(in.data());
        for (int i = 0; i < n; ++i) src[i] = (i % 4 == 0) ? std::floor(uv(rng)) + 0.5f : uv(rng);
        const size_t m = static_cast<size_t>(n) * step;
        std::vector<float> rf(m, 7.f), gf(m, 7.f);
        ScalarKernels().store_f32(src, n, 0.0174f, -2.03f, rf.data(), step);
        k->store_f32(src, n, 0.0174f, -2.03f, gf.data(), step);
        VT_CHECK(Same(rf.data(), gf.data(), m));
        std::vector<uint16_t> rh(m, 7), gh(m, 7);
        ScalarKernels().store_f16(src, n, 113.7f, -2.03f, rh.data(), step);  // up to fp16 overflow
        k->store_f16(src, n, 113.7f, -2.03f, gh.data(), step);
        VT_CHECK(rh == gh);
        for (const Q& q : qs) {
          std::vector<uint8_t> rq(m, 7), gq(m, 7);
          ScalarKernels().store_q8(src, n, q.s, q.b, q.qs, q.zp, q.lo, q.hi, rq.data(), step);
          k->store_q8(src, n, q.s, q.b, q.qs, q.zp, q.lo, q.hi, gq.data(), step);
          VT_CHECK(rq == gq);
        }
      }
}

VT_TEST(FloatToHalfRoundsToNearestEven) {
  VT_CHECK(FloatToHalf(1.f) == 0x3c00);
  VT_CHECK(FloatToHalf(-2.f) == 0xc000);
  VT_CHECK(FloatToHalf(0.1f) == 0x2e66);
  VT_CHECK(FloatToHalf(65504.f) == 0x7bff);
  VT_CHECK(FloatToHalf(65519.f) == 0x7bff);
  VT_CHECK(FloatToHalf(65520.f) == 0x7c00);
  VT_CHECK(FloatToHalf(std::ldexp(1.f, -24)) == 0x0001);
  VT_CHECK(FloatToHalf(std::ldexp(1.f, -25)) == 0x0000);        // tie to even (0)
  VT_CHECK(FloatToHalf(std::ldexp(3.f, -25)) == 0x0002);        // tie to even (2)
  VT_CHECK(FloatToHalf(1.f + std::ldexp(1.f, -11)) == 0x3c00);  // tie to even
  VT_CHECK(FloatToHalf(1.f + std::ldexp(3.f, -11)) == 0x3c02);  // tie to even
  VT_CHECK(FloatToHalf(std::ldexp(1.f, -14)) == 0x0400);        // smallest normal
}
