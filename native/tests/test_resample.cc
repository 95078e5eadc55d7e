// The Pillow-exact resize: every SIMD variant's kernels against the scalar reference on Pillow's own
// coefficient tables (inputs end at guard pages, so a read past what a kernel may read faults), and
// properties of the tables the exactness rests on.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>

#include "check.h"
#include "kernels.h"
#include "kernels_resample.h"
#include "pil_coeffs.h"
#include "vidlite/cpu_features.h"

using namespace vidlite;

namespace {

std::vector<const ResampleKernels*> SimdVariants() {
  std::vector<const ResampleKernels*> v;
  const uint32_t f = CpuFeaturesDetected();
#if defined(__x86_64__)
  const uint32_t need = kCpuHasAVX2 | kCpuHasFMA | kCpuHasF16C;
  if ((f & need) == need) v.push_back(&Avx2ResampleKernels());
#endif
#if defined(__aarch64__)
  if (f & kCpuHasNEON) v.push_back(&NeonResampleKernels());
#endif
  (void)f;
  return v;
}

// (source size, output size) pairs: large and small downscales (the groups, the shared steps, the
// unrolled and run-time step counts), upscales, identity and sizes below a SIMD step.
const int kGeometries[][2] = {{1920, 224}, {1080, 224}, {1920, 455}, {540, 112}, {960, 100}, {250, 23},  {97, 31},
                              {64, 128},   {40, 41},    {224, 224},  {7, 3},     {5, 9},     {3840, 224}};

// Pixels that exercise the clip (all 0 / all 255 under negative lobes), flat areas and noise.
void FillPixels(std::mt19937& rng, int kind, uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    p[i] = kind == 0   ? static_cast<uint8_t>(rng())
           : kind == 1 ? ((i / 7) % 2 ? 255 : 0)
                       : static_cast<uint8_t>(200 + i % 3);
}

}  // namespace

VT_TEST(PilHorizontalMatchesScalar) {
  std::mt19937 rng(21);
  int cases = 0;
  for (const ResampleKernels* k : SimdVariants())
    for (const auto& g : kGeometries)
      for (Resize rs : {Resize::kPilBilinear, Resize::kPilBicubic})
        for (int bpp : {1, 3, 4})
          for (int kind = 0; kind < 3; ++kind) {
            const int in = g[0], n = g[1];
            const PilTaps t = PlacePilTaps(PilCoefficients(rs, in, n, 0, n), 0, in, 0, k->tap_align[bpp]);
            std::vector<uint8_t> mine, ref;
            k->h_tables(t.k.data(), t.taps, n, bpp, &mine);
            ScalarResampleKernels().h_tables(t.k.data(), t.taps, n, bpp, &ref);
            std::vector<uint8_t> want(3 * n), got(3 * n, 0xAB);
            uint8_t* w[3] = {&want[0], &want[n], &want[2 * n]};
            uint8_t* o[3] = {&got[0], &got[n], &got[2 * n]};
            if (bpp == 1) {
              std::vector<std::unique_ptr<vtest::GuardedBuffer>> rows;
              const uint8_t* p[3];
              for (int i = 0; i < 3; ++i) {
                rows.emplace_back(new vtest::GuardedBuffer(in));
                FillPixels(rng, kind, rows.back()->data(), in);
                p[i] = rows.back()->data();
              }
              for (int planes = 1; planes <= 3; ++planes) {
                ScalarResampleKernels().horizontal(p, planes, t.start.data(), ref.data(), t.taps, n, 0, w);
                k->horizontal(p, planes, t.start.data(), mine.data(), t.taps, n, 0, o);
                VT_CHECK(std::equal(want.begin(), want.begin() + planes * n, got.begin()));
              }
            } else {
              // The row plus the over-read the kernel declares; outputs from a group boundary on too.
              vtest::GuardedBuffer row(static_cast<size_t>(in) * bpp + k->packed_over_read);
              FillPixels(rng, kind, row.data(), row.size());
              const int off[3] = {2, 1, 0};
              for (int from : {0, n / 16 * 8}) {
                ScalarResampleKernels().horizontal_packed(row.data(), bpp, off, t.start.data(), ref.data(), t.taps, n,
                                                          from, 0, w);
                k->horizontal_packed(row.data(), bpp, off, t.start.data(), mine.data(), t.taps, n, from, 0, o);
                for (int c = 0; c < 3; ++c) VT_CHECK(std::equal(w[c] + from, w[c] + n, o[c] + from));
              }
            }
            ++cases;
          }
  std::printf("  %d configurations compared\n", cases);
}

