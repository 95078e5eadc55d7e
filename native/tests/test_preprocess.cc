// The fused pipeline end to end: the dispatched SIMD path equals the scalar path (VIDLITE_CPU_MASK
// semantics via SetCpuMask) for every format x fit x resize x dtype x layout, on padded rows whose
// planes end at a guard page; known values; bad arguments return errors instead of crashing.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "check.h"
#include "geometry.h"
#include "vidlite/cpu_features.h"
#include "vidlite/preprocess.h"

using namespace vidlite;

namespace {

// A frame whose every plane is a separate guarded allocation with `pad` extra bytes per row.
struct Frame {
  Image im;
  std::vector<std::unique_ptr<vtest::GuardedBuffer>> bufs;
};

Frame MakeFrame(PixelFormat f, int w, int h, int pad, std::mt19937& rng) {
  Frame fr;
  fr.im.format = f;
  fr.im.width = w;
  fr.im.height = h;
  struct P {
    int row, rows;
  };
  std::vector<P> planes;
  switch (f) {
    case PixelFormat::kBGR:
    case PixelFormat::kRGB: planes = {{3 * w, h}}; break;
    case PixelFormat::kBGRA:
    case PixelFormat::kRGBA: planes = {{4 * w, h}}; break;
    case PixelFormat::kGray: planes = {{w, h}}; break;
    case PixelFormat::kNV12:
    case PixelFormat::kNV21: planes = {{w, h}, {w, h / 2}}; break;
    case PixelFormat::kI420: planes = {{w, h}, {w / 2, h / 2}, {w / 2, h / 2}}; break;
  }
  for (size_t i = 0; i < planes.size(); ++i) {
    const int stride = planes[i].row + pad;
    // The last row carries no padding, so its last pixel is the last byte before the guard page.
    const size_t bytes = static_cast<size_t>(stride) * (planes[i].rows - 1) + planes[i].row;
    fr.bufs.emplace_back(new vtest::GuardedBuffer(bytes));
    fr.bufs.back()->Fill(rng);
    fr.im.plane[i] = fr.bufs.back()->data();
    fr.im.stride[i] = stride;
  }
  return fr;
}

// The roi of im (even x, y, width, height for 4:2:0) copied into a guarded frame of its own.
Frame Crop(const Image& im, const Roi& r) {
  std::mt19937 unused(0);
  Frame fr = MakeFrame(im.format, r.width, r.height, 0, unused);
  const bool yuv =
      im.format == PixelFormat::kNV12 || im.format == PixelFormat::kNV21 || im.format == PixelFormat::kI420;
  const int bpp = im.format == PixelFormat::kBGR || im.format == PixelFormat::kRGB ? 3
                  : (yuv || im.format == PixelFormat::kGray)                       ? 1
                                                                                   : 4;
  for (int pl = 0; pl < (im.format == PixelFormat::kI420 ? 3 : (yuv ? 2 : 1)); ++pl) {
    const int sub = (pl > 0) ? 2 : 1;  // chroma rows; I420 chroma columns too
    const int x = (im.format == PixelFormat::kI420 && pl > 0) ? r.x / 2 : r.x * bpp;
    const int bytes = (im.format == PixelFormat::kI420 && pl > 0) ? r.width / 2 : r.width * bpp;
    for (int y = 0; y < r.height / sub; ++y)
      std::memcpy(const_cast<uint8_t*>(fr.im.plane[pl]) + y * fr.im.stride[pl],
                  im.plane[pl] + (r.y / sub + y) * im.stride[pl] + x, bytes);
  }
  return fr;
}

std::vector<uint8_t> Run(const Spec& s, const Image& im, const Roi& roi, uint32_t mask, int threads = 1,
                         int count = 1) {
  SetCpuMask(mask);
  std::vector<Image> ims(count, im);
  std::vector<uint8_t> out(OutputBytes(s) * count, 0xAB);
  Status st = Preprocess(s, ims.data(), count, roi, out.data(), out.size(), threads);
  SetCpuMask(~0u);
  if (!st.ok) std::printf("  error: %s\n", st.message.c_str());
  VT_CHECK(st.ok);
  return out;
}

// The dispatched variant gives the scalar reference's bytes, and with an roi the same pixels as a
// frame of their own (its right edge where the roi ends) give them too.
void CheckVariantsAndCrop(const Spec& s, const Frame& fr, const Roi& roi) {
  const std::vector<uint8_t> got = Run(s, fr.im, roi, ~0u);
  VT_CHECK(got == Run(s, fr.im, roi, 0));
  if (roi.width) {
    Frame crop = Crop(fr.im, roi);
    VT_CHECK(got == Run(s, crop.im, Roi{}, ~0u));
  }
}

const PixelFormat kFormats[] = {PixelFormat::kBGR,  PixelFormat::kRGB,  PixelFormat::kBGRA, PixelFormat::kRGBA,
                                PixelFormat::kGray, PixelFormat::kNV12, PixelFormat::kNV21, PixelFormat::kI420};

}  // namespace

