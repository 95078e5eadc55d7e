// The fused driver: for each source row an output row needs, gather only the columns the horizontal
// taps read, convert their colour and filter horizontally (cached per source row); then filter
// vertically, normalize and store in the output dtype/layout. 4:2:0 sources to colour output filter
// Y, U and V instead and convert once per output pixel (Plan::yuv_planes). A 1080p frame scaled to
// 224x224 reads ~450 source rows and ~450 columns of each.
#include "vidlite/preprocess.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

#include "formats.h"
#include "geometry.h"
#include "kernels.h"
#include "resample_pil.h"
#include "thread_pool.h"

namespace vidlite {
namespace {

constexpr int kMaxSide = 16384;
constexpr int64_t kMaxPixels = int64_t{1} << 28;
// The same bounds as PreprocessSpec (sdk/vidlite/preprocess/spec.py): with std below kStdMin the scale
// 1 / (255 std) overflows float32 (std 1e-45 gave inf/NaN); within them every value stays finite.
constexpr double kStdMin = 1e-6, kStdMax = 1e6, kMeanMax = 1e6;

YuvCoeffs MakeCoeffs(ColorMatrix m, ColorRange r) {
  // Same formulas as vidlite.preprocess.reference.yuv_coefficients.
  const double kr = m == ColorMatrix::kBT601 ? 0.299 : 0.2126;
  const double kb = m == ColorMatrix::kBT601 ? 0.114 : 0.0722;
  const double kg = 1.0 - kr - kb;
  const bool limited = r == ColorRange::kLimited;
  const double cy = limited ? 255.0 / 219 : 1.0, cc = limited ? 255.0 / 224 : 1.0;
  const double one = 1 << kYuvShift;
  auto q = [](double v) { return static_cast<int32_t>(std::nearbyint(v)); };
  return YuvCoeffs{limited ? 16 : 0,
                   q(cy * one),
                   q(cc * 2 * (1 - kr) * one),
                   q(cc * 2 * kb * (1 - kb) / kg * one),
                   q(cc * 2 * kr * (1 - kr) / kg * one),
                   q(cc * 2 * (1 - kb) * one)};
}

struct Plan {
  Rect src, dst;
  Taps ty;
  int tx_taps = 1;
  std::vector<int32_t> cols;  // absolute source x of every column a horizontal tap reads (sorted)
  std::vector<int32_t> pos;   // per output x: index into cols of its first tap
  std::vector<float> wx;      // horizontal weights, tap-major
  bool pairs = false;         // pos[d] == 2d with 2 taps
  int safe_cols = 0;          // leading cols from which a SIMD gather may read 8 bytes
  int safe_pairs = 0;         // pairs: leading outputs whose fused-kernel windows (16 bytes) fit the rows
  std::vector<uint8_t> odd;   // pairs: first column of each pair & 1
  bool pair_kernels = false;  // pairs to colour output from a colour source: pairs_plane + pairs_chroma / pairs_packed
  // pairs: outputs tail..n-1 (the last 8, when some windows would cross the row end) read a padded
  // copy of each row from the even column tail_x on, through tail_cols = cols - tail_x, so the SIMD
  // kernels cover the right edge too instead of leaving it to the per-pixel reference.
  int tail = 0, tail_x = 0;
  std::vector<int32_t> tail_cols;
  size_t tail_bytes = 0;  // per copied plane: the row from tail_x to the frame's right edge + padding
  // Bilinear >= 2x down in both directions to float32 NCHW colour: no source row serves two output
  // rows, so each output row filters its two source rows (and their chroma) in one fused kernel,
  // straight into the tensor (pairs2_packed, pairs2_yuv).
  bool two_rows = false;
  std::vector<uint8_t> yuv_tables;  // two_rows from 4:2:0: the kernels' pairs2_yuv_tables
  // 4:2:0 source to colour output: the Y, U and V planes (chroma replicated 2x2) are filtered like
  // colour planes and converted to RGB once per output pixel (vertical_yuv), not per source pixel.
  bool yuv_planes = false;
  int channels = 3;
  int planes = 3;  // distinct filtered planes (1 when a gray source fills 3 channels)
  float scale[3], bias[3], qs = 1.f;
  int zp = 0, lo = 0, hi = 255;
  uint8_t pad[3][4];  // the pad value per channel, already in the output dtype
  YuvCoeffs yuv;
  // Resize::kPilBilinear / kPilBicubic: the Pillow-exact plan, which replaces the taps, columns and
  // kernel choices above (of those, src, dst and the output stage from channels on are set).
  std::shared_ptr<const PilPlan> pil;
};

void StoreRun(const Kernels& k, const Spec& spec, const Plan& p, const float* in, int n, int c, void* out, int step) {
  switch (spec.dtype) {
    case DType::kFloat32: k.store_f32(in, n, p.scale[c], p.bias[c], static_cast<float*>(out), step); break;
    case DType::kFloat16: k.store_f16(in, n, p.scale[c], p.bias[c], static_cast<uint16_t*>(out), step); break;
    default: k.store_q8(in, n, p.scale[c], p.bias[c], p.qs, p.zp, p.lo, p.hi, static_cast<uint8_t*>(out), step);
  }
}

// The output stage of a plan: channels, normalization, quantization, pad values, colour coefficients.
void PlanOutput(const Spec& spec, const Image& im, const Kernels& k, Plan* p) {
  p->channels = Channels(spec);
  const bool raw = spec.dtype == DType::kUInt8 && !spec.quantized;
  for (int c = 0; c < p->channels; ++c) {
    p->scale[c] = raw ? 1.f : static_cast<float>(1.0 / (255.0 * spec.std[c]));
    p->bias[c] = raw ? 0.f : static_cast<float>(-spec.mean[c] / spec.std[c]);
  }
  if (spec.quantized) {
    p->qs = static_cast<float>(spec.quant_scale);
    p->zp = spec.quant_zero_point;
  }
  if (spec.dtype == DType::kInt8) p->lo = -128, p->hi = 127;
  const float padf = static_cast<float>(spec.pad_value);
  for (int c = 0; c < p->channels; ++c) StoreRun(k, spec, *p, &padf, 1, c, p->pad[c], 1);
  p->yuv = MakeCoeffs(im.matrix, im.range);
}

Plan MakePlan(const Spec& spec, const Image& im, const Rect& roi, const Kernels& k) {
  Plan p;
  int64_t full_w, full_h;  // the size src is resized to; the centre dst.w x dst.h is kept
  FitRects(spec.fit, roi, spec.width, spec.height, spec.shortest_edge, &p.src, &p.dst, &full_w, &full_h);
  if (IsPil(spec.resize)) {
    PlanOutput(spec, im, k, &p);
    p.pil = std::make_shared<const PilPlan>(MakePilPlan(spec, im, p.src, full_w, full_h, p.dst, p.yuv, k));
    return p;
  }
  p.ty = MakeTaps(spec.resize, p.src.h, full_h, (full_h - p.dst.h) / 2, p.dst.h);
  Taps tx = MakeTaps(spec.resize, p.src.w, full_w, (full_w - p.dst.w) / 2, p.dst.w);
  p.tx_taps = tx.taps;
  std::vector<int32_t> rank(p.src.w, -1);
  for (int d = 0; d < p.dst.w; ++d)
    for (int t = 0; t < tx.taps; ++t) rank[tx.start[d] + t] = 0;
  for (int x = 0; x < p.src.w; ++x)
    if (rank[x] == 0) {
      rank[x] = static_cast<int32_t>(p.cols.size());
      p.cols.push_back(p.src.x + x);
    }
  const int n = p.dst.w;
  p.pos.resize(n);
  p.wx.resize(static_cast<size_t>(n) * tx.taps);
  p.pairs = tx.taps == 2;
  for (int d = 0; d < n; ++d) {
    p.pos[d] = rank[tx.start[d]];  // taps are consecutive in cols: every column between was marked
    p.pairs = p.pairs && p.pos[d] == 2 * d;
    for (int t = 0; t < tx.taps; ++t)
      p.wx[static_cast<size_t>(t) * n + d] = tx.weights[static_cast<size_t>(d) * tx.taps + t];
  }
  // cols are sorted, so the columns whose over-read stays inside the row form a prefix.
  const bool yuv = IsYuv(im.format);
  const int64_t row_bytes = static_cast<int64_t>(im.width) * (yuv ? 1 : PackedBpp(im.format));
  while (p.safe_cols < static_cast<int>(p.cols.size())) {
    const int64_t x = p.cols[p.safe_cols];
    if (yuv ? x + 8 > im.width : x * PackedBpp(im.format) + 8 > row_bytes) break;
    ++p.safe_cols;
  }
  if (p.pairs) {
    constexpr int64_t kWindow = 16;
    auto fits = [&](int64_t x) {
      if (!yuv) return x * PackedBpp(im.format) + kWindow <= row_bytes;
      const int64_t chroma_end = im.format == PixelFormat::kI420 ? (x >> 1) + kWindow : (x >> 1) * 2 + 1 + kWindow;
      return x + kWindow <= im.width && chroma_end <= (im.format == PixelFormat::kI420 ? im.width / 2 : im.width);
    };
    while (p.safe_pairs < n && fits(p.cols[2 * p.safe_pairs])) ++p.safe_pairs;
    p.odd.resize(n);
    for (int d = 0; d < n; ++d) p.odd[d] = static_cast<uint8_t>(p.cols[2 * d] & 1);
    p.tail = (p.safe_pairs == n || n < 8) ? n : std::min(p.safe_pairs, n - 8);
    if (p.tail < n) {
      p.tail_x = p.cols[2 * p.tail] & ~1;
      for (size_t i = 2 * static_cast<size_t>(p.tail); i < p.cols.size(); ++i)
        p.tail_cols.push_back(p.cols[i] - p.tail_x);
      p.tail_bytes = static_cast<size_t>(im.width - p.tail_x) * (yuv ? 1 : PackedBpp(im.format)) + 32;
    }
  }
  p.pair_kernels = p.pairs && spec.order != ChannelOrder::kGray && im.format != PixelFormat::kGray;
  p.two_rows = p.pair_kernels && p.ty.taps == 2 && spec.dtype == DType::kFloat32 && spec.layout == Layout::kNCHW &&
               OnWeightGrid(p.wx);
  for (int d = 0; p.two_rows && d + 1 < p.dst.h; ++d) p.two_rows = p.ty.start[d + 1] >= p.ty.start[d] + 2;
  if (p.two_rows && yuv) {
    // The fused 4:2:0 kernel pays only with the variant's tables (a window load per two pairs, an
    // integer filter): 1080p -> 224 NV12 1.29-1.37x, I420 1.38-1.43x faster than the cached rows;
    // without them it runs the chained kernels, 10-16 % slower than the cached rows.
    const bool nv21 = im.format == PixelFormat::kNV21;
    p.two_rows = k.pairs2_yuv_tables(p.cols.data(), std::min(p.safe_pairs, p.tail), ChromaStep(im.format), nv21 ? 1 : 0,
                                     nv21 ? 0 : 1, &p.yuv_tables);
  }
  p.yuv_planes = yuv && spec.order != ChannelOrder::kGray;
  PlanOutput(spec, im, k, &p);
  p.planes = (im.format == PixelFormat::kGray) ? 1 : p.channels;
  return p;
}

// One source row of a 4:2:0 frame: luma, U and V (ChromaStep apart), and the interleaved chroma row
// they lie in (NV12/NV21; null for I420).
struct YuvRow {
  const uint8_t *y, *u, *v, *uv;
};

YuvRow YuvRowAt(const Image& im, int sy) {
  const uint8_t* y = im.plane[0] + sy * im.stride[0];
  if (im.format == PixelFormat::kI420)
    return YuvRow{y, im.plane[1] + (sy >> 1) * im.stride[1], im.plane[2] + (sy >> 1) * im.stride[2], nullptr};
  const uint8_t* uv = im.plane[1] + (sy >> 1) * im.stride[1];
  const bool nv12 = im.format == PixelFormat::kNV12;
  return YuvRow{y, uv + (nv12 ? 0 : 1), uv + (nv12 ? 1 : 0), uv};
}

// One thread's scratch: a direct-mapped cache of source rows already converted and filtered
// horizontally (slot = row % taps, so the taps of one output row never collide), and byte buffers
// for the gathered pixels (padded: SIMD horizontal filters may read 3 bytes past the last tap).
class Worker {
 public:
  Worker(const Spec& spec, const Plan& p, const Kernels& k)
      : spec_(spec),
        p_(p),
        k_(k),
        nu_(static_cast<int>(p.cols.size())),
        slots_(p.ty.taps),
        cache_(static_cast<size_t>(slots_) * p.planes * p.dst.w),
        keys_(slots_, -1),
        ckeys_(slots_, -1),
        bytes_(6 * (static_cast<size_t>(nu_) + kPad)),
        vbuf_(3 * static_cast<size_t>(p.dst.w)),
        rows_(3 * slots_),
        tail_(6 * p.tail_bytes),
        direct_f32_(spec.dtype == DType::kFloat32 && spec.layout == Layout::kNCHW && p.planes == p.channels),
        yuvf_(p.yuv),
        pil_(p.pil ? new PilRows(*p.pil, k) : nullptr) {}

