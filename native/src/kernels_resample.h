// Row kernels of the Pillow-exact resize (Resize::kPilBilinear / kPilBicubic; resample_pil.cc drives
// them). Everything is integer, exactly as Pillow computes 8-bit images: a SIMD variant equals the
// scalar reference (kernels_resample_scalar.cc) bit for bit by computing the same 32-bit sums.
//
// An output of either pass is clip8((2^21 + sum_t k_t p_t) >> 22): k Pillow's coefficients
// (pil_coeffs.h, 22 fractional bits, signed), p 8-bit pixels, the sum in 32-bit two's complement (it
// never wraps for Pillow's filters: the absolute weights of one output sum to under 2 x 2^22), clip8
// clamping to 0..255.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vidlite {

struct ResampleKernels {
  const char* name;
  // tap_align[bpp]: the horizontal tables of pixels of bpp bytes (1: planes) hold taps in multiples of
  // this (PlacePilTaps pads with zero weights).
  int tap_align[5];
  // packed_over_read: horizontal_packed may read this many bytes past each window's last pixel.
  int packed_over_read;
  // The variant's layout of the horizontal coefficients k[d * taps + t] (d < n) for pixels of bpp
  // bytes (1: horizontal, 3 or 4: horizontal_packed), built once per plan.
  void (*h_tables)(const int32_t* k, int taps, int n, int bpp, std::vector<uint8_t>* tables);
  // Horizontal pass over `planes` rows sharing one geometry: out[p][d] = clip8((2^21 +
  // sum_t k[d * taps + t] in[p][start[d] + t]) >> 22), d < n. Reads only in[p][start[d] .. start[d] + taps).
  // pf: a hint, the byte offset from the rows read to rows a later call reads (0: none), which a
  // variant may prefetch spread over its pass (a frame fresh from a decoder is not in cache).
  void (*horizontal)(const uint8_t* const* in, int planes, const int32_t* start, const uint8_t* tables, int taps, int n,
                     ptrdiff_t pf, uint8_t* const* out);
  // The same over the channels of packed pixels (bpp 3 or 4) for outputs from .. n - 1 (from a
  // multiple of 8): out[c][d] from in[(start[d] + t) * bpp + off[c]], c < 3.
  void (*horizontal_packed)(const uint8_t* in, int bpp, const int* off, const int32_t* start, const uint8_t* tables,
                            int taps, int n, int from, ptrdiff_t pf, uint8_t* const* out);
  // Vertical pass: out[i] = clip8((2^21 + sum_t k[t] rows[t][i]) >> 22), i < n. Reads only rows[t][0 .. n).
  void (*vertical)(const uint8_t* const* rows, const int32_t* k, int taps, int n, uint8_t* out);
  // Packed pixels to planes: out[c][i] = in[i * bpp + off[c]], c < channels (2 or 3), i < n. Reads only
  // in[0 .. (n - 1) * bpp + max(off)].
  void (*deinterleave)(const uint8_t* in, int bpp, const int* off, int channels, int n, uint8_t* const* out);
};

struct Kernels;
const ResampleKernels& ScalarResampleKernels();
#if defined(__x86_64__)
const ResampleKernels& Avx2ResampleKernels();
#endif
#if defined(__aarch64__)
const ResampleKernels& NeonResampleKernels();
#endif
// The variant of the instruction set of `k` (what SelectKernels() picked for the same plan).
const ResampleKernels& ResampleKernelsFor(const Kernels& k);

// The scalar reference of one horizontal output (the SIMD variants' remainders use it too).
inline uint8_t PilClip8(int32_t acc) {
  const int32_t v = acc >> 22;
  return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

// sum_t k[t] p[t * step] + 2^21 in wrapping 32-bit arithmetic (no signed-overflow UB), clipped.
inline uint8_t PilDot(const uint8_t* p, ptrdiff_t step, const int32_t* k, int taps) {
  uint32_t acc = 1u << 21;
  for (int t = 0; t < taps; ++t) acc += static_cast<uint32_t>(static_cast<int32_t>(p[t * step]) * k[t]);
  return PilClip8(static_cast<int32_t>(acc));
}

}  // namespace vidlite