VT_TEST(SimdPathEqualsScalarPath) {
  std::mt19937 rng(7);
  int cases = 0;
  for (PixelFormat f : kFormats) {
    const bool yuv = f == PixelFormat::kNV12 || f == PixelFormat::kNV21 || f == PixelFormat::kI420;
    const int w = yuv ? 70 : 67, h = yuv ? 46 : 41;
    Frame fr = MakeFrame(f, w, h, 5, rng);
    fr.im.matrix = (cases % 2) ? ColorMatrix::kBT709 : ColorMatrix::kBT601;
    fr.im.range = (cases % 3) ? ColorRange::kLimited : ColorRange::kFull;
    for (Fit fit : {Fit::kStretch, Fit::kCenterCrop, Fit::kLetterbox})
      for (Resize rs : {Resize::kBilinear, Resize::kArea, Resize::kPilBilinear, Resize::kPilBicubic})
        for (DType dt : {DType::kFloat32, DType::kFloat16, DType::kUInt8, DType::kInt8})
          for (Layout lay : {Layout::kNCHW, Layout::kNHWC})
            for (ChannelOrder ord : {ChannelOrder::kRGB, ChannelOrder::kBGR, ChannelOrder::kGray}) {
              Spec s;
              s.width = 29 + (cases % 5) * 7;  // both down- and upscales
              s.height = 19 + (cases % 3) * 17;
              s.fit = fit, s.resize = rs, s.dtype = dt, s.layout = lay, s.order = ord, s.pad_value = 114;
              // Every other centre crop resizes the shortest edge first (the processors' geometry).
              if (fit == Fit::kCenterCrop && cases % 2) s.shortest_edge = std::max(s.width, s.height) + cases % 7;
              s.mean[0] = 0.485, s.mean[1] = 0.456, s.mean[2] = 0.406;
              s.std[0] = 0.229, s.std[1] = 0.224, s.std[2] = 0.225;
              if (dt == DType::kInt8 || dt == DType::kUInt8) {
                s.quantized = true;
                s.quant_scale = 0.0187;
                s.quant_zero_point = dt == DType::kInt8 ? -14 : 114;
              }
              const Roi roi = (cases % 4 == 1) ? Roi{3, 2, w - 9, h - 6} : Roi{};
              VT_CHECK(Run(s, fr.im, roi, 0) == Run(s, fr.im, roi, ~0u));
              ++cases;
            }
  }
  std::printf("  %d configurations compared\n", cases);
}

VT_TEST(PairKernelsEqualScalarAtRowEdges) {
  // Downscales by >= 2x run the fused pair kernels: 16-byte windows in the row, then the last pairs
  // over a padded copy of the row end. Rows end at guard pages; ROIs end at, or short of, the right
  // edge; widths give several SIMD groups per row plus partial ones.
  std::mt19937 rng(11);
  int cases = 0;
  for (PixelFormat f :
       {PixelFormat::kBGR, PixelFormat::kRGBA, PixelFormat::kNV12, PixelFormat::kNV21, PixelFormat::kI420})
    for (int w : {96, 250, 642}) {
      Frame fr = MakeFrame(f, w, 40, 0, rng);
      const int x3 = (w / 3) & ~1;
      for (Roi roi : {Roi{}, Roi{x3, 4, w - x3, 30}, Roi{6, 0, (w / 2) & ~1, 40}})
        for (int ow : {8, 9, 23, 41}) {
          Spec s;
          s.width = ow, s.height = 7;
          s.order = (cases % 2) ? ChannelOrder::kBGR : ChannelOrder::kRGB;
          s.mean[0] = 0.485, s.std[0] = 0.229;
          if ((roi.width ? roi.width : w) < 2 * ow) continue;  // not a pair geometry
          CheckVariantsAndCrop(s, fr, roi);
          ++cases;
        }
    }
  std::printf("  %d configurations compared\n", cases);
}