  void Rows(const Image& im, int y0, int y1, uint8_t* out) {
    for (int oy = y0; oy < y1; ++oy) {
      if (oy < p_.dst.y || oy >= p_.dst.y + p_.dst.h) {
        PadSpan(out, oy, 0, spec_.width);
        continue;
      }
      PadSpan(out, oy, 0, p_.dst.x);
      PadSpan(out, oy, p_.dst.x + p_.dst.w, spec_.width);
      if (pil_) {  // Pillow's resize: integer pixel values, normalized and stored like any others
        float* const px[3] = {vbuf_.data(), vbuf_.data() + p_.dst.w, vbuf_.data() + 2 * static_cast<size_t>(p_.dst.w)};
        pil_->Row(im, oy - p_.dst.y, px);
        for (int c = 0; c < p_.channels; ++c) StoreChannel(px[c], c, oy, out);
        continue;
      }
      const int cy = oy - p_.dst.y, taps = p_.ty.taps, first = p_.src.y + p_.ty.start[cy];
      // The pair kernels prefetch the rows of output row cy + kPairsAhead as they go; the other paths
      // request the rows of cy + kAhead at once.
      const int later = cy + kPairsAhead < p_.dst.h ? p_.src.y + p_.ty.start[cy + kPairsAhead] : -1;
      if (!p_.pair_kernels && cy + kAhead < p_.dst.h) Prefetch(im, p_.src.y + p_.ty.start[cy + kAhead], taps);
      if (p_.two_rows) {
        if (p_.yuv_planes)
          TwoRowsYuv(im, oy, cy, first, later, reinterpret_cast<float*>(out));
        else
          TwoRows(im, oy, cy, first, later < 0 ? 0 : (later - first) * im.stride[0], reinterpret_cast<float*>(out));
        continue;
      }
      for (int t = 0; t < taps; ++t) {
        const int sy = first + t, crow = sy >> 1;
        const bool chroma = p_.yuv_planes && ckeys_[crow % slots_] != crow;
        if (keys_[sy % slots_] != sy || chroma) {
          ConvertRow(im, sy, sy % slots_, later < 0 ? -1 : later + t, chroma);
          keys_[sy % slots_] = sy;
          if (chroma) ckeys_[crow % slots_] = crow;
        }
      }
      const float* wy = p_.ty.weights.data() + static_cast<size_t>(cy) * taps;
      if (p_.yuv_planes) {
        YuvRowOut(oy, first, wy, out);
        continue;
      }
      for (int pl = 0; pl < p_.planes; ++pl) {
        for (int t = 0; t < taps; ++t) rows_[t] = Slot((first + t) % slots_, pl);
        if (direct_f32_) {  // float32 NCHW, one plane per channel: filter straight into the output row
          const size_t at = (static_cast<size_t>(pl) * spec_.height + oy) * spec_.width + p_.dst.x;
          k_.vertical_f32(rows_.data(), wy, taps, p_.dst.w, p_.scale[pl], p_.bias[pl],
                          reinterpret_cast<float*>(out) + at);
          continue;
        }
        k_.vertical(rows_.data(), wy, taps, p_.dst.w, vbuf_.data());
        // A gray source feeding 3 channels filters once and stores thrice (each with its own mean/std).
        for (int c = (p_.planes == 1 ? 0 : pl); c < (p_.planes == 1 ? p_.channels : pl + 1); ++c)
          StoreChannel(vbuf_.data(), c, oy, out);
      }
    }
  }

