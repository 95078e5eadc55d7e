#include "pil_coeffs.h"

#include <algorithm>
#include <cmath>

namespace vidlite {
namespace {

double BilinearFilter(double x) {
  if (x < 0.0) x = -x;
  if (x < 1.0) return 1.0 - x;
  return 0.0;
}

double BicubicFilter(double x) {
  const double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

}  // namespace

PilTaps PilCoefficients(Resize resize, int in_size, int64_t out_size, int64_t first, int count) {
  const bool cubic = resize == Resize::kPilBicubic;
  // Pillow takes the box (0, 0, w, h) as C floats: (double)(in1 - in0) / outSize.
  const double scale = static_cast<double>(static_cast<float>(in_size)) / static_cast<double>(out_size);
  const double filterscale = std::max(scale, 1.0);
  const double support = (cubic ? 2.0 : 1.0) * filterscale;
  const double inv = 1.0 / filterscale;
  std::vector<int64_t> xmins(count);
  std::vector<std::vector<int32_t>> windows(count);
  PilTaps t;
  std::vector<double> w;
  for (int i = 0; i < count; ++i) {
    const double center = (static_cast<double>(first + i) + 0.5) * scale;
    const int64_t xmin = std::max<int64_t>(static_cast<int64_t>(center - support + 0.5), 0);
    const int64_t xmax = std::min<int64_t>(static_cast<int64_t>(center + support + 0.5), in_size) - xmin;
    w.assign(static_cast<size_t>(std::max<int64_t>(xmax, 0)), 0.0);
    double ww = 0.0;
    for (size_t x = 0; x < w.size(); ++x) {
      const double v = (static_cast<double>(static_cast<int64_t>(x) + xmin) - center + 0.5) * inv;
      w[x] = cubic ? BicubicFilter(v) : BilinearFilter(v);
      ww += w[x];
    }
    if (ww != 0.0)
      for (double& v : w) v /= ww;
    std::vector<int32_t>& k = windows[i];
    for (double v : w)
      k.push_back(
          static_cast<int32_t>(v < 0 ? -0.5 + v * (1 << kPilPrecisionBits) : 0.5 + v * (1 << kPilPrecisionBits)));
    xmins[i] = xmin;
    t.taps = std::max(t.taps, static_cast<int>(k.size()));
  }
  t.start.resize(count);
  t.k.assign(static_cast<size_t>(count) * t.taps, 0);
  for (int i = 0; i < count; ++i) {
    const int64_t s = std::min<int64_t>(xmins[i], in_size - t.taps);  // every tap inside; leading weights 0
    t.start[i] = static_cast<int32_t>(s);
    std::copy(windows[i].begin(), windows[i].end(), t.k.begin() + static_cast<size_t>(i) * t.taps + (xmins[i] - s));
  }
  return t;
}

bool PilHorizontalFirst(int in_w, int in_h, int64_t out_w, int64_t out_h) {
  const int64_t dh = in_h - out_h, dw = in_w - out_w;
  return !(dh > 0 && dh > dw * 2);
}

PilTaps PlacePilTaps(const PilTaps& t, int origin, int plane, int shift, int align) {
  const int n = static_cast<int>(t.start.size());
  int span = 0;
  for (int i = 0; i < n; ++i)
    span = std::max(span, ((origin + t.start[i] + t.taps - 1) >> shift) - ((origin + t.start[i]) >> shift) + 1);
  PilTaps p;
  p.taps = std::min((span + align - 1) / align * align, plane);
  p.start.resize(n);
  p.k.assign(static_cast<size_t>(n) * p.taps, 0);
  for (int i = 0; i < n; ++i) {
    const int s = std::min((origin + t.start[i]) >> shift, plane - p.taps);
    p.start[i] = s;
    for (int j = 0; j < t.taps; ++j)
      p.k[static_cast<size_t>(i) * p.taps + (((origin + t.start[i] + j) >> shift) - s)] +=
          t.k[static_cast<size_t>(i) * t.taps + j];
  }
  return p;
}

}  // namespace vidlite