VT_TEST(PilKernelsEqualScalarOnLargeFrames) {
  // Pillow's resize on frame widths where the SIMD groups, the packed kernels' padded row ends and
  // both pass orders (a portrait frame shrinks in height by more than twice its width: vertically
  // first) all run; rows end at guard pages; ROIs at, or short of, the right edge.
  std::mt19937 rng(13);
  int cases = 0;
  for (PixelFormat f :
       {PixelFormat::kBGR, PixelFormat::kRGBA, PixelFormat::kGray, PixelFormat::kNV12, PixelFormat::kI420})
    for (const auto& wh : {std::pair<int, int>{642, 40}, std::pair<int, int>{1920, 36}, std::pair<int, int>{96, 400}}) {
      const int w = wh.first, h = wh.second;
      Frame fr = MakeFrame(f, w, h, 0, rng);
      const int x3 = (w / 3) & ~1;
      for (Roi roi : {Roi{}, Roi{x3, 2, w - x3, h - 2}})
        for (Resize rs : {Resize::kPilBilinear, Resize::kPilBicubic})
          for (int ow : {23, 56, 224}) {
            Spec s;
            s.width = ow, s.height = 9, s.resize = rs;
            s.order = (cases % 3 == 2) ? ChannelOrder::kGray : (cases % 2) ? ChannelOrder::kBGR : ChannelOrder::kRGB;
            CheckVariantsAndCrop(s, fr, roi);
            ++cases;
          }
    }
  std::printf("  %d configurations compared\n", cases);
}

VT_TEST(BilinearWeightsLieOnTheKernelGrid) {
  // The two-row kernels filter in integers, exact only on the weight grid (kernels.h); off it the
  // driver falls back to the slower cached rows, so every bilinear weight must lie on it.
  for (int src : {2, 3, 7, 480, 1080, 1920, 3840})
    for (int dst : {1, 2, 5, 224, 640}) {
      const Taps t = MakeTaps(Resize::kBilinear, src, dst, 0, dst);
      VT_CHECK(OnWeightGrid(t.weights));
      for (int d = 0; d < dst && t.taps == 2; ++d) VT_CHECK(t.weights[2 * d] + t.weights[2 * d + 1] == 1.f);
    }
  VT_CHECK(!OnWeightGrid({0.3f}));  // area weights of a 1.5x downscale are not on it
}

VT_TEST(ConstantColourGivesNormalizedConstant) {
  // BGR (10, 20, 30) everywhere -> RGB float32 NCHW values (pixel/255 - mean)/std, any geometry.
  const int w = 33, h = 17;
  std::vector<uint8_t> px(3 * w * h);
  for (int i = 0; i < w * h; ++i) px[3 * i] = 10, px[3 * i + 1] = 20, px[3 * i + 2] = 30;
  Image im;
  im.format = PixelFormat::kBGR, im.width = w, im.height = h, im.plane[0] = px.data(), im.stride[0] = 3 * w;
  Spec s;
  s.width = 8, s.height = 5, s.resize = Resize::kArea;
  s.mean[0] = 0.5, s.std[0] = 0.25;
  std::vector<float> out(3 * 8 * 5);
  VT_CHECK(Preprocess(s, &im, 1, Roi{}, out.data(), out.size() * 4).ok);
  const float expect[3] = {(30 / 255.f - 0.5f) / 0.25f, 20 / 255.f, 10 / 255.f};
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 40; ++i) VT_CHECK(std::fabs(out[c * 40 + i] - expect[c]) < 1e-5f);
}

