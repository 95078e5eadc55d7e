// The scalar reference of the Pillow-exact resize kernels: Pillow's own loops.
#include <cstring>

#include "kernels_resample.h"

namespace vidlite {
namespace {

void HTables(const int32_t* k, int taps, int n, int /*bpp*/, std::vector<uint8_t>* tables) {
  tables->resize(static_cast<size_t>(taps) * n * sizeof(int32_t));
  std::memcpy(tables->data(), k, tables->size());
}

void Horizontal(const uint8_t* const* in, int planes, const int32_t* start, const uint8_t* tables, int taps, int n,
                ptrdiff_t /*pf*/, uint8_t* const* out) {
  const int32_t* k = reinterpret_cast<const int32_t*>(tables);
  for (int p = 0; p < planes; ++p)
    for (int d = 0; d < n; ++d) out[p][d] = PilDot(in[p] + start[d], 1, k + static_cast<ptrdiff_t>(d) * taps, taps);
}

void HorizontalPacked(const uint8_t* in, int bpp, const int* off, const int32_t* start, const uint8_t* tables, int taps,
                      int n, int from, ptrdiff_t /*pf*/, uint8_t* const* out) {
  const int32_t* k = reinterpret_cast<const int32_t*>(tables);
  for (int c = 0; c < 3; ++c)
    for (int d = from; d < n; ++d)
      out[c][d] =
          PilDot(in + static_cast<ptrdiff_t>(start[d]) * bpp + off[c], bpp, k + static_cast<ptrdiff_t>(d) * taps, taps);
}

void Vertical(const uint8_t* const* rows, const int32_t* k, int taps, int n, uint8_t* out) {
  for (int i = 0; i < n; ++i) {
    uint32_t acc = 1u << 21;
    for (int t = 0; t < taps; ++t) acc += static_cast<uint32_t>(static_cast<int32_t>(rows[t][i]) * k[t]);
    out[i] = PilClip8(static_cast<int32_t>(acc));
  }
}

void Deinterleave(const uint8_t* in, int bpp, const int* off, int channels, int n, uint8_t* const* out) {
  for (int c = 0; c < channels; ++c)
    for (int i = 0; i < n; ++i) out[c][i] = in[static_cast<ptrdiff_t>(i) * bpp + off[c]];
}

}  // namespace

const ResampleKernels& ScalarResampleKernels() {
  static const ResampleKernels k = [] {
    ResampleKernels k{};
    k.name = "scalar";
    k.tap_align[0] = 1;
    k.tap_align[1] = 1;
    k.tap_align[2] = 1;
    k.tap_align[3] = 1;
    k.tap_align[4] = 1;
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