 private:
  static constexpr size_t kPad = 4;
  // A frame fresh from a decoder is not in cache, and the rows a large downscale reads are far apart:
  // paths without pair kernels request the rows of output row cy + kAhead, all at once, while cy is
  // computed. The pair kernels prefetch the next output row's source rows spread over their pass
  // instead: a burst of ~120 prefetches per output row measured no effect on the Skylake-SP build
  // machine, the spread ones (round-robin A/B, 1080p -> 224, frame evicted by a 16 MB write) BGR
  // 0.47 -> 0.36 ms, NV12 0.55 -> 0.51 ms; 2 rows ahead was slightly worse than 1.
  static constexpr int kAhead = 2;
  static constexpr int kPairsAhead = 1;

  void Prefetch(const Image& im, int first, int taps) {
    const bool yuv = IsYuv(im.format);
    const int nplanes = im.format == PixelFormat::kI420 ? 3 : (yuv ? 2 : 1);
    for (int t = 0; t < taps; ++t) {
      const int sy = first + t;
      if (keys_[sy % slots_] == sy) continue;  // already converted
      for (int pl = 0; pl < nplanes; ++pl) PrefetchRow(im, pl, pl > 0 ? sy >> 1 : sy);
    }
  }

  // The chroma plane(s) of chroma row crow.
  void PrefetchChroma(const Image& im, int crow) {
    for (int pl = 1; pl < (im.format == PixelFormat::kI420 ? 3 : 2); ++pl) PrefetchRow(im, pl, crow);
  }