VT_TEST(ConstantYuvGivesConvertedConstant) {
  // Y, U, V constant -> every output pixel is their BT.601 limited-range RGB (the exact formulas, not
  // rounded to 8 bits; the library's 14-bit coefficients are within 0.01 level), bilinear and area,
  // down- and upscaled, every 4:2:0 layout.
  const int w = 40, h = 26, Y = 120, U = 100, V = 170;
  const double yy = 255.0 / 219 * (Y - 16), cc = 255.0 / 224, kr = 0.299, kb = 0.114, kg = 1 - kr - kb;
  const double rgb[3] = {yy + cc * 2 * (1 - kr) * (V - 128),
                         yy - cc * 2 * kb * (1 - kb) / kg * (U - 128) - cc * 2 * kr * (1 - kr) / kg * (V - 128),
                         yy + cc * 2 * (1 - kb) * (U - 128)};
  std::vector<uint8_t> y(w * h, Y), uv(w * h / 2), u(w * h / 4, U), v(w * h / 4, V);
  for (int i = 0; i < w * h / 4; ++i) uv[2 * i] = U, uv[2 * i + 1] = V;
  for (PixelFormat f : {PixelFormat::kNV12, PixelFormat::kI420})
    for (Resize rs : {Resize::kBilinear, Resize::kArea})
      for (int ow : {9, 57}) {
        Image im;
        im.format = f, im.width = w, im.height = h, im.plane[0] = y.data(), im.stride[0] = w;
        if (f == PixelFormat::kNV12) {
          im.plane[1] = uv.data(), im.stride[1] = w;
        } else {
          im.plane[1] = u.data(), im.plane[2] = v.data(), im.stride[1] = im.stride[2] = w / 2;
        }
        Spec s;
        s.width = ow, s.height = 7, s.resize = rs;
        std::vector<float> out(3 * ow * 7);
        VT_CHECK(Preprocess(s, &im, 1, Roi{}, out.data(), out.size() * 4).ok);
        for (int c = 0; c < 3; ++c)
          for (int i = 0; i < ow * 7; ++i) VT_CHECK(std::fabs(out[c * ow * 7 + i] * 255.0 - rgb[c]) < 0.01);
      }
}

VT_TEST(LetterboxPadsWithPadValue) {
  const int w = 40, h = 10;
  std::vector<uint8_t> px(w * h, 200);
  Image im;
  im.format = PixelFormat::kGray, im.width = w, im.height = h, im.plane[0] = px.data(), im.stride[0] = w;
  Spec s;
  s.width = 20, s.height = 20, s.fit = Fit::kLetterbox, s.pad_value = 114, s.dtype = DType::kUInt8;
  s.order = ChannelOrder::kGray;
  std::vector<uint8_t> out(400);
  VT_CHECK(Preprocess(s, &im, 1, Roi{}, out.data(), out.size()).ok);
  // Content is 20x5 centred at rows 7..11.
  for (int y = 0; y < 20; ++y) VT_CHECK(out[y * 20 + 3] == ((y >= 7 && y < 12) ? 200 : 114));
}

VT_TEST(ThreadsGiveSameBytes) {
  std::mt19937 rng(8);
  Frame fr = MakeFrame(PixelFormat::kNV12, 128, 96, 0, rng);
  Spec s;
  s.width = 50, s.height = 37;
  for (int count : {1, 3}) {
    auto one = Run(s, fr.im, Roi{}, ~0u, 1, count);
    VT_CHECK(one == Run(s, fr.im, Roi{}, ~0u, 2, count));
    VT_CHECK(one == Run(s, fr.im, Roi{}, ~0u, 5, count));
  }
}

