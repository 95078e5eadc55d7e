#include "geometry.h"

#include <algorithm>
#include <cmath>

#include "kernels.h"

namespace vidlite {
namespace {

constexpr double kWeightOne = 1 << kWeightBits;

int64_t RoundDiv(int64_t num, int64_t den) { return (2 * num + den) / (2 * den); }
int Clamp(int64_t v, int lo, int hi) { return static_cast<int>(std::min<int64_t>(std::max<int64_t>(v, lo), hi)); }

Taps Bilinear(int src, int64_t dst, int64_t first, int count) {
  Taps t;
  t.start.resize(count);
  if (src == 1) {
    t.taps = 1;
    t.weights.assign(count, 1.f);
    return t;
  }
  t.taps = 2;
  t.weights.resize(2 * static_cast<size_t>(count));
  const double scale = static_cast<double>(src) / static_cast<double>(dst);
  for (int d = 0; d < count; ++d) {
    double f = (static_cast<double>(first + d) + 0.5) * scale - 0.5;
    int64_t s = static_cast<int64_t>(std::floor(f));
    f -= static_cast<double>(s);
    if (s < 0) s = 0, f = 0.0;
    if (s >= src - 1) s = src - 2, f = 1.0;  // same value as (src-1, weight 1), both taps in range
    f = std::nearbyint(f * kWeightOne) / kWeightOne;
    t.start[d] = static_cast<int32_t>(s);
    t.weights[2 * d] = static_cast<float>(1.0 - f);
    t.weights[2 * d + 1] = static_cast<float>(f);
  }
  return t;
}

Taps Area(int src, int64_t dst, int64_t first, int count) {
  if (src <= dst) return Bilinear(src, dst, first, count);
  const double scale = static_cast<double>(src) / static_cast<double>(dst);
  int taps = 1;
  for (int i = 0; i < count; ++i) {
    const double d = static_cast<double>(first + i);
    const int64_t s0 = static_cast<int64_t>(std::floor(d * scale));
    const int64_t s1 = std::min<int64_t>(static_cast<int64_t>(std::ceil((d + 1) * scale)), src);
    taps = std::max<int>(taps, static_cast<int>(s1 - s0));
  }
  Taps t;
  t.taps = taps;
  t.start.resize(count);
  t.weights.assign(static_cast<size_t>(count) * taps, 0.f);
  for (int d = 0; d < count; ++d) {
    const double a = static_cast<double>(first + d) * scale, b = (static_cast<double>(first + d) + 1) * scale;
    const int64_t s0 = static_cast<int64_t>(std::floor(a));
    const int64_t s1 = std::min<int64_t>(static_cast<int64_t>(std::ceil(b)), src);
    const int64_t base = std::min<int64_t>(s0, src - taps);
    t.start[d] = static_cast<int32_t>(base);
    for (int64_t i = s0; i < s1; ++i)
      t.weights[static_cast<size_t>(d) * taps + (i - base)] =
          static_cast<float>((std::min(b, static_cast<double>(i + 1)) - std::max(a, static_cast<double>(i))) / scale);
  }
  return t;
}

}  // namespace

void FitRects(Fit fit, const Rect& roi, int out_w, int out_h, int shortest_edge, Rect* src, Rect* dst, int64_t* full_w,
              int64_t* full_h) {
  const int64_t w = roi.w, h = roi.h;
  const bool wider = w * out_h > h * out_w;
  *src = roi;
  *dst = Rect{0, 0, out_w, out_h};
  *full_w = out_w, *full_h = out_h;
  if (shortest_edge > 0) {  // as transformers' get_resize_output_image_size(default_to_square=False)
    const int64_t s = shortest_edge, shorter = std::min(w, h), longer = std::max(w, h);
    const int64_t resized = static_cast<int64_t>(static_cast<double>(s * longer) / static_cast<double>(shorter));
    *full_w = w <= h ? s : resized;
    *full_h = w <= h ? resized : s;
  } else if (fit == Fit::kCenterCrop) {
    if (wider) {
      const int cw = Clamp(RoundDiv(h * out_w, out_h), 1, static_cast<int>(w));
      *src = Rect{roi.x + (roi.w - cw) / 2, roi.y, cw, roi.h};
    } else {
      const int ch = Clamp(RoundDiv(w * out_h, out_w), 1, static_cast<int>(h));
      *src = Rect{roi.x, roi.y + (roi.h - ch) / 2, roi.w, ch};
    }
  } else if (fit == Fit::kLetterbox) {
    int cw = out_w, ch = out_h;
    if (wider)
      ch = Clamp(RoundDiv(h * out_w, w), 1, out_h);
    else
      cw = Clamp(RoundDiv(w * out_h, h), 1, out_w);
    *dst = Rect{(out_w - cw) / 2, (out_h - ch) / 2, cw, ch};
    *full_w = cw, *full_h = ch;
  }
}

bool OnWeightGrid(const std::vector<float>& weights) {
  for (float w : weights) {
    const double k = w * kWeightOne;
    if (!(k >= 0.0 && k <= kWeightOne) || k != std::floor(k)) return false;
  }
  return true;
}

Taps MakeTaps(Resize resize, int src, int64_t dst, int64_t first, int count) {
  return resize == Resize::kArea ? Area(src, dst, first, count) : Bilinear(src, dst, first, count);
}

}  // namespace vidlite