  // The bytes of plane pl's row `row` that the gathered columns lie in.
  void PrefetchRow(const Image& im, int pl, int row) {
    const ptrdiff_t bpp = IsYuv(im.format) ? 1 : PackedBpp(im.format);
    const ptrdiff_t x0 = p_.cols.front() * bpp, x1 = p_.cols.back() * bpp + bpp;
    const ptrdiff_t div = (im.format == PixelFormat::kI420 && pl > 0) ? 2 : 1;  // I420 chroma: half width
    const uint8_t* r = im.plane[pl] + row * im.stride[pl];
    for (ptrdiff_t x = x0 / div; x < x1 / div; x += 64) __builtin_prefetch(r + x);
    __builtin_prefetch(r + x1 / div - 1);
  }
  // Output pixels x0..x1 of row oy take the pad value: in NCHW one run per channel, in NHWC one run
  // of whole pixels. Runs are filled by doubling memcpy of the first element/pixel.
  void PadSpan(uint8_t* out, int oy, int x0, int x1) {
    if (x1 <= x0) return;
    const size_t es = ElementSize(spec_.dtype), n = static_cast<size_t>(x1 - x0);
    if (spec_.layout == Layout::kNCHW) {
      for (int c = 0; c < p_.channels; ++c)
        Fill(out + ((static_cast<size_t>(c) * spec_.height + oy) * spec_.width + x0) * es, p_.pad[c], es, n);
    } else {
      uint8_t px[16];
      for (int c = 0; c < p_.channels; ++c) std::memcpy(px + c * es, p_.pad[c], es);
      Fill(out + (static_cast<size_t>(oy) * spec_.width + x0) * p_.channels * es, px, p_.channels * es, n);
    }
  }

  static void Fill(uint8_t* dst, const uint8_t* unit, size_t unit_bytes, size_t count) {
    const size_t total = unit_bytes * count;
    std::memcpy(dst, unit, unit_bytes);
    for (size_t done = unit_bytes; done < total;) {
      const size_t chunk = std::min(done, total - done);
      std::memcpy(dst + done, dst, chunk);
      done += chunk;
    }
  }

  // Pixel values in[0..dst.w) of channel c of output row oy, normalized and stored in the output
  // dtype and layout.
  void StoreChannel(const float* in, int c, int oy, uint8_t* out) {
    size_t at;
    int step;
    if (spec_.layout == Layout::kNCHW) {
      at = (static_cast<size_t>(c) * spec_.height + oy) * spec_.width + p_.dst.x;
      step = 1;
    } else {
      at = (static_cast<size_t>(oy) * spec_.width + p_.dst.x) * p_.channels + c;
      step = p_.channels;
    }
    StoreRun(k_, spec_, p_, in, p_.dst.w, c, out + at * ElementSize(spec_.dtype), step);
  }

  // Plan::yuv_planes: output row oy from the cached Y, U, V rows of source rows first.. (vertical
  // weights wy): converted, normalized and written straight into a float32 NCHW tensor, else as pixel
  // values through StoreChannel.
  void YuvRowOut(int oy, int first, const float* wy, uint8_t* out) {
    const int taps = p_.ty.taps, n = p_.dst.w;
    for (int t = 0; t < taps; ++t) {
      rows_[t] = Slot((first + t) % slots_, 0);
      for (int pl = 1; pl < 3; ++pl) rows_[pl * taps + t] = Slot(((first + t) >> 1) % slots_, pl);
    }
    float* rgb[3];  // where R, G, B go
    float s[3] = {1.f, 1.f, 1.f}, b[3] = {0.f, 0.f, 0.f};
    if (direct_f32_) {
      RgbRow(oy, reinterpret_cast<float*>(out), rgb, s, b);
    } else {
      for (int c = 0; c < 3; ++c) rgb[c] = vbuf_.data() + static_cast<size_t>(OutputChannel(c)) * n;
    }
    k_.vertical_yuv(rows_.data(), wy, taps, n, yuvf_, s, b, rgb);
    if (direct_f32_) return;
    for (int c = 0; c < 3; ++c) StoreChannel(vbuf_.data() + static_cast<size_t>(c) * n, c, oy, out);
  }

