// NEON (aarch64) variant of the Pillow-exact resize kernels (kernels_resample.h), bit-identical to
// kernels_resample_scalar.cc: pixels are widened to 32 bits and multiplied by the int32 weights with
// vmlaq (wrapping 32-bit multiply-accumulate), the same sums as the reference. Packed pixels are split
// by the structure loads (vld2/vld3/vld4), which read exactly the window's pixels.
#include <arm_neon.h>

#include <cstring>

#include "kernels_resample.h"

namespace vidlite {
namespace {

const ResampleKernels& S() { return ScalarResampleKernels(); }

// Tables: the plain k (int32), as the reference's.
void HTables(const int32_t* k, int taps, int n, int /*bpp*/, std::vector<uint8_t>* tables) {
  tables->resize(static_cast<size_t>(taps) * n * sizeof(int32_t));
  std::memcpy(tables->data(), k, tables->size());
}

// acc += 8 pixels x 8 weights, in two 4-lane multiply-accumulates.
inline int32x4_t Mla8(int32x4_t acc, uint8x8_t px, const int32_t* k) {
  const uint16x8_t w = vmovl_u8(px);
  acc = vmlaq_s32(acc, vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(w))), vld1q_s32(k));
  return vmlaq_s32(acc, vreinterpretq_s32_u32(vmovl_u16(vget_high_u16(w))), vld1q_s32(k + 4));
}

inline uint8_t Clip(int32x4_t acc) {
  return PilClip8(static_cast<int32_t>(static_cast<uint32_t>(vaddvq_s32(acc)) + (1u << 21)));
}

void Horizontal(const uint8_t* const* in, int planes, const int32_t* start, const uint8_t* tables, int taps, int n,
                ptrdiff_t pf, uint8_t* const* out) {
  const int32_t* k = reinterpret_cast<const int32_t*>(tables);
  if (taps % 8) return S().horizontal(in, planes, start, tables, taps, n, pf, out);
  for (int p = 0; p < planes; ++p)
    for (int d = 0; d < n; ++d) {
      const uint8_t* px = in[p] + start[d];
      const int32_t* kd = k + static_cast<ptrdiff_t>(d) * taps;
      int32x4_t acc = vdupq_n_s32(0);
      for (int t = 0; t < taps; t += 8) acc = Mla8(acc, vld1_u8(px + t), kd + t);
      out[p][d] = Clip(acc);
    }
}

template <int kBpp>
void PackedOutputs(const uint8_t* in, const int* off, const int32_t* start, const int32_t* k, int taps, int n, int from,
                   uint8_t* const* out) {
  for (int d = from; d < n; ++d) {
    const uint8_t* px = in + static_cast<ptrdiff_t>(start[d]) * kBpp;
    const int32_t* kd = k + static_cast<ptrdiff_t>(d) * taps;
    int32x4_t acc[3] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
    for (int t = 0; t < taps; t += 8) {
      uint8x8_t ch[kBpp];
      if (kBpp == 3) {
        const uint8x8x3_t v = vld3_u8(px + 3 * t);
        for (int c = 0; c < 3; ++c) ch[c] = v.val[c];
      } else {
        const uint8x8x4_t v = vld4_u8(px + 4 * t);
        for (int c = 0; c < 4; ++c) ch[c] = v.val[c];
      }
      for (int c = 0; c < 3; ++c) acc[c] = Mla8(acc[c], ch[off[c]], kd + t);
    }
    for (int c = 0; c < 3; ++c) out[c][d] = Clip(acc[c]);
  }
}

void HorizontalPacked(const uint8_t* in, int bpp, const int* off, const int32_t* start, const uint8_t* tables, int taps,
                      int n, int from, ptrdiff_t pf, uint8_t* const* out) {
  if (taps % 8) return S().horizontal_packed(in, bpp, off, start, tables, taps, n, from, pf, out);
  const int32_t* k = reinterpret_cast<const int32_t*>(tables);
  if (bpp == 3)
    PackedOutputs<3>(in, off, start, k, taps, n, from, out);
  else
    PackedOutputs<4>(in, off, start, k, taps, n, from, out);
}

