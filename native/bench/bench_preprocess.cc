// C++ timing of the fused pipeline without Python in the way: 1080p BGR / NV12 -> 224x224 float32
// NCHW (bilinear, area, Pillow's BILINEAR / BICUBIC, shortest edge 256 + centre crop 224) and
// 1080p -> 640x640 letterbox, per kernel variant. Prints median and min ms per frame of
// thread CPU time (the build machines are shared: wall time there mostly measures the neighbours).
// Usage: vidlite_bench_preprocess [reps] [case-name filter] [simd,cold,evict]
// (simd: skip the scalar reference; cold: flush the source frame from the caches before each run,
// as a frame fresh from a decoder or camera would be; evict: write 16 MB elsewhere before each run,
// as the competitors in bench/preprocess.py do between vidlite's calls, leaving caches and TLB cold)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <vector>

#include "vidlite/cpu_features.h"
#include "vidlite/preprocess.h"

using namespace vidlite;

#include <cstring>

static const char* g_filter = "";  // run only cases whose name contains this
static bool g_cold = false;        // flush the source frame from the caches before every run
static bool g_evict = false;       // write a 16 MB buffer before every run

#if defined(__x86_64__)
#include <immintrin.h>
static void Evict(const Image& im) {
  const int planes = im.format == PixelFormat::kNV12 ? 2 : 1;
  for (int p = 0; p < planes; ++p) {
    const size_t bytes = static_cast<size_t>(im.stride[p]) * (p ? im.height / 2 : im.height);
    for (size_t i = 0; i < bytes; i += 64) _mm_clflush(im.plane[p] + i);
  }
  _mm_mfence();
}
#else
static void Evict(const Image&) {}
#endif

static void Time(const char* name, const Spec& s, const Image& im, int reps) {
  if (!std::strstr(name, g_filter)) return;
  std::vector<uint8_t> out(OutputBytes(s));
  static std::vector<uint8_t> junk(g_evict ? 16 << 20 : 0);
  std::vector<double> ms;
  Preprocessor pp(s);  // as a decode loop uses it: the plan is made once
  for (int r = 0; r < reps; ++r) {
    if (g_cold) Evict(im);
    // Plain stores, one per line, as a competitor's work does (a large memset may use non-temporal
    // stores, which leave the frame cached).
    if (g_evict)
      for (size_t i = 0; i < junk.size(); i += 64) junk[i] = static_cast<uint8_t>(junk[i] + r);
    timespec t0, t1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    pp.Run(&im, 1, Roi{}, out.data(), out.size(), 1);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    ms.push_back((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) * 1e-6);
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%-36s median %.3f  min %.3f ms\n", name, ms[ms.size() / 2], ms[0]);
}

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 200;
  if (argc > 2) g_filter = argv[2];
  const int w = 1920, h = 1080;
  std::vector<uint8_t> bgr(w * h * 3), yuv(w * h * 3 / 2);
  std::mt19937 rng(1);
  for (auto& b : bgr) b = static_cast<uint8_t>(rng());
  for (auto& b : yuv) b = static_cast<uint8_t>(rng());
  Image ib;
  ib.format = PixelFormat::kBGR, ib.width = w, ib.height = h, ib.plane[0] = bgr.data(), ib.stride[0] = 3 * w;
  Image in;
  in.format = PixelFormat::kNV12, in.width = w, in.height = h;
  in.plane[0] = yuv.data(), in.stride[0] = w, in.plane[1] = yuv.data() + w * h, in.stride[1] = w;
  Spec s;
  s.width = s.height = 224;
  s.mean[0] = 0.485, s.mean[1] = 0.456, s.mean[2] = 0.406, s.std[0] = 0.229, s.std[1] = 0.224, s.std[2] = 0.225;
  Spec area = s;
  area.resize = Resize::kArea;
  Spec pil = s, pil_cubic = s, pil_crop = s;
  pil.resize = Resize::kPilBilinear;
  pil_cubic.resize = Resize::kPilBicubic;
  pil_crop.resize = Resize::kPilBilinear, pil_crop.fit = Fit::kCenterCrop, pil_crop.shortest_edge = 256;
  Spec lb;
  lb.width = lb.height = 640, lb.fit = Fit::kLetterbox, lb.pad_value = 114;
  const bool simd_only = argc > 3 && std::strstr(argv[3], "simd");
  g_cold = argc > 3 && std::strstr(argv[3], "cold");
  g_evict = argc > 3 && std::strstr(argv[3], "evict");
  for (uint32_t mask : {0u, ~0u}) {
    if (simd_only && !mask) continue;
    SetCpuMask(mask);
    std::printf("-- %s\n", mask ? "dispatched SIMD" : "scalar reference");
    Time("nv12 1080p -> 224 f32 nchw bilinear", s, in, reps);
    Time("bgr 1080p -> 224 f32 nchw bilinear", s, ib, reps);
    Time("nv12 1080p -> 224 f32 nchw area", area, in, reps / 4 + 1);
    Time("nv12 1080p -> 224 f32 nchw pil-bilinear", pil, in, reps);
    Time("bgr 1080p -> 224 f32 nchw pil-bilinear", pil, ib, reps);
    Time("nv12 1080p -> 224 f32 nchw pil-bicubic", pil_cubic, in, reps);
    Time("bgr 1080p -> 224 f32 nchw pil-bicubic", pil_cubic, ib, reps);
    Time("nv12 1080p -> 256 crop 224 pil-bilinear", pil_crop, in, reps);
    Time("bgr 1080p -> 256 crop 224 pil-bilinear", pil_crop, ib, reps);
    Image small = ib;  // same work per output pixel, source in cache: shows the memory cost above
    small.width = 480, small.height = 270;
    Time("bgr 480x270 -> 224 f32 nchw bilinear", s, small, reps);
    Time("bgr 1080p -> 640 letterbox f32", lb, ib, reps / 4 + 1);
  }
  return 0;
}