  // The output channel of R (0), G (1) or B (2).
  int OutputChannel(int c) const { return spec_.order == ChannelOrder::kBGR ? 2 - c : c; }

  // Where R, G and B of output row oy start in a float32 NCHW tensor, with their scale and bias.
  void RgbRow(int oy, float* out, float* rgb[3], float s[3], float b[3]) const {
    for (int c = 0; c < 3; ++c) {
      const int ch = OutputChannel(c);
      rgb[c] = out + (static_cast<size_t>(ch) * spec_.height + oy) * spec_.width + p_.dst.x;
      s[c] = p_.scale[ch], b[c] = p_.bias[ch];
    }
  }

  // Plane pl of cache slot `slot`. Plan::yuv_planes: plane 0 (Y) is keyed by source row (keys_), planes
  // 1 and 2 (U, V) by chroma row (ckeys_; one chroma row serves two source rows).
  float* Slot(int slot, int plane) {
    return cache_.data() + (static_cast<size_t>(slot) * p_.planes + plane) * p_.dst.w;
  }
  uint8_t* Bytes(int i) { return bytes_.data() + static_cast<size_t>(i) * (nu_ + kPad); }

  // Plan::two_rows: output row oy (content row cy) from source rows sy and sy + 1 in one kernel call.
  // pf: the byte offset from rows sy, sy + 1 to the rows a later call reads (0: none).
  void TwoRows(const Image& im, int oy, int cy, int sy, ptrdiff_t pf, float* out) {
    const int n = p_.dst.w, t = p_.tail, bpp = PackedBpp(im.format);
    const float *w0 = p_.wx.data(), *w1 = w0 + n, *wy = p_.ty.weights.data() + 2 * static_cast<size_t>(cy);
    int off[3];  // in output channel order
    RgbOffsets(im.format, off);
    if (spec_.order == ChannelOrder::kBGR) std::swap(off[0], off[2]);
    float *o[3], *ot[3];
    for (int c = 0; c < 3; ++c) {
      o[c] = out + (static_cast<size_t>(c) * spec_.height + oy) * spec_.width + p_.dst.x;
      ot[c] = o[c] + t;
    }
    const uint8_t* rows[2] = {im.plane[0] + sy * im.stride[0], im.plane[0] + (sy + 1) * im.stride[0]};
    k_.pairs2_packed(rows, p_.cols.data(), t, std::min(p_.safe_pairs, t), bpp, off, w0, w1, wy, p_.scale, p_.bias, pf,
                     o);
    if (t == n) return;
    const ptrdiff_t x = static_cast<ptrdiff_t>(p_.tail_x) * bpp, end = static_cast<ptrdiff_t>(im.width) * bpp;
    const uint8_t* tr[2] = {PadTail(0, rows[0], x, end), PadTail(1, rows[1], x, end)};
    k_.pairs2_packed(tr, p_.tail_cols.data(), n - t, n - t, bpp, off, w0 + t, w1 + t, wy, p_.scale, p_.bias, 0, ot);
  }

  // Plan::two_rows from 4:2:0: output row oy (content row cy) from source rows sy and sy + 1 and their
  // chroma row(s) in one kernel call; `later`: the first row a later call reads (-1: none).
  void TwoRowsYuv(const Image& im, int oy, int cy, int sy, int later, float* out) {
    const int n = p_.dst.w, t = p_.tail, step = ChromaStep(im.format);
    const float *w0 = p_.wx.data(), *w1 = w0 + n, *wy = p_.ty.weights.data() + 2 * static_cast<size_t>(cy);
    float *o[3], s[3], b[3];
    RgbRow(oy, out, o, s, b);
    const YuvRow r[2] = {YuvRowAt(im, sy), YuvRowAt(im, sy + 1)};
    const uint8_t *y[2] = {r[0].y, r[1].y}, *u[2] = {r[0].u, r[1].u}, *v[2] = {r[0].v, r[1].v};
    const ptrdiff_t pf_y = later < 0 ? 0 : (later - sy) * im.stride[0];
    const ptrdiff_t pf_c = later < 0 ? 0 : ((later >> 1) - (sy >> 1)) * im.stride[1];
    k_.pairs2_yuv(y, u, v, step, p_.cols.data(), p_.odd.data(), p_.yuv_tables.data(), t, std::min(p_.safe_pairs, t), w0,
                  w1, wy, yuvf_, s, b, pf_y, pf_c, o);
    if (t == n) return;
    const bool two_chroma = u[0] != u[1];
    const YuvRow c0 = PadYuvTail(im, r[0], true, 0);
    YuvRow c1 = PadYuvTail(im, r[1], two_chroma, 3);
    if (!two_chroma) c1.u = c0.u, c1.v = c0.v;
    const uint8_t *ty[2] = {c0.y, c1.y}, *tu[2] = {c0.u, c1.u}, *tv[2] = {c0.v, c1.v};
    float* const ot[3] = {o[0] + t, o[1] + t, o[2] + t};
    k_.pairs2_yuv(ty, tu, tv, step, p_.tail_cols.data(), p_.odd.data() + t, nullptr, n - t, n - t, w0 + t, w1 + t, wy,
                  yuvf_, s, b, 0, 0, ot);
  }