void Vertical(const uint8_t* const* rows, const int32_t* k, int taps, int n, uint8_t* out) {
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    int32x4_t acc[4] = {vdupq_n_s32(1 << 21), vdupq_n_s32(1 << 21), vdupq_n_s32(1 << 21), vdupq_n_s32(1 << 21)};
    for (int t = 0; t < taps; ++t) {
      const uint8x16_t px = vld1q_u8(rows[t] + i);
      const uint16x8_t lo = vmovl_u8(vget_low_u8(px)), hi = vmovl_u8(vget_high_u8(px));
      const uint32x4_t w[4] = {vmovl_u16(vget_low_u16(lo)), vmovl_u16(vget_high_u16(lo)), vmovl_u16(vget_low_u16(hi)),
                               vmovl_u16(vget_high_u16(hi))};
      for (int q = 0; q < 4; ++q) acc[q] = vmlaq_n_s32(acc[q], vreinterpretq_s32_u32(w[q]), k[t]);
    }
    // >> 22, then saturating narrows: below 0 -> 0, above 255 -> 255 (clip8).
    uint16x4_t h[4];
    for (int q = 0; q < 4; ++q) h[q] = vqmovun_s32(vshrq_n_s32(acc[q], 22));
    vst1q_u8(out + i, vcombine_u8(vqmovn_u16(vcombine_u16(h[0], h[1])), vqmovn_u16(vcombine_u16(h[2], h[3]))));
  }
  if (i < n) {
    constexpr int kMaxTaps = 256;
    if (taps > kMaxTaps) return S().vertical(rows, k, taps, n, out);
    const uint8_t* tail[kMaxTaps];
    for (int t = 0; t < taps; ++t) tail[t] = rows[t] + i;
    S().vertical(tail, k, taps, n - i, out + i);
  }
}

void Deinterleave(const uint8_t* in, int bpp, const int* off, int channels, int n, uint8_t* const* out) {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    uint8x8_t ch[4];
    const uint8_t* p = in + static_cast<ptrdiff_t>(i) * bpp;
    if (bpp == 2) {
      const uint8x8x2_t v = vld2_u8(p);
      ch[0] = v.val[0], ch[1] = v.val[1];
    } else if (bpp == 3) {
      const uint8x8x3_t v = vld3_u8(p);
      ch[0] = v.val[0], ch[1] = v.val[1], ch[2] = v.val[2];
    } else {
      const uint8x8x4_t v = vld4_u8(p);
      ch[0] = v.val[0], ch[1] = v.val[1], ch[2] = v.val[2], ch[3] = v.val[3];
    }
    for (int c = 0; c < channels; ++c) vst1_u8(out[c] + i, ch[off[c]]);
  }
  if (i < n) {
    uint8_t* rest[3] = {out[0] + i, out[1] + i, channels > 2 ? out[2] + i : nullptr};
    S().deinterleave(in + static_cast<ptrdiff_t>(i) * bpp, bpp, off, channels, n - i, rest);
  }
}

}  // namespace

const ResampleKernels& NeonResampleKernels() {
  static const ResampleKernels k = [] {
    ResampleKernels k{};
    k.name = "neon";
    k.tap_align[0] = 1;
    k.tap_align[1] = 8;
    k.tap_align[2] = 8;
    k.tap_align[3] = 8;
    k.tap_align[4] = 8;
    k.packed_over_read = 0;
    k.h_tables = HTables;
    k.horizontal = Horizontal;
    k.horizontal_packed = HorizontalPacked;
    k.vertical = Vertical;
    k.deinterleave = Deinterleave;
    return k;
  }();
  return k;
}

}  // namespace vidlite