VT_TEST(PreprocessorKeepsOnePlanPerGeometry) {
  // The plan-keeping Preprocessor gives Preprocess()'s bytes whatever the order of geometries
  // (format, size, roi, colour description, CPU mask) and from several threads at once.
  std::mt19937 rng(21);
  Spec s;
  s.width = 37, s.height = 23;
  s.mean[0] = 0.485, s.std[0] = 0.229;
  Preprocessor pp(s);
  Frame nv = MakeFrame(PixelFormat::kNV12, 130, 74, 3, rng), bgr = MakeFrame(PixelFormat::kBGR, 130, 74, 0, rng);
  Frame small = MakeFrame(PixelFormat::kNV12, 96, 64, 0, rng);
  Image bt709 = nv.im;
  bt709.matrix = ColorMatrix::kBT709;
  auto run = [&](const Image& im, const Roi& roi) {
    std::vector<uint8_t> out(OutputBytes(s), 0xAB);
    VT_CHECK(pp.Run(&im, 1, roi, out.data(), out.size()).ok);
    return out;
  };
  for (int rep = 0; rep < 2; ++rep)
    for (const Image* im : {&nv.im, &bgr.im, &nv.im, &small.im, &bt709})
      for (Roi roi : {Roi{}, Roi{4, 2, 60, 40}}) VT_CHECK(run(*im, roi) == Run(s, *im, roi, ~0u));
  SetCpuMask(0);
  const std::vector<uint8_t> scalar = run(nv.im, Roi{});
  SetCpuMask(~0u);
  VT_CHECK(scalar == Run(s, nv.im, Roi{}, 0));
  Image odd = nv.im;
  odd.width = 131;  // the same checks as Preprocess()
  std::vector<uint8_t> out(OutputBytes(s));
  VT_CHECK(!pp.Run(&odd, 1, Roi{}, out.data(), out.size()).ok);
  const std::vector<uint8_t> want_nv = Run(s, nv.im, Roi{}, ~0u), want_small = Run(s, small.im, Roi{}, ~0u);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const bool first = (i + t) % 2 == 0;
        std::vector<uint8_t> o(OutputBytes(s));
        const Image& im = first ? nv.im : small.im;
        if (!pp.Run(&im, 1, Roi{}, o.data(), o.size()).ok || o != (first ? want_nv : want_small)) ++wrong;
      }
    });
  for (std::thread& th : threads) th.join();
  VT_CHECK(wrong == 0);
}

VT_TEST(KernelVariantFollowsTheCpuMask) {
  const uint32_t mask = CpuMask();
  SetCpuMask(0);
  VT_CHECK(std::strcmp(KernelVariant(), "scalar") == 0);
  SetCpuMask(~0u);
  const uint32_t f = CpuFeatures();
  const uint32_t avx2 = kCpuHasAVX2 | kCpuHasFMA | kCpuHasF16C;
  VT_CHECK(std::strcmp(KernelVariant(), (f & kCpuHasNEON) ? "neon" : (f & avx2) == avx2 ? "avx2" : "scalar") == 0);
  SetCpuMask(mask);
}

VT_TEST(BadArgumentsAreErrors) {
  std::vector<uint8_t> px(64 * 64 * 3), out(1 << 16);
  Image im;
  im.format = PixelFormat::kBGR, im.width = 64, im.height = 64, im.plane[0] = px.data(), im.stride[0] = 192;
  Spec s;
  s.width = 16, s.height = 16;
  auto ok = [&](const Spec& sp, const Image& i, Roi roi = Roi{}, size_t bytes = 1 << 16) {
    return Preprocess(sp, &i, 1, roi, out.data(), bytes).ok;
  };
  VT_CHECK(ok(s, im));
  Spec bad = s;
  bad.width = 0;
  VT_CHECK(!ok(bad, im));
  bad = s, bad.std[1] = 0;
  VT_CHECK(!ok(bad, im));
  bad = s, bad.dtype = DType::kInt8;  // needs quant
  VT_CHECK(!ok(bad, im));
  bad = s, bad.dtype = DType::kUInt8, bad.quantized = true, bad.quant_scale = 0;
  VT_CHECK(!ok(bad, im));
  Image b = im;
  b.stride[0] = 191;  // smaller than a row
  VT_CHECK(!ok(s, b));
  b = im, b.plane[0] = nullptr;
  VT_CHECK(!ok(s, b));
  b = im, b.format = PixelFormat::kNV12, b.width = 63;  // odd YUV width
  b.plane[1] = px.data(), b.stride[1] = 64;
  VT_CHECK(!ok(s, b));
  b = im, b.width = 1 << 15, b.height = 1 << 15;
  VT_CHECK(!ok(s, b));
  VT_CHECK(!ok(s, im, Roi{60, 0, 8, 8}));           // outside
  VT_CHECK(!ok(s, im, Roi{0, 0, 8, 0}));            // empty
  VT_CHECK(!ok(s, im, Roi{}, OutputBytes(s) - 1));  // out too small
}
