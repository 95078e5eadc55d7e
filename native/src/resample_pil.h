// The Pillow-exact resize (Resize::kPilBilinear / kPilBicubic) of one frame geometry: which image
// Pillow would resize, its coefficient tables, and the rows of output pixels (the caller normalizes,
// stores and pads them: preprocess.cc).
//
// The image Pillow resizes, per source:
// - BGR/RGB/BGRA/RGBA to colour: its R, G, B (Pillow's "RGB" image; alpha ignored).
// - GRAY: the plane ("L").
// - NV12/NV21/I420 to colour: Y, U, V with the chroma replicated 2x2 (a "YCbCr" image), each
//   resized, then converted to 8-bit RGB per output pixel (the integer yuv_to_rgb). The chroma is
//   filtered at its own resolution with each pair of replicated positions' weights added up: the same
//   integer sums as filtering the replicated plane, at a quarter of the work.
// - colour to gray output: every source pixel converted (rgb_to_gray, 4:2:0 through yuv_to_rgb first).
// Passes in Pillow 13's order (pil_coeffs.h): horizontally first, each source row the vertical taps
// read filtered once (a ring of filtered rows); or vertically first, on the source rows themselves
// (packed pixels filtered byte by byte, planes split after), then horizontally.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "geometry.h"
#include "kernels.h"
#include "kernels_resample.h"
#include "pil_coeffs.h"

namespace vidlite {

struct PilPlan {
  enum class Source { kPacked, kGray, kYuv, kToGray };
  Source source = Source::kPacked;
  bool h_first = true;
  int n = 0;         // output columns
  int channels = 3;  // output channels (gray images fill 3 by repetition)
  int bpp = 1,
      off[3] = {0, 1, 2};  // packed: bytes per pixel, byte of each output channel (R, G, B order swapped for BGR)
  bool bgr = false;        // 4:2:0 colour: R and B outputs swapped
  int cstep = 1, u_off = 0, v_off = 0;  // 4:2:0 chroma: bytes per sample, U and V byte within it
  PilTaps tx, ty, cx, cy;        // horizontal / vertical taps on frame (luma) columns / rows; 4:2:0 colour: chroma's
  std::vector<int32_t> sx, scx;  // tx / cx window starts relative to the span (x0 / c0)
  std::vector<uint8_t> hx, hc;   // the kernels' tables of tx, cx
  int x0 = 0, x1 = 0, c0 = 0, c1 = 0;  // columns the horizontal windows read, luma [x0, x1), chroma [c0, c1)
  // Packed sources: horizontal_packed may read packed_over_read bytes past a window, so outputs
  // tail .. n - 1 (those whose over-read would pass the row's end) read a padded copy of the row from
  // column tail_x on, through tail_start (start - tail_x; 0 before tail).
  int tail = 0, tail_x = 0;
  std::vector<int32_t> tail_start;
  std::vector<int32_t> span_cols;  // 4:2:0 to gray: x0 .. x1 - 1 (for gather_yuv)
  YuvCoeffs yuv{};
  const ResampleKernels* rk = nullptr;
};

// src: the frame rectangle resized to full_w x full_h, of which outputs (full - dst) / 2 on, dst.w x
// dst.h, are kept.
PilPlan MakePilPlan(const Spec& spec, const Image& im, const Rect& src, int64_t full_w, int64_t full_h, const Rect& dst,
                    const YuvCoeffs& yuv, const Kernels& k);

// One thread's scratch for a plan.
class PilRows {
 public:
  PilRows(const PilPlan& p, const Kernels& k);
  // Output content row cy: the pixel value of each output channel c (channel order of the output) at
  // out[c][0 .. n).
  void Row(const Image& im, int cy, float* const* out);

 private:
  void HorizontalFirst(const Image& im, int cy);
  void VerticalFirst(const Image& im, int cy);
  void FilterRow(const Image& im, int sy, int slot);
  void FilterChromaRow(const Image& im, int cr, int slot);
  const uint8_t* GrayRow(const Image& im, int sy);
  void Finish(float* const* out);
  uint8_t* Ring(int slot, int plane) { return ring_.data() + (static_cast<size_t>(slot) * 3 + plane) * n_; }
  uint8_t* ChromaRing(int slot, int plane) { return cring_.data() + (static_cast<size_t>(slot) * 2 + plane) * n_; }

  // Horizontally first, the rows are filtered in order: the kernels prefetch this many rows ahead.
  static constexpr int kRowsAhead = 2;
  const PilPlan& p_;
  const Kernels& k_;
  const ResampleKernels& rk_;
  const int n_, span_, cspan_;
  std::vector<uint8_t> ring_, cring_, gray_;  // rows filtered horizontally (3 planes, U and V), converted rows
  std::vector<int> keys_, ckeys_, gkeys_;
  std::vector<uint8_t> split_;         // planes split from packed pixels or interleaved chroma (3 x span)
  std::vector<uint8_t> tail_;          // the padded copy of a packed row's end (PilPlan::tail)
  std::vector<uint8_t> vrow_, vcrow_;  // vertically-first: a filtered row of source bytes (luma/packed, chroma)
  std::vector<uint8_t> res_;           // the resized planes of the output row (3 x n) and their RGB (3 x n)
  std::vector<const uint8_t*> rows_;
};

}  // namespace vidlite
