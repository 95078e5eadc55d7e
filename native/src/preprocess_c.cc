// The C API (include/vidlite/preprocess_c.h) over the C++ one: converts the plain structs, checks
// what C can get wrong and C++ cannot (NULL pointers, enum values out of range), and keeps every
// exception inside the library.
#include "vidlite/preprocess_c.h"

#include <new>
#include <string>
#include <vector>

#include "vidlite/preprocess.h"

struct vl_preprocessor {
  explicit vl_preprocessor(const vidlite::Spec& spec) : pp(spec) {}
  vidlite::Preprocessor pp;
};

namespace vidlite {
namespace {

// The C enums are the C++ enumerators' values, so converting is a range check and a cast.
template <typename E>
constexpr bool Is(E e, int c) {
  return static_cast<int>(e) == c;
}
static_assert(Is(PixelFormat::kBGR, VL_BGR) && Is(PixelFormat::kRGB, VL_RGB) && Is(PixelFormat::kBGRA, VL_BGRA) &&
              Is(PixelFormat::kRGBA, VL_RGBA) && Is(PixelFormat::kGray, VL_GRAY) && Is(PixelFormat::kNV12, VL_NV12) &&
              Is(PixelFormat::kNV21, VL_NV21) && Is(PixelFormat::kI420, VL_I420));
static_assert(Is(ColorMatrix::kBT601, VL_BT601) && Is(ColorMatrix::kBT709, VL_BT709) &&
              Is(ColorRange::kLimited, VL_RANGE_LIMITED) && Is(ColorRange::kFull, VL_RANGE_FULL));
static_assert(Is(Resize::kBilinear, VL_RESIZE_BILINEAR) && Is(Resize::kArea, VL_RESIZE_AREA) &&
              Is(Resize::kPilBilinear, VL_RESIZE_PIL_BILINEAR) && Is(Resize::kPilBicubic, VL_RESIZE_PIL_BICUBIC));
static_assert(Is(Fit::kStretch, VL_FIT_STRETCH) && Is(Fit::kCenterCrop, VL_FIT_CENTER_CROP) &&
              Is(Fit::kLetterbox, VL_FIT_LETTERBOX));
static_assert(Is(ChannelOrder::kRGB, VL_ORDER_RGB) && Is(ChannelOrder::kBGR, VL_ORDER_BGR) &&
              Is(ChannelOrder::kGray, VL_ORDER_GRAY) && Is(Layout::kNCHW, VL_LAYOUT_NCHW) &&
              Is(Layout::kNHWC, VL_LAYOUT_NHWC));
static_assert(Is(DType::kFloat32, VL_FLOAT32) && Is(DType::kFloat16, VL_FLOAT16) && Is(DType::kUInt8, VL_UINT8) &&
              Is(DType::kInt8, VL_INT8));

thread_local std::string g_last_error;

vl_status Fail(vl_status code, const char* message) {
  try {
    g_last_error = message;
  } catch (const std::bad_alloc&) {
    g_last_error.clear();  // the code still says what failed
  }
  return code;
}

// A C enum field holds any int: only declared values may become C++ enumerators.
template <typename E>
bool ToEnum(int v, E last, E* out) {
  if (v < 0 || v > static_cast<int>(last)) return false;
  *out = static_cast<E>(v);
  return true;
}

vl_status ToSpec(const vl_spec& c, Spec* s) {
  s->width = c.width, s->height = c.height;
  s->shortest_edge = c.shortest_edge;
  s->pad_value = c.pad_value;
  for (int i = 0; i < 3; ++i) s->mean[i] = c.mean[i], s->std[i] = c.std[i];
  s->quantized = c.quantized != 0;
  s->quant_scale = c.quant_scale;
  s->quant_zero_point = c.quant_zero_point;
  if (!ToEnum(c.resize, Resize::kPilBicubic, &s->resize) || !ToEnum(c.fit, Fit::kLetterbox, &s->fit) ||
      !ToEnum(c.order, ChannelOrder::kGray, &s->order) || !ToEnum(c.layout, Layout::kNHWC, &s->layout) ||
      !ToEnum(c.dtype, DType::kInt8, &s->dtype))
    return Fail(VL_ERROR_INVALID_ARGUMENT, "spec resize, fit, order, layout or dtype is not a value of its enum");
  const Status st = ValidateSpec(*s);
  return st.ok ? VL_OK : Fail(VL_ERROR_INVALID_ARGUMENT, st.message.c_str());
}

vl_status ToImages(const vl_image* c, int count, std::vector<Image>* images) {
  if (!c) return Fail(VL_ERROR_NULL_ARGUMENT, "images is null");
  if (count < 1) return Fail(VL_ERROR_INVALID_ARGUMENT, "need at least one frame");
  images->resize(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    Image& im = (*images)[i];
    if (!ToEnum(c[i].format, PixelFormat::kI420, &im.format) || !ToEnum(c[i].matrix, ColorMatrix::kBT709, &im.matrix) ||
        !ToEnum(c[i].range, ColorRange::kFull, &im.range))
      return Fail(VL_ERROR_INVALID_ARGUMENT, "frame format, matrix or range is not a value of its enum");
    im.width = c[i].width, im.height = c[i].height;
    for (int p = 0; p < 3; ++p) im.plane[p] = c[i].plane[p], im.stride[p] = c[i].stride[p];
  }
  return VL_OK;
}

// call() with every exception turned into a status: none may unwind into C.
template <typename Call>
vl_status Guarded(Call call) {
  try {
    return call();
  } catch (const std::bad_alloc&) {
    return Fail(VL_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return Fail(VL_ERROR_INTERNAL, e.what());
  } catch (...) {
    return Fail(VL_ERROR_INTERNAL, "unknown exception");
  }
}

// The frames and roi converted, then run(images, roi): a Status of the C++ API.
template <typename RunCpp>
vl_status RunFrames(const vl_image* c_images, int count, const vl_roi* c_roi, const void* out, RunCpp run) {
  if (!out) return Fail(VL_ERROR_NULL_ARGUMENT, "out is null");
  std::vector<Image> images;
  if (vl_status s = ToImages(c_images, count, &images)) return s;
  Roi roi;
  if (c_roi) roi = Roi{c_roi->x, c_roi->y, c_roi->width, c_roi->height};
  const Status st = run(images.data(), roi);
  if (st.ok) return VL_OK;
  // A C++ Status has no code: out of memory is the one failure whose message does not name an argument.
  const bool oom = st.message.rfind("out of memory", 0) == 0;
  return Fail(oom ? VL_ERROR_OUT_OF_MEMORY : VL_ERROR_INVALID_ARGUMENT, st.message.c_str());
}

}  // namespace
}  // namespace vidlite

using namespace vidlite;

extern "C" {

void vl_spec_init(vl_spec* spec) {
  if (!spec) return;
  *spec = vl_spec{};
  for (double& s : spec->std) s = 1.0;
  spec->quant_scale = 1.0;
}

size_t vl_output_bytes(const vl_spec* spec) {
  size_t bytes = 0;
  Guarded([&] {
    if (!spec) return Fail(VL_ERROR_NULL_ARGUMENT, "spec is null");
    Spec s;
    if (vl_status st = ToSpec(*spec, &s)) return st;
    bytes = OutputBytes(s);
    return VL_OK;
  });
  return bytes;
}

const char* vl_kernel_variant(void) { return KernelVariant(); }

const char* vl_last_error(void) { return g_last_error.c_str(); }

vl_status vl_preprocess(const vl_spec* spec, const vl_image* images, int count, const vl_roi* roi, void* out,
                        size_t out_bytes, int threads) {
  return Guarded([&] {
    if (!spec) return Fail(VL_ERROR_NULL_ARGUMENT, "spec is null");
    Spec s;
    if (vl_status st = ToSpec(*spec, &s)) return st;
    return RunFrames(images, count, roi, out, [&](const Image* im, const Roi& r) {
      return Preprocess(s, im, count, r, out, out_bytes, threads);
    });
  });
}

vl_status vl_preprocessor_create(const vl_spec* spec, vl_preprocessor** out_pp) {
  return Guarded([&] {
    if (!out_pp) return Fail(VL_ERROR_NULL_ARGUMENT, "out_pp is null");
    *out_pp = nullptr;
    if (!spec) return Fail(VL_ERROR_NULL_ARGUMENT, "spec is null");
    Spec s;
    if (vl_status st = ToSpec(*spec, &s)) return st;
    *out_pp = new vl_preprocessor(s);
    return VL_OK;
  });
}

vl_status vl_preprocessor_run(vl_preprocessor* pp, const vl_image* images, int count, const vl_roi* roi, void* out,
                              size_t out_bytes, int threads) {
  return Guarded([&] {
    if (!pp) return Fail(VL_ERROR_NULL_ARGUMENT, "pp is null");
    return RunFrames(images, count, roi, out,
                     [&](const Image* im, const Roi& r) { return pp->pp.Run(im, count, r, out, out_bytes, threads); });
  });
}

void vl_preprocessor_destroy(vl_preprocessor* pp) { delete pp; }

}  // extern "C"