  // The row's planes from column tail_x on (chroma only when `chroma`), copied into the padded buffers
  // first..first + 2.
  YuvRow PadYuvTail(const Image& im, const YuvRow& row, bool chroma, int first) {
    const ptrdiff_t x = p_.tail_x, w = im.width;
    const uint8_t* y = PadTail(first, row.y, x, w);
    if (!chroma) return YuvRow{y, nullptr, nullptr, nullptr};
    if (!row.uv)
      return YuvRow{y, PadTail(first + 1, row.u, x / 2, w / 2), PadTail(first + 2, row.v, x / 2, w / 2), nullptr};
    const uint8_t* c = PadTail(first + 1, row.uv, x, w);
    return YuvRow{y, c + (row.u - row.uv), c + (row.v - row.uv), c};
  }

  // Row bytes [from, to) copied to scratch buffer i, followed by padding for 16-byte windows.
  const uint8_t* PadTail(int i, const uint8_t* row, ptrdiff_t from, ptrdiff_t to) {
    uint8_t* dst = tail_.data() + i * p_.tail_bytes;
    std::memcpy(dst, row + from, static_cast<size_t>(to - from));
    return dst;
  }

  // Plan::yuv_planes, source row sy: gather Y, U, V and filter them horizontally, Y into cache slot
  // `slot`, U and V into the chroma slot of row sy >> 1, only when `chroma` (not cached yet).
  // later: the row a later call reads in sy's place (-1: none), which the pair kernels prefetch.
  void FilterYuvRow(const Image& im, int sy, int slot, int later, bool chroma) {
    const YuvRow r = YuvRowAt(im, sy);
    const int step = ChromaStep(im.format);
    float *o_y = Slot(slot, 0), *o_u = Slot((sy >> 1) % slots_, 1), *o_v = Slot((sy >> 1) % slots_, 2);
    if (!p_.pair_kernels) {
      uint8_t *y = Bytes(0), *u = Bytes(1), *v = Bytes(2);
      k_.gather_yuv(r.y, r.u, r.v, step, p_.cols.data(), nu_, p_.safe_cols, p_.pairs, y, u, v);
      Horizontal(y, o_y);
      if (chroma) Horizontal(u, o_u), Horizontal(v, o_v);
      return;
    }
    const int n = p_.dst.w, t = p_.tail, safe = std::min(p_.safe_pairs, t);
    const float *w0 = p_.wx.data(), *w1 = w0 + n;
    const ptrdiff_t pf_y = later < 0 ? 0 : (later - sy) * im.stride[0];
    const ptrdiff_t pf_c = later < 0 ? 0 : ((later >> 1) - (sy >> 1)) * im.stride[1];
    k_.pairs_plane(r.y, p_.cols.data(), t, safe, w0, w1, pf_y, o_y);
    if (chroma)
      k_.pairs_chroma(r.u, r.v, step, p_.cols.data(), p_.odd.data(), t, safe, w0, w1, pf_c, o_u, o_v);
    else if (later >= 0)
      PrefetchChroma(im, later >> 1);  // in place of the skipped chroma kernel's spread prefetches
    if (t == n) return;
    const YuvRow c = PadYuvTail(im, r, chroma, 0);
    k_.pairs_plane(c.y, p_.tail_cols.data(), n - t, n - t, w0 + t, w1 + t, 0, o_y + t);
    if (chroma)
      k_.pairs_chroma(c.u, c.v, step, p_.tail_cols.data(), p_.odd.data() + t, n - t, n - t, w0 + t, w1 + t, 0, o_u + t,
                      o_v + t);
  }

  // Source row sy: gather the needed columns, convert colour (exact integers), filter horizontally.
  // later: the row a later call reads in sy's place (-1: none), which the pair kernels prefetch.
  void ConvertRow(const Image& im, int sy, int slot, int later, bool chroma) {
    if (p_.yuv_planes) return FilterYuvRow(im, sy, slot, later, chroma);
    const int32_t* cols = p_.cols.data();
    uint8_t *g0 = Bytes(0), *g1 = Bytes(1), *g2 = Bytes(2), *c0 = Bytes(3), *c1 = Bytes(4), *c2 = Bytes(5);
    const bool to_gray = spec_.order == ChannelOrder::kGray;
    const bool bgr = spec_.order == ChannelOrder::kBGR;
    uint8_t* planes[3] = {c0, c1, c2};  // bytes in output channel order
    if (IsYuv(im.format)) {             // to gray: every pixel to 8-bit RGB first
      const YuvRow r = YuvRowAt(im, sy);
      k_.gather_yuv(r.y, r.u, r.v, ChromaStep(im.format), cols, nu_, p_.safe_cols, p_.pairs, g0, g1, g2);
      k_.yuv_to_rgb(g0, g1, g2, bgr ? c2 : c0, c1, bgr ? c0 : c2, nu_, p_.yuv);
    } else if (im.format == PixelFormat::kGray) {
      const uint8_t* row = im.plane[0] + sy * im.stride[0];
      for (int i = 0; i < nu_; ++i) c0[i] = row[cols[i]];
    } else {
      int off[3];
      RgbOffsets(im.format, off);
      if (bgr) std::swap(off[0], off[2]);
      if (p_.pair_kernels) {  // gather and filter in one pass
        const int n = p_.dst.w, t = p_.tail, bpp = PackedBpp(im.format);
        const uint8_t* row = im.plane[0] + sy * im.stride[0];
        const float *w0 = p_.wx.data(), *w1 = w0 + n;
        float *o0 = Slot(slot, 0), *o1 = Slot(slot, 1), *o2 = Slot(slot, 2);
        const ptrdiff_t pf = later < 0 ? 0 : (later - sy) * im.stride[0];
        k_.pairs_packed(row, cols, t, std::min(p_.safe_pairs, t), bpp, off, w0, w1, pf, o0, o1, o2);
        if (t < n)
          k_.pairs_packed(
              PadTail(0, row, static_cast<ptrdiff_t>(p_.tail_x) * bpp, static_cast<ptrdiff_t>(im.width) * bpp),
              p_.tail_cols.data(), n - t, n - t, bpp, off, w0 + t, w1 + t, 0, o0 + t, o1 + t, o2 + t);
        return;
      }
      k_.gather_packed(im.plane[0] + sy * im.stride[0], cols, nu_, p_.safe_cols, p_.pairs, PackedBpp(im.format), off,
                       c0, c1, c2);
    }
    if (to_gray && im.format != PixelFormat::kGray) {
      k_.rgb_to_gray(c0, c1, c2, g0, nu_);
      planes[0] = g0;
    }
    for (int pl = 0; pl < p_.planes; ++pl) Horizontal(planes[pl], Slot(slot, pl));
  }

