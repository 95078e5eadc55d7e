#include "resample_pil.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "formats.h"

namespace vidlite {

PilPlan MakePilPlan(const Spec& spec, const Image& im, const Rect& src, int64_t full_w, int64_t full_h, const Rect& dst,
                    const YuvCoeffs& yuv, const Kernels& k) {
  PilPlan p;
  p.rk = &ResampleKernelsFor(k);
  p.n = dst.w;
  p.channels = Channels(spec);
  const bool yuv_source = IsYuv(im.format);
  if (im.format == PixelFormat::kGray)
    p.source = PilPlan::Source::kGray;
  else if (spec.order == ChannelOrder::kGray)
    p.source = PilPlan::Source::kToGray;
  else
    p.source = yuv_source ? PilPlan::Source::kYuv : PilPlan::Source::kPacked;
  p.h_first = PilHorizontalFirst(src.w, src.h, full_w, full_h);
  const PilTaps tx = PilCoefficients(spec.resize, src.w, full_w, (full_w - dst.w) / 2, dst.w);
  const PilTaps ty = PilCoefficients(spec.resize, src.h, full_h, (full_h - dst.h) / 2, dst.h);
  if (!yuv_source && im.format != PixelFormat::kGray) {
    p.bpp = PackedBpp(im.format);
    RgbOffsets(im.format, p.off);
    if (spec.order == ChannelOrder::kBGR) std::swap(p.off[0], p.off[2]);
  }
  // Packed colour is filtered straight from the pixels, everything else as planes of bytes.
  const int hbpp = p.source == PilPlan::Source::kPacked ? p.bpp : 1, align = p.rk->tap_align[hbpp];
  p.tx = PlacePilTaps(tx, src.x, im.width, 0, align);
  p.ty = PlacePilTaps(ty, src.y, im.height, 0, 1);
  // Window starts never decrease, so the first and last windows bound the columns read.
  p.x0 = p.tx.start.front(), p.x1 = p.tx.start.back() + p.tx.taps;
  for (int32_t s : p.tx.start) p.sx.push_back(s - p.x0);
  p.rk->h_tables(p.tx.k.data(), p.tx.taps, p.n, hbpp, &p.hx);
  p.tail = p.n;
  if (p.source == PilPlan::Source::kPacked) {
    const int64_t row = static_cast<int64_t>(im.width) * p.bpp, over = p.rk->packed_over_read;
    auto fits = [&](int d) { return (static_cast<int64_t>(p.tx.start[d]) + p.tx.taps) * p.bpp + over <= row; };
    // Whole groups of 8 from the row itself; the outputs past them run the scalar sum (no over-read).
    int whole = p.n / 8 * 8;
    while (whole > 0 && !fits(whole - 1)) whole -= 8;
    if (whole < p.n / 8 * 8) {
      p.tail = whole;
      p.tail_x = p.tx.start[p.tail];
      p.tail_start.assign(p.n, 0);
      for (int d = p.tail; d < p.n; ++d) p.tail_start[d] = p.tx.start[d] - p.tail_x;
    }
  }
  if (yuv_source) {
    p.cstep = ChromaStep(im.format);
    p.u_off = im.format == PixelFormat::kNV21 ? 1 : 0;
    p.v_off = im.format == PixelFormat::kNV12 ? 1 : 0;
  }
  if (p.source == PilPlan::Source::kYuv) {
    p.bgr = spec.order == ChannelOrder::kBGR;
    p.cx = PlacePilTaps(tx, src.x, im.width / 2, 1, align);
    p.cy = PlacePilTaps(ty, src.y, im.height / 2, 1, 1);
    p.c0 = p.cx.start.front(), p.c1 = p.cx.start.back() + p.cx.taps;
    for (int32_t s : p.cx.start) p.scx.push_back(s - p.c0);
    p.rk->h_tables(p.cx.k.data(), p.cx.taps, p.n, 1, &p.hc);
  }
  if (p.source == PilPlan::Source::kToGray && yuv_source)
    for (int x = p.x0; x < p.x1; ++x) p.span_cols.push_back(x);
  p.yuv = yuv;
  return p;
}

PilRows::PilRows(const PilPlan& p, const Kernels& k)
    : p_(p), k_(k), rk_(*p.rk), n_(p.n), span_(p.x1 - p.x0), cspan_(p.c1 - p.c0) {
  const bool yuv = p.source == PilPlan::Source::kYuv;
  if (p.h_first) {
    ring_.resize(static_cast<size_t>(p.ty.taps) * 3 * n_);
    keys_.assign(p.ty.taps, -1);
    if (yuv) {
      cring_.resize(static_cast<size_t>(p.cy.taps) * 2 * n_);
      ckeys_.assign(p.cy.taps, -1);
    }
  } else {
    vrow_.resize(static_cast<size_t>(span_) * p.bpp + p.rk->packed_over_read);
    if (yuv) vcrow_.resize(2 * static_cast<size_t>(cspan_));
  }
  if (p.source == PilPlan::Source::kToGray) {
    gray_.resize(static_cast<size_t>(p.ty.taps) * span_);
    gkeys_.assign(p.ty.taps, -1);
  }
  split_.resize(6 * static_cast<size_t>(std::max(span_, cspan_)));
  if (p.tail < p.n) tail_.resize(static_cast<size_t>(p.x1 - p.tail_x) * p.bpp + p.rk->packed_over_read);
  res_.resize(6 * static_cast<size_t>(n_));
  rows_.resize(std::max(p.ty.taps, p.cy.taps));
}

void PilRows::Row(const Image& im, int cy, float* const* out) {
  if (p_.h_first)
    HorizontalFirst(im, cy);
  else
    VerticalFirst(im, cy);
  Finish(out);
}

// The resized planes of content row cy into res_ (Y, U, V / R, G, B / gray): the rows its vertical taps
// read, each filtered horizontally once (rings keyed by row: a row leaves the ring only when no later
// output row reads it, as windows never move up), then filtered vertically.
void PilRows::HorizontalFirst(const Image& im, int cy) {
  const int taps = p_.ty.taps, first = p_.ty.start[cy], slots = static_cast<int>(keys_.size());
  for (int t = 0; t < taps; ++t) {
    const int sy = first + t;
    if (keys_[sy % slots] != sy) FilterRow(im, sy, sy % slots), keys_[sy % slots] = sy;
  }
  const int32_t* wy = p_.ty.k.data() + static_cast<size_t>(cy) * taps;
  const int planes = p_.source == PilPlan::Source::kPacked ? 3 : 1;
  for (int pl = 0; pl < planes; ++pl) {
    for (int t = 0; t < taps; ++t) rows_[t] = Ring((first + t) % slots, pl);
    rk_.vertical(rows_.data(), wy, taps, n_, res_.data() + static_cast<size_t>(pl) * n_);
  }
  if (p_.source != PilPlan::Source::kYuv) return;
  const int ctaps = p_.cy.taps, cfirst = p_.cy.start[cy], cslots = static_cast<int>(ckeys_.size());
  for (int t = 0; t < ctaps; ++t) {
    const int cr = cfirst + t;
    if (ckeys_[cr % cslots] != cr) FilterChromaRow(im, cr, cr % cslots), ckeys_[cr % cslots] = cr;
  }
  const int32_t* wc = p_.cy.k.data() + static_cast<size_t>(cy) * ctaps;
  for (int pl = 0; pl < 2; ++pl) {
    for (int t = 0; t < ctaps; ++t) rows_[t] = ChromaRing((cfirst + t) % cslots, pl);
    rk_.vertical(rows_.data(), wc, ctaps, n_, res_.data() + static_cast<size_t>(1 + pl) * n_);
  }
}

// Source row sy filtered horizontally into ring slot `slot` (luma of 4:2:0). The rows are filtered in
// order, so the kernels prefetch the row kRowsAhead further down as they go.
void PilRows::FilterRow(const Image& im, int sy, int slot) {
  const uint8_t* row = im.plane[0] + sy * im.stride[0];
  const ptrdiff_t pf = sy + kRowsAhead < p_.ty.start.back() + p_.ty.taps ? kRowsAhead * im.stride[0] : 0;
  uint8_t* out[3] = {Ring(slot, 0), Ring(slot, 1), Ring(slot, 2)};
  if (p_.source == PilPlan::Source::kPacked) {
    const ptrdiff_t bpp = p_.bpp;
    rk_.horizontal_packed(row + p_.x0 * bpp, p_.bpp, p_.off, p_.sx.data(), p_.hx.data(), p_.tx.taps, p_.tail, 0, pf,
                          out);
    if (p_.tail == n_) return;
    std::memcpy(tail_.data(), row + p_.tail_x * bpp, static_cast<size_t>(p_.x1 - p_.tail_x) * bpp);
    rk_.horizontal_packed(tail_.data(), p_.bpp, p_.off, p_.tail_start.data(), p_.hx.data(), p_.tx.taps, n_, p_.tail, 0,
                          out);
    return;
  }
  if (p_.source == PilPlan::Source::kToGray) {
    const uint8_t* in = GrayRow(im, sy);
    return rk_.horizontal(&in, 1, p_.sx.data(), p_.hx.data(), p_.tx.taps, n_, 0, out);
  }
  const uint8_t* in = row + p_.x0;
  rk_.horizontal(&in, 1, p_.sx.data(), p_.hx.data(), p_.tx.taps, n_, pf, out);
}

// 4:2:0 chroma row cr: U and V filtered horizontally into chroma ring slot `slot`.
void PilRows::FilterChromaRow(const Image& im, int cr, int slot) {
  uint8_t* out[2] = {ChromaRing(slot, 0), ChromaRing(slot, 1)};
  const uint8_t* in[2];
  const bool ahead = cr + kRowsAhead < p_.cy.start.back() + p_.cy.taps;
  ptrdiff_t pf = 0;
  if (p_.cstep == 1) {
    in[0] = im.plane[1] + cr * im.stride[1] + p_.c0;
    in[1] = im.plane[2] + cr * im.stride[2] + p_.c0;
    if (ahead && im.stride[1] == im.stride[2]) pf = kRowsAhead * im.stride[1];
  } else {
    const uint8_t* uv = im.plane[1] + cr * im.stride[1] + 2 * static_cast<ptrdiff_t>(p_.c0);
    if (ahead)  // the split below reads the row, not the kernel: its prefetches, in a burst
      for (ptrdiff_t x = 0; x < 2 * static_cast<ptrdiff_t>(cspan_); x += 64)
        __builtin_prefetch(uv + kRowsAhead * im.stride[1] + x);
    uint8_t* split[2] = {split_.data(), split_.data() + cspan_};
    const int off[2] = {p_.u_off, p_.v_off};
    rk_.deinterleave(uv, 2, off, 2, cspan_, split);
    in[0] = split[0], in[1] = split[1];
  }
  rk_.horizontal(in, 2, p_.scx.data(), p_.hc.data(), p_.cx.taps, n_, pf, out);
}

// Colour source to gray output: columns x0 .. x1 - 1 of source row sy converted pixel by pixel (cached:
// vertically first, an output row reads every row of its window).
const uint8_t* PilRows::GrayRow(const Image& im, int sy) {
  const int slots = static_cast<int>(gkeys_.size());
  uint8_t* gray = gray_.data() + static_cast<size_t>(sy % slots) * span_;
  if (gkeys_[sy % slots] == sy) return gray;
  gkeys_[sy % slots] = sy;
  uint8_t* s[6];
  for (int i = 0; i < 6; ++i) s[i] = split_.data() + static_cast<size_t>(i) * span_;
  if (IsYuv(im.format)) {
    const uint8_t* y = im.plane[0] + sy * im.stride[0];
    const uint8_t* c = im.plane[1] + (sy >> 1) * im.stride[1];
    const uint8_t* v = p_.cstep == 1 ? im.plane[2] + (sy >> 1) * im.stride[2] : c + p_.v_off;
    k_.gather_yuv(y, c + p_.u_off, v, p_.cstep, p_.span_cols.data(), span_, 0, false, s[0], s[1], s[2]);
    k_.yuv_to_rgb(s[0], s[1], s[2], s[3], s[4], s[5], span_, p_.yuv);
    k_.rgb_to_gray(s[3], s[4], s[5], gray, span_);
  } else {
    rk_.deinterleave(im.plane[0] + sy * im.stride[0] + static_cast<ptrdiff_t>(p_.x0) * p_.bpp, p_.bpp, p_.off, 3, span_,
                     s);
    k_.rgb_to_gray(s[0], s[1], s[2], gray, span_);
  }
  return gray;
}

// The resized planes of content row cy into res_: its window's source rows filtered vertically (bytes
// of packed pixels and interleaved chroma alike), then horizontally.
void PilRows::VerticalFirst(const Image& im, int cy) {
  const int taps = p_.ty.taps, first = p_.ty.start[cy];
  const int32_t* wy = p_.ty.k.data() + static_cast<size_t>(cy) * taps;
  const ptrdiff_t x0 = static_cast<ptrdiff_t>(p_.x0) * p_.bpp;
  for (int t = 0; t < taps; ++t)
    rows_[t] =
        p_.source == PilPlan::Source::kToGray ? GrayRow(im, first + t) : im.plane[0] + (first + t) * im.stride[0] + x0;
  const int bytes = span_ * (p_.source == PilPlan::Source::kPacked ? p_.bpp : 1);
  rk_.vertical(rows_.data(), wy, taps, bytes, vrow_.data());
  uint8_t* res[3] = {res_.data(), res_.data() + n_, res_.data() + 2 * static_cast<size_t>(n_)};
  if (p_.source == PilPlan::Source::kPacked)  // vrow_ carries the kernel's over-read padding
    return rk_.horizontal_packed(vrow_.data(), p_.bpp, p_.off, p_.sx.data(), p_.hx.data(), p_.tx.taps, n_, 0, 0, res);
  const uint8_t* in[2] = {vrow_.data()};
  rk_.horizontal(in, 1, p_.sx.data(), p_.hx.data(), p_.tx.taps, n_, 0, res);
  if (p_.source != PilPlan::Source::kYuv) return;
  const int ctaps = p_.cy.taps, cfirst = p_.cy.start[cy];
  const int32_t* wc = p_.cy.k.data() + static_cast<size_t>(cy) * ctaps;
  uint8_t* vu = vcrow_.data();
  uint8_t* vv = vu + cspan_;
  if (p_.cstep == 1) {
    for (int pl = 1; pl < 3; ++pl) {
      for (int t = 0; t < ctaps; ++t) rows_[t] = im.plane[pl] + (cfirst + t) * im.stride[pl] + p_.c0;
      rk_.vertical(rows_.data(), wc, ctaps, cspan_, pl == 1 ? vu : vv);
    }
    in[0] = vu, in[1] = vv;
  } else {
    for (int t = 0; t < ctaps; ++t)
      rows_[t] = im.plane[1] + (cfirst + t) * im.stride[1] + 2 * static_cast<ptrdiff_t>(p_.c0);
    rk_.vertical(rows_.data(), wc, ctaps, 2 * cspan_, vcrow_.data());
    uint8_t* split[2] = {split_.data(), split_.data() + cspan_};
    const int off[2] = {p_.u_off, p_.v_off};
    rk_.deinterleave(vcrow_.data(), 2, off, 2, cspan_, split);
    in[0] = split[0], in[1] = split[1];
  }
  rk_.horizontal(in, 2, p_.scx.data(), p_.hc.data(), p_.cx.taps, n_, 0, res + 1);
}

// res_ as pixel values of the output channels: 4:2:0 converted to RGB (integer, as yuv_to_rgb does for
// every format), a gray image repeated into each channel.
void PilRows::Finish(float* const* out) {
  uint8_t* r = res_.data();
  const size_t n = n_;
  const uint8_t* planes[3] = {r, r + n, r + 2 * n};
  if (p_.source == PilPlan::Source::kYuv) {
    uint8_t* rgb = r + 3 * n;
    k_.yuv_to_rgb(r, r + n, r + 2 * n, rgb + (p_.bgr ? 2 * n : 0), rgb + n, rgb + (p_.bgr ? 0 : 2 * n), n_, p_.yuv);
    planes[0] = rgb, planes[1] = rgb + n, planes[2] = rgb + 2 * n;
  }
  const bool one = p_.source == PilPlan::Source::kGray || p_.source == PilPlan::Source::kToGray;
  for (int c = 0; c < p_.channels; ++c) {
    const uint8_t* in = planes[one ? 0 : c];
    for (int i = 0; i < n_; ++i) out[c][i] = in[i];
  }
}

}  // namespace vidlite
