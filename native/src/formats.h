// Facts about the source pixel formats the drivers share (preprocess.cc, resample_pil.cc).
#pragma once
#include "vidlite/preprocess.h"

namespace vidlite {

inline bool IsYuv(PixelFormat f) {
  return f == PixelFormat::kNV12 || f == PixelFormat::kNV21 || f == PixelFormat::kI420;
}

inline int PackedBpp(PixelFormat f) {
  switch (f) {
    case PixelFormat::kBGR:
    case PixelFormat::kRGB: return 3;
    case PixelFormat::kBGRA:
    case PixelFormat::kRGBA: return 4;
    default: return 1;
  }
}

// Byte offsets of R, G, B inside a packed pixel.
inline void RgbOffsets(PixelFormat f, int off[3]) {
  const bool bgr_order = f == PixelFormat::kBGR || f == PixelFormat::kBGRA;
  off[0] = bgr_order ? 2 : 0;
  off[1] = 1;
  off[2] = bgr_order ? 0 : 2;
}

// Bytes from one chroma sample of a 4:2:0 chroma row to the next (NV12/NV21 interleave U and V).
inline int ChromaStep(PixelFormat f) { return f == PixelFormat::kI420 ? 1 : 2; }

}  // namespace vidlite
