// Each case of test_c_api.c described again with the C++ types, not converted from the C structs,
// so the test catches a field or enumerator the C API maps wrongly.
#include "c_api_reference.h"

#include <cstdio>
#include <cstring>

#include "vidlite/preprocess.h"

using namespace vidlite;

namespace {

struct Case {
  const char* name;
  PixelFormat format;
  Spec spec;
  Roi roi{};
  ColorMatrix matrix = ColorMatrix::kBT601;
  ColorRange range = ColorRange::kLimited;
};

Spec Make(int w, int h, Resize r, Fit f, ChannelOrder o, Layout l, DType d) {
  Spec s;
  s.width = w, s.height = h, s.resize = r, s.fit = f, s.order = o, s.layout = l, s.dtype = d;
  return s;
}

bool Find(const char* name, Case* c) {
  const double imagenet_mean[3] = {0.485, 0.456, 0.406}, imagenet_std[3] = {0.229, 0.224, 0.225};
  if (!std::strcmp(name, "bgr bilinear stretch f32 nchw")) {
    *c = Case{name, PixelFormat::kBGR,
              Make(40, 30, Resize::kBilinear, Fit::kStretch, ChannelOrder::kRGB, Layout::kNCHW, DType::kFloat32)};
    std::memcpy(c->spec.mean, imagenet_mean, sizeof imagenet_mean);
    std::memcpy(c->spec.std, imagenet_std, sizeof imagenet_std);
  } else if (!std::strcmp(name, "bgr area letterbox u8 nhwc")) {
    *c = Case{name, PixelFormat::kBGR,
              Make(40, 40, Resize::kArea, Fit::kLetterbox, ChannelOrder::kBGR, Layout::kNHWC, DType::kUInt8)};
    c->spec.pad_value = 114;
  } else if (!std::strcmp(name, "bgr pil-bicubic shortest edge f16")) {
    *c = Case{name, PixelFormat::kBGR,
              Make(32, 32, Resize::kPilBicubic, Fit::kCenterCrop, ChannelOrder::kRGB, Layout::kNCHW, DType::kFloat16)};
    c->spec.shortest_edge = 36;
    for (int i = 0; i < 3; ++i) c->spec.mean[i] = c->spec.std[i] = 0.5;
  } else if (!std::strcmp(name, "nv12 bilinear roi bt709 full")) {
    *c = Case{name,
              PixelFormat::kNV12,
              Make(24, 24, Resize::kBilinear, Fit::kStretch, ChannelOrder::kRGB, Layout::kNCHW, DType::kFloat32),
              Roi{8, 4, 64, 48},
              ColorMatrix::kBT709,
              ColorRange::kFull};
  } else if (!std::strcmp(name, "nv12 pil-bilinear center crop int8 nhwc")) {
    *c = Case{name, PixelFormat::kNV12,
              Make(32, 24, Resize::kPilBilinear, Fit::kCenterCrop, ChannelOrder::kRGB, Layout::kNHWC, DType::kInt8)};
    std::memcpy(c->spec.mean, imagenet_mean, sizeof imagenet_mean);
    std::memcpy(c->spec.std, imagenet_std, sizeof imagenet_std);
    c->spec.quantized = true, c->spec.quant_scale = 0.02, c->spec.quant_zero_point = -3;
  } else if (!std::strcmp(name, "i420 bilinear gray")) {
    *c = Case{name, PixelFormat::kI420,
              Make(40, 30, Resize::kBilinear, Fit::kStretch, ChannelOrder::kGray, Layout::kNCHW, DType::kFloat32)};
  } else if (!std::strcmp(name, "i420 area letterbox bgr")) {
    *c = Case{name, PixelFormat::kI420,
              Make(36, 36, Resize::kArea, Fit::kLetterbox, ChannelOrder::kBGR, Layout::kNCHW, DType::kFloat32)};
  } else {
    return false;
  }
  return true;
}

}  // namespace

extern "C" size_t vl_test_reference(const char* name, const uint8_t* const planes[3], const ptrdiff_t strides[3],
                                    int width, int height, void* out, size_t out_bytes) {
  Case c;
  if (!Find(name, &c)) {
    std::printf("  no reference case '%s'\n", name);
    return 0;
  }
  Image im;
  im.format = c.format, im.width = width, im.height = height, im.matrix = c.matrix, im.range = c.range;
  for (int p = 0; p < 3; ++p) im.plane[p] = planes[p], im.stride[p] = strides[p];
  const Status st = Preprocess(c.spec, &im, 1, c.roi, out, out_bytes);
  if (!st.ok) {
    std::printf("  reference '%s': %s\n", name, st.message.c_str());
    return 0;
  }
  return OutputBytes(c.spec);
}
