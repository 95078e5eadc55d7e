// Which source pixels feed which output pixels: crop/letterbox rectangles and separable resize taps.
// Mirrors sdk/vidlite/preprocess/geometry.py formula for formula (double precision, weights rounded
// to float once), so the NumPy reference samples exactly the same pixels with the same weights.
#pragma once
#include <cstdint>
#include <vector>

#include "vidlite/preprocess.h"

namespace vidlite {

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
};

// Source rectangle to resample (inside roi), the output rectangle it fills (the rest is padding) and the
// size the source rectangle is resized to, of which the centre dst->w x dst->h outputs are kept, from
// (full - dst) / 2 on (full == dst but for shortest_edge > 0: Spec::shortest_edge).
void FitRects(Fit fit, const Rect& roi, int out_w, int out_h, int shortest_edge, Rect* src, Rect* dst, int64_t* full_w,
              int64_t* full_h);

// Output index d reads source indices start[d] .. start[d]+taps-1 (all inside 0..src-1) with
// weights[d * taps + t].
struct Taps {
  int taps = 1;
  std::vector<int32_t> start;
  std::vector<float> weights;
};
// Outputs first .. first + count - 1 of a src -> dst resize (bilinear or area).
Taps MakeTaps(Resize resize, int src, int64_t dst, int64_t first, int count);

// Bilinear weights are multiples of 2^-kWeightBits (kernels.h; OpenCV rounds its 8-bit bilinear
// weights to 2^-11): a weighted pair of 8-bit pixels is then exact in float32 and equals an integer
// multiply-add, which the two-row SIMD kernels use. The rounding moves a tap by at most 2^-15 pixel.
bool OnWeightGrid(const std::vector<float>& weights);  // every weight k 2^-kWeightBits, 0 <= k <= 2^kWeightBits

}  // namespace vidlite