  // The horizontal filter of one plane's gathered bytes.
  void Horizontal(const uint8_t* in, float* out) {
    if (p_.pairs)
      k_.horizontal_pairs(in, p_.wx.data(), p_.dst.w, out);
    else
      k_.horizontal(in, p_.pos.data(), p_.wx.data(), p_.tx_taps, p_.dst.w, out);
  }

  const Spec& spec_;
  const Plan& p_;
  const Kernels& k_;
  const int nu_, slots_;
  std::vector<float> cache_;
  std::vector<int> keys_, ckeys_;
  std::vector<uint8_t> bytes_;
  std::vector<float> vbuf_;
  std::vector<const float*> rows_;
  std::vector<uint8_t> tail_;  // padded copies of row ends (Plan::tail): up to 2 rows of 3 planes
  const bool direct_f32_;
  const YuvFloat yuvf_;
  std::unique_ptr<PilRows> pil_;
};

bool Finite(double v) { return std::isfinite(v); }

}  // namespace

int Channels(const Spec& spec) { return spec.order == ChannelOrder::kGray ? 1 : 3; }

size_t ElementSize(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return 4;
    case DType::kFloat16: return 2;
    default: return 1;
  }
}

size_t OutputBytes(const Spec& spec) {
  return static_cast<size_t>(spec.width) * spec.height * Channels(spec) * ElementSize(spec.dtype);
}

Status ValidateSpec(const Spec& s) {
  if (s.width < 1 || s.width > kMaxSide || s.height < 1 || s.height > kMaxSide)
    return Status::Error("spec width/height must be in 1.." + std::to_string(kMaxSide) + ", got " +
                         std::to_string(s.width) + "x" + std::to_string(s.height));
  if (!Finite(s.pad_value) || s.pad_value < 0 || s.pad_value > 255)
    return Status::Error("spec pad_value must be a pixel value in 0..255");
  if (s.resize != Resize::kBilinear && s.resize != Resize::kArea && !IsPil(s.resize))
    return Status::Error("spec resize is not a Resize value");
  if (s.shortest_edge != 0) {
    if (s.fit != Fit::kCenterCrop)
      return Status::Error("spec shortest_edge resizes then crops the centre: it needs fit center_crop");
    if (s.shortest_edge < std::max(s.width, s.height) || s.shortest_edge > kMaxSide)
      return Status::Error("spec shortest_edge must be in max(width, height).." + std::to_string(kMaxSide) + ", got " +
                           std::to_string(s.shortest_edge));
  }
  for (int c = 0; c < 3; ++c) {
    if (!Finite(s.mean[c]) || !Finite(s.std[c]) || !(s.std[c] >= kStdMin && s.std[c] <= kStdMax) ||
        !(s.mean[c] >= -kMeanMax && s.mean[c] <= kMeanMax))
      return Status::Error("spec std must be in 1e-6..1e6 and mean in -1e6..1e6, both finite, for every channel");
  }
  const bool q8 = s.dtype == DType::kUInt8 || s.dtype == DType::kInt8;
  if (s.quantized) {
    if (!q8) return Status::Error("spec quant applies to uint8/int8 output only");
    if (!Finite(s.quant_scale) || !(s.quant_scale > 0) || !std::isfinite(static_cast<float>(s.quant_scale)) ||
        static_cast<float>(s.quant_scale) == 0.f)
      return Status::Error("spec quant scale must be a positive float32");
    const int lo = s.dtype == DType::kInt8 ? -128 : 0, hi = s.dtype == DType::kInt8 ? 127 : 255;
    if (s.quant_zero_point < lo || s.quant_zero_point > hi)
      return Status::Error("spec quant zero_point must be in " + std::to_string(lo) + ".." + std::to_string(hi));
  } else if (s.dtype == DType::kInt8) {
    return Status::Error("spec dtype int8 needs quant scale and zero_point");
  }
  return Status{};
}

Status ValidateImage(const Image& im) {
  if (im.width < 1 || im.height < 1) return Status::Error("frame must be non-empty");
  if (static_cast<int64_t>(im.width) * im.height > kMaxPixels)
    return Status::Error("frame larger than " + std::to_string(kMaxPixels) + " pixels");
  const bool yuv = IsYuv(im.format);
  if (yuv && (im.width % 2 || im.height % 2)) return Status::Error("4:2:0 YUV frames need an even width and height");
  const int nplanes = im.format == PixelFormat::kI420 ? 3 : (yuv ? 2 : 1);
  for (int i = 0; i < nplanes; ++i) {
    ptrdiff_t row_bytes;
    if (!yuv)
      row_bytes = static_cast<ptrdiff_t>(im.width) * PackedBpp(im.format);
    else if (i == 0 || im.format != PixelFormat::kI420)
      row_bytes = im.width;  // Y, or interleaved chroma of W/2 pairs
    else
      row_bytes = im.width / 2;
    if (!im.plane[i]) return Status::Error("frame plane " + std::to_string(i) + " is null");
    if (im.stride[i] < row_bytes)
      return Status::Error("frame plane " + std::to_string(i) + " stride " + std::to_string(im.stride[i]) +
                           " is smaller than its row (" + std::to_string(row_bytes) + " bytes)");
  }
  return Status{};
}