VT_TEST(PilVerticalMatchesScalar) {
  std::mt19937 rng(22);
  for (const ResampleKernels* k : SimdVariants())
    for (const auto& g : kGeometries)
      for (Resize rs : {Resize::kPilBilinear, Resize::kPilBicubic})
        for (int n : {1, 15, 31, 32, 33, 224, 1001}) {
          const PilTaps t = PilCoefficients(rs, g[0], g[1], g[1] / 2, 1);  // one output row's taps
          std::vector<std::unique_ptr<vtest::GuardedBuffer>> bufs;
          std::vector<const uint8_t*> rows;
          for (int i = 0; i < t.taps; ++i) {
            bufs.emplace_back(new vtest::GuardedBuffer(n));
            FillPixels(rng, i % 3, bufs.back()->data(), n);
            rows.push_back(bufs.back()->data());
          }
          std::vector<uint8_t> want(n), got(n);
          ScalarResampleKernels().vertical(rows.data(), t.k.data(), t.taps, n, want.data());
          k->vertical(rows.data(), t.k.data(), t.taps, n, got.data());
          VT_CHECK(want == got);
        }
}

VT_TEST(PilDeinterleaveMatchesScalar) {
  std::mt19937 rng(23);
  for (const ResampleKernels* k : SimdVariants())
    for (int bpp : {2, 3, 4})
      for (int n : {1, 7, 8, 9, 15, 16, 17, 31, 33, 100, 960}) {
        vtest::GuardedBuffer in(static_cast<size_t>(n) * bpp);
        in.Fill(rng);
        const int off[3] = {bpp == 2 ? 1 : 2, bpp == 2 ? 0 : 1, 0};
        const int channels = bpp == 2 ? 2 : 3;
        std::vector<uint8_t> want(3 * n), got(3 * n);
        uint8_t* w[3] = {&want[0], &want[n], &want[2 * n]};
        uint8_t* o[3] = {&got[0], &got[n], &got[2 * n]};
        ScalarResampleKernels().deinterleave(in.data(), bpp, off, channels, n, w);
        k->deinterleave(in.data(), bpp, off, channels, n, o);
        VT_CHECK(std::equal(want.begin(), want.begin() + channels * n, got.begin()));
      }
}

VT_TEST(PilCoefficientsKeepTheirPromises) {
  // Every window inside the source; the weights of an output add up to 2^22 give or take their
  // rounding (one unit each); the 32-bit sums of the kernels cannot wrap (sum |k| * 255 + 2^21 <
  // 2^31); the chroma merge keeps every output's total weight.
  for (int in : {1, 2, 3, 7, 64, 97, 480, 1080, 1920, 3840})
    for (int64_t out : {1, 2, 5, 31, 224, 256, 455, 640, 4000})
      for (Resize rs : {Resize::kPilBilinear, Resize::kPilBicubic}) {
        const PilTaps t = PilCoefficients(rs, in, out, 0, static_cast<int>(out));
        const PilTaps c = PlacePilTaps(t, 1, (in + 2) / 2, 1, 8);
        for (int64_t d = 0; d < out; ++d) {
          VT_CHECK(t.start[d] >= 0 && t.start[d] + t.taps <= in);
          int64_t sum = 0, abs = 0, csum = 0;
          for (int j = 0; j < t.taps; ++j) sum += t.k[d * t.taps + j], abs += std::abs(t.k[d * t.taps + j]);
          for (int j = 0; j < c.taps; ++j) csum += c.k[d * c.taps + j];
          VT_CHECK(std::abs(sum - (1 << kPilPrecisionBits)) <= t.taps);
          VT_CHECK(abs * 255 + (1 << 21) < (int64_t{1} << 31));
          VT_CHECK(csum == sum);
        }
      }
  // Pillow's BICUBIC of 4 -> 2 (filterscale 2, support 4): output 0 is centred on 1.0.
  const PilTaps t = PilCoefficients(Resize::kPilBicubic, 4, 2, 0, 2);
  VT_CHECK(t.taps == 4 && t.start[0] == 0);
  VT_CHECK(PilHorizontalFirst(1920, 1080, 224, 224) && !PilHorizontalFirst(720, 1280, 224, 224));
}
