// Pillow's antialiased resampling coefficients (src/libImaging/Resample.c: precompute_coeffs and
// normalize_coeffs_8bpc) for Resize::kPilBilinear / kPilBicubic, and where they sit in a frame's planes.
// Mirrors vidlite.preprocess.pil.coefficients formula for formula (double precision, no contraction:
// the library builds with -ffp-contract=off), so the NumPy reference and Pillow get the same integers.
#pragma once
#include <cstdint>
#include <vector>

#include "vidlite/preprocess.h"

namespace vidlite {

// Pillow's PRECISION_BITS (32 - 8 - 2): an output is clip8((2^21 + sum_t k_t p_t) >> 22).
constexpr int kPilPrecisionBits = 22;

inline bool IsPil(Resize r) { return r == Resize::kPilBilinear || r == Resize::kPilBicubic; }

// Output i reads positions start[i] .. start[i] + taps - 1 with weights k[i * taps + t] (x 2^-22);
// taps outside an output's own window weigh 0.
struct PilTaps {
  int taps = 0;
  std::vector<int32_t> start;
  std::vector<int32_t> k;
};

// Outputs first .. first + count - 1 of an in_size -> out_size resize; start relative to the resized
// region, every tap inside 0 .. in_size - 1.
PilTaps PilCoefficients(Resize resize, int in_size, int64_t out_size, int64_t first, int count);

// Pillow 13's pass order for an in_w x in_h -> out_w x out_h resize: vertically first when the height
// shrinks by more pixels than twice the width does (Pillow 12 and earlier: always horizontally first).
bool PilHorizontalFirst(int in_w, int in_h, int64_t out_w, int64_t out_h);

// The taps re-laid on a plane of `plane` positions whose position p holds region position
// q with (origin + q) >> shift == p: shift 0 places a region starting at `origin` in the frame;
// shift 1 gives the 4:2:0 chroma plane, where the replicated chroma of two neighbouring positions is one
// sample (their weights add up: the same integer sums as filtering the replicated plane). Taps padded
// to a multiple of `align` (at most `plane`), windows moved left where they would end past the plane.
PilTaps PlacePilTaps(const PilTaps& t, int origin, int plane, int shift, int align);

}  // namespace vidlite