namespace {

const Status kOutOfMemory = Status::Error("out of memory for preprocessing buffers");

// Preprocess()'s checks of its arguments; on success *roi is the region of the frames to read.
Status CheckCall(const Spec& spec, const Image* images, int count, const Roi& roi_in, const void* out, size_t out_bytes,
                 Rect* roi) {
  Status st = ValidateSpec(spec);
  if (!st.ok) return st;
  if (count < 1 || !images) return Status::Error("need at least one frame");
  if (!out) return Status::Error("out is null");
  const Image& first = images[0];
  for (int i = 0; i < count; ++i) {
    const Image& im = images[i];
    if (!(st = ValidateImage(im)).ok) return st;
    if (im.format != first.format || im.width != first.width || im.height != first.height ||
        im.matrix != first.matrix || im.range != first.range)
      return Status::Error("all frames of a batch must share format, size and colour description");
  }
  *roi = Rect{0, 0, first.width, first.height};
  if (roi_in.width != 0 || roi_in.height != 0) {
    *roi = Rect{roi_in.x, roi_in.y, roi_in.width, roi_in.height};
    if (roi->w < 1 || roi->h < 1 || roi->x < 0 || roi->y < 0 || roi->x > first.width - roi->w ||
        roi->y > first.height - roi->h)
      return Status::Error("roi must be non-empty and inside the frame");
  }
  const size_t frame_bytes = OutputBytes(spec);
  if (out_bytes / frame_bytes < static_cast<size_t>(count))
    return Status::Error("out holds " + std::to_string(out_bytes) + " bytes; need " + std::to_string(frame_bytes) +
                         " per frame x " + std::to_string(count));
  return Status{};
}

// The checked frames through `plan` (made with kernels k).
Status RunPlan(const Spec& spec, const Plan& plan, const Kernels& k, const Image* images, int count, void* out,
               int threads) {
  threads = std::max(1, std::min(threads, 64));
  const size_t frame_bytes = OutputBytes(spec);
  // Few frames on many threads: split each frame into row bands so every thread has work.
  const int bands = count >= threads ? 1 : (threads + count - 1) / count;
  const int band_rows = (spec.height + bands - 1) / bands;
  std::atomic<bool> failed{false};
  ParallelFor(count * bands, threads, [&](int job) {
    try {
      const int f = job / bands, b = job % bands;
      const int y0 = b * band_rows, y1 = std::min(spec.height, y0 + band_rows);
      if (y0 >= y1) return;
      Worker w(spec, plan, k);
      w.Rows(images[f], y0, y1, static_cast<uint8_t*>(out) + static_cast<size_t>(f) * frame_bytes);
    } catch (const std::bad_alloc&) {
      failed = true;
    }
  });
  return failed ? kOutOfMemory : Status{};
}

}  // namespace

Status Preprocess(const Spec& spec, const Image* images, int count, const Roi& roi_in, void* out, size_t out_bytes,
                  int threads) {
  Rect roi;
  Status st = CheckCall(spec, images, count, roi_in, out, out_bytes, &roi);
  if (!st.ok) return st;
  const Kernels& k = SelectKernels();
  try {
    return RunPlan(spec, MakePlan(spec, images[0], roi, k), k, images, count, out, threads);
  } catch (const std::bad_alloc&) {
    return kOutOfMemory;
  }
}

// The last plan with what it was made for: the kernels and the frames' geometry.
struct Preprocessor::Cache {
  std::mutex mutex;
  const Kernels* kernels = nullptr;
  Image geometry;  // format, size and colour description (planes unused)
  Rect roi;
  std::shared_ptr<const Plan> plan;

  bool Serves(const Kernels& k, const Image& im, const Rect& r) const {
    return plan && kernels == &k && geometry.format == im.format && geometry.width == im.width &&
           geometry.height == im.height && geometry.matrix == im.matrix && geometry.range == im.range && roi.x == r.x &&
           roi.y == r.y && roi.w == r.w && roi.h == r.h;
  }
};

Preprocessor::Preprocessor(const Spec& spec) : spec_(spec), cache_(new Cache) {}
Preprocessor::~Preprocessor() { delete cache_; }

Status Preprocessor::Run(const Image* images, int count, const Roi& roi_in, void* out, size_t out_bytes, int threads) {
  Rect roi;
  Status st = CheckCall(spec_, images, count, roi_in, out, out_bytes, &roi);
  if (!st.ok) return st;
  const Kernels& k = SelectKernels();  // the CPU mask may change between calls
  try {
    std::shared_ptr<const Plan> plan;
    {
      std::lock_guard<std::mutex> lock(cache_->mutex);
      if (cache_->Serves(k, images[0], roi)) plan = cache_->plan;
    }
    if (!plan) {
      plan = std::make_shared<const Plan>(MakePlan(spec_, images[0], roi, k));
      std::lock_guard<std::mutex> lock(cache_->mutex);
      cache_->kernels = &k, cache_->geometry = images[0], cache_->roi = roi, cache_->plan = plan;
    }
    return RunPlan(spec_, *plan, k, images, count, out, threads);
  } catch (const std::bad_alloc&) {
    return kOutOfMemory;
  }
}

}  // namespace vidlite
