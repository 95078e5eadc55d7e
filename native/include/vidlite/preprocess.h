// Fused frame preprocessing: source pixels -> model input tensor in one pass per frame.
//
// source format (BGR/RGB/BGRA/RGBA/GRAY/NV12/NV21/I420, BT.601/BT.709, limited/full range)
//   -> crop (region of interest, center crop, or resize the shorter side then crop the centre) or
//      letterbox (pad value)
//   -> resize (bilinear with OpenCV INTER_LINEAR geometry, area/box filter, or Pillow's antialiased
//      BILINEAR / BICUBIC reproduced bit for bit)
//   -> normalize ((pixel/255 - mean)/std) -> layout (NCHW/NHWC)
//   -> dtype (float32, float16, uint8/int8 quantized: round(value/scale) + zero_point)
//
// Only the source pixels the output needs are read and colour-converted. Usable from C++ apps
// without Python; JNI, Swift and C callers use the C API over it (vidlite/preprocess_c.h), and the
// Python binding (vidlite._native) is a thin layer over this header.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace vidlite {

enum class PixelFormat { kBGR, kRGB, kBGRA, kRGBA, kGray, kNV12, kNV21, kI420 };
enum class ColorMatrix { kBT601, kBT709 };
enum class ColorRange { kLimited, kFull };
// kPilBilinear / kPilBicubic: PIL.Image.resize(..., BILINEAR / BICUBIC, reducing_gap=None), integer
// arithmetic and pass order included (what transformers' image processors feed models).
enum class Resize { kBilinear, kArea, kPilBilinear, kPilBicubic };
enum class Fit { kStretch, kCenterCrop, kLetterbox };
enum class ChannelOrder { kRGB, kBGR, kGray };
enum class Layout { kNCHW, kNHWC };
enum class DType { kFloat32, kFloat16, kUInt8, kInt8 };

// What the model wants (mirrors vidlite.PreprocessSpec / a bundle manifest's "preprocess").
struct Spec {
  int width = 0, height = 0;
  Resize resize = Resize::kBilinear;
  Fit fit = Fit::kStretch;
  // > 0 (fit kCenterCrop only, >= width and height): resize the frame (roi) so its shorter side is
  // shortest_edge and the longer int(shortest_edge * long / short), then keep the centre width x height
  // (from (resized - width) / 2 on): the CLIP/ViT/VideoMAE processors' geometry, in the same pass.
  int shortest_edge = 0;
  double pad_value = 0.0;  // pixel value 0..255 of letterbox borders, normalized like any pixel
  // value = (pixel / 255 - mean) / std, with pixel * (1 / (255 std)) + (-mean / std) rounded to
  // float32 once per channel (the NumPy reference does the same, so results match bit for bit).
  double mean[3] = {0.0, 0.0, 0.0};
  double std[3] = {1.0, 1.0, 1.0};
  ChannelOrder order = ChannelOrder::kRGB;
  Layout layout = Layout::kNCHW;
  DType dtype = DType::kFloat32;
  // uint8/int8 only: q = round(value / quant_scale) + quant_zero_point. Without it, uint8 output
  // carries raw resized pixels (mean/std must then be 0/1).
  bool quantized = false;
  double quant_scale = 1.0;
  int quant_zero_point = 0;
};

// One source frame. Packed formats use plane[0] (stride = bytes per row). NV12/NV21: plane[0] = Y,
// plane[1] = interleaved chroma. I420: Y, U, V. Strides may exceed the row size (padded buffers).
struct Image {
  PixelFormat format = PixelFormat::kBGR;
  int width = 0, height = 0;
  const uint8_t* plane[3] = {nullptr, nullptr, nullptr};
  ptrdiff_t stride[3] = {0, 0, 0};
  ColorMatrix matrix = ColorMatrix::kBT601;
  ColorRange range = ColorRange::kLimited;
};

struct Roi {
  int x = 0, y = 0, width = 0, height = 0;  // width == 0: the whole frame
};

struct Status {
  bool ok = true;
  std::string message;  // which argument is wrong and what was expected
  static Status Error(std::string m) { return Status{false, std::move(m)}; }
};

int Channels(const Spec& spec);
size_t ElementSize(DType dtype);
// Bytes of one preprocessed frame.
size_t OutputBytes(const Spec& spec);

// Name of the kernel variant Preprocess() dispatches to now ("scalar", "avx2" or "neon"): the best
// the CPU has, honouring the feature mask (VIDLITE_CPU_MASK / SetCpuMask).
const char* KernelVariant();

Status ValidateSpec(const Spec& spec);
Status ValidateImage(const Image& image);

// Preprocess `count` frames of identical size and format into `out` (count * OutputBytes(spec)
// bytes, frame after frame). threads > 1 spreads frames (or, for few frames, row bands) over a
// small process-wide pool. Never reads outside the planes' rows, never writes past out_bytes.
Status Preprocess(const Spec& spec, const Image* images, int count, const Roi& roi, void* out, size_t out_bytes,
                  int threads = 1);

// Preprocess() for a stream of frames: keeps the plan (which pixels, weights and kernels serve
// which output) of the last frame geometry (format, size, colour description, roi), rebuilt when
// it changes. The plan costs ~5 % of a 1080p -> 224x224 call. Run may be called from several
// threads at once.
class Preprocessor {
 public:
  explicit Preprocessor(const Spec& spec);
  ~Preprocessor();
  Preprocessor(const Preprocessor&) = delete;
  Preprocessor& operator=(const Preprocessor&) = delete;
  const Spec& spec() const { return spec_; }
  // As Preprocess(spec(), ...).
  Status Run(const Image* images, int count, const Roi& roi, void* out, size_t out_bytes, int threads = 1);

 private:
  struct Cache;
  Spec spec_;
  Cache* cache_;
};

}  // namespace vidlite
