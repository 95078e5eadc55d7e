// Thin pybind11 binding: argument checks, GIL release, calls into the C++ library.
// Every check raises TypeError (wrong type/dtype) or ValueError (wrong value/shape/stride) naming the
// argument, so no input reaching the kernels can make them read or write out of bounds.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "vidlite/cpu_features.h"
#include "vidlite/preprocess.h"

namespace py = pybind11;
using namespace vidlite;

namespace {

[[noreturn]] void Value(const std::string& m) { throw py::value_error(m); }
[[noreturn]] void Type(const std::string& m) { throw py::type_error(m); }

template <typename E>
E Choice(const std::string& what, const std::string& v, std::initializer_list<std::pair<const char*, E>> opts) {
  std::string names;
  for (const auto& o : opts) {
    if (v == o.first) return o.second;
    names += (names.empty() ? "" : ", ") + std::string(o.first);
  }
  Value(what + " must be one of " + names + "; got '" + v + "'");
}

double Number(const py::handle& h, const std::string& what) {
  if (py::isinstance<py::bool_>(h) || !(py::isinstance<py::int_>(h) || py::isinstance<py::float_>(h)))
    Type(what + " must be a number");
  const double v = h.cast<double>();
  if (!std::isfinite(v)) Value(what + " must be finite");
  return v;
}

int Integer(const py::handle& h, const std::string& what) {
  if (py::isinstance<py::bool_>(h) || !py::isinstance<py::int_>(h)) Type(what + " must be an integer");
  int overflow = 0;  // a Python int past 64 bits: pybind11's cast would raise a bare RuntimeError (tests/fuzz)
  const long long v = PyLong_AsLongLongAndOverflow(h.ptr(), &overflow);
  if (overflow || v < -(1LL << 30) || v > (1LL << 30)) Value(what + " is out of range");
  return static_cast<int>(v);
}

std::string Str(const py::handle& h, const std::string& what) {
  if (!py::isinstance<py::str>(h)) Type(what + " must be a string");
  return h.cast<std::string>();
}

// PreprocessSpec.to_dict() -> Spec.
Spec ParseSpec(const py::dict& d) {
  Spec s;
  for (const char* key : {"width", "height"})
    if (!d.contains(key)) Value(std::string("spec['") + key + "'] is required");
  s.width = Integer(d["width"], "spec['width']");
  s.height = Integer(d["height"], "spec['height']");
  auto get = [&](const char* k) -> std::optional<py::handle> {
    if (d.contains(k) && !d[k].is_none()) return d[k];
    return std::nullopt;
  };
  if (auto v = get("resize"))
    s.resize = Choice<Resize>("spec['resize']", Str(*v, "spec['resize']"),
                              {{"bilinear", Resize::kBilinear},
                               {"area", Resize::kArea},
                               {"pil-bilinear", Resize::kPilBilinear},
                               {"pil-bicubic", Resize::kPilBicubic}});
  if (auto v = get("fit"))
    s.fit =
        Choice<Fit>("spec['fit']", Str(*v, "spec['fit']"),
                    {{"stretch", Fit::kStretch}, {"center_crop", Fit::kCenterCrop}, {"letterbox", Fit::kLetterbox}});
  if (auto v = get("channel_order"))
    s.order =
        Choice<ChannelOrder>("spec['channel_order']", Str(*v, "spec['channel_order']"),
                             {{"rgb", ChannelOrder::kRGB}, {"bgr", ChannelOrder::kBGR}, {"gray", ChannelOrder::kGray}});
  if (auto v = get("layout"))
    s.layout =
        Choice<Layout>("spec['layout']", Str(*v, "spec['layout']"), {{"nchw", Layout::kNCHW}, {"nhwc", Layout::kNHWC}});
  if (auto v = get("dtype"))
    s.dtype = Choice<DType>(
        "spec['dtype']", Str(*v, "spec['dtype']"),
        {{"float32", DType::kFloat32}, {"float16", DType::kFloat16}, {"uint8", DType::kUInt8}, {"int8", DType::kInt8}});
  if (auto v = get("pad_value")) s.pad_value = Number(*v, "spec['pad_value']");
  if (auto v = get("shortest_edge")) {
    s.shortest_edge = Integer(*v, "spec['shortest_edge']");
    if (s.shortest_edge < 1) Value("spec['shortest_edge'] must be None or >= 1");
  }
  for (const char* key : {"mean", "std"}) {
    auto v = get(key);
    if (!v) continue;
    const std::string what = std::string("spec['") + key + "']";
    if (!py::isinstance<py::sequence>(*v) || py::isinstance<py::str>(*v)) Type(what + " must be a list of numbers");
    auto seq = v->cast<py::sequence>();
    if (seq.size() != 1 && seq.size() != 3) Value(what + " must have 1 or 3 values");
    double* dst = key[0] == 'm' ? s.mean : s.std;
    for (size_t c = 0; c < 3; ++c) dst[c] = Number(seq[seq.size() == 1 ? 0 : c], what);
  }
  if (auto v = get("quant")) {
    if (!py::isinstance<py::dict>(*v)) Type("spec['quant'] must be None or {scale, zero_point}");
    auto q = v->cast<py::dict>();
    if (!q.contains("scale") || !q.contains("zero_point")) Value("spec['quant'] needs scale and zero_point");
    s.quantized = true;
    s.quant_scale = Number(q["scale"], "spec['quant']['scale']");
    s.quant_zero_point = Integer(q["zero_point"], "spec['quant']['zero_point']");
  }
  if (s.dtype == DType::kUInt8 && !s.quantized)
    for (int c = 0; c < 3; ++c)
      if (s.mean[c] != 0 || s.std[c] != 1)
        Value("spec dtype uint8 without quant carries raw pixels: mean/std must be 0/1");
  Status st = ValidateSpec(s);
  if (!st.ok) Value(st.message);
  return s;
}

struct PlaneShape {
  ssize_t h, w, c;  // c == 0: a 3-D plane (N, h, w)
};

// Checks one plane against its expected (N, h, w[, c]) and returns its (frame, row) strides.
std::pair<ssize_t, ssize_t> CheckPlane(const py::array& a, const std::string& name, ssize_t n, const PlaneShape& e) {
  const int nd = e.c ? 4 : 3;
  if (a.ndim() != nd)
    Value(name + " must have " + std::to_string(nd) + " dimensions (a leading batch axis N, then H, W" +
          (e.c ? ", C" : "") + "); got " + std::to_string(a.ndim()));
  if (a.shape(0) != n || a.shape(1) != e.h || a.shape(2) != e.w || (e.c && a.shape(3) != e.c)) {
    std::string want = "(" + std::to_string(n) + ", " + std::to_string(e.h) + ", " + std::to_string(e.w) +
                       (e.c ? ", " + std::to_string(e.c) : std::string()) + ")";
    Value(name + " must have shape " + want);
  }
  // A dimension of size 1 may carry any stride in numpy: only strides that are used are checked.
  const ssize_t px = e.c ? e.c : 1;
  if (e.c && e.c > 1 && a.strides(3) != 1) Value(name + " must have contiguous channels (last stride 1)");
  if (e.w > 1 && a.strides(2) != px)
    Value(name + " must have contiguous pixels (stride " + std::to_string(px) + " along width)");
  const ssize_t row = e.h > 1 ? a.strides(1) : e.w * px;
  const ssize_t frame = n > 1 ? a.strides(0) : 0;
  if (row < e.w * px)
    Value(name + " has a row stride of " + std::to_string(row) + ": rows must not overlap or run backwards");
  if (frame < 0) Value(name + " has a negative frame stride");
  return {frame, row};
}

class NativePreprocessor {
 public:
  NativePreprocessor(const py::dict& spec, int threads) : pp_(ParseSpec(spec)), spec_(pp_.spec()), threads_(threads) {
    if (threads < 1 || threads > 64) Value("threads must be in 1..64");
  }

  void Run(const py::sequence& planes_in, const std::string& fmt, py::object out_obj, py::object roi_obj,
           const std::string& matrix, const std::string& range) {
    const PixelFormat f = Choice<PixelFormat>("fmt", fmt,
                                              {{"bgr", PixelFormat::kBGR},
                                               {"rgb", PixelFormat::kRGB},
                                               {"bgra", PixelFormat::kBGRA},
                                               {"rgba", PixelFormat::kRGBA},
                                               {"gray", PixelFormat::kGray},
                                               {"nv12", PixelFormat::kNV12},
                                               {"nv21", PixelFormat::kNV21},
                                               {"i420", PixelFormat::kI420}});
    const ColorMatrix cm =
        Choice<ColorMatrix>("color_matrix", matrix, {{"bt601", ColorMatrix::kBT601}, {"bt709", ColorMatrix::kBT709}});
    const ColorRange cr =
        Choice<ColorRange>("color_range", range, {{"limited", ColorRange::kLimited}, {"full", ColorRange::kFull}});
    const bool yuv = f == PixelFormat::kNV12 || f == PixelFormat::kNV21 || f == PixelFormat::kI420;
    const size_t want = f == PixelFormat::kI420 ? 3 : (yuv ? 2 : 1);
    if (py::isinstance<py::str>(planes_in) || planes_in.size() != want)
      Value("planes must be a list of " + std::to_string(want) + " arrays for fmt '" + fmt + "'");
    std::vector<py::array> planes;
    for (size_t i = 0; i < want; ++i) {
      py::handle h = planes_in[i];
      const std::string name = "planes[" + std::to_string(i) + "]";
      if (!py::isinstance<py::array>(h)) Type(name + " must be a numpy.ndarray");
      py::array a = py::reinterpret_borrow<py::array>(h);
      if (!a.dtype().is(py::dtype::of<uint8_t>())) Type(name + " must have dtype uint8");
      if (a.ndim() < 3) Value(name + " must have a leading batch axis: (N, H, W[, C])");
      planes.push_back(a);
    }
    const ssize_t n = planes[0].shape(0), h = planes[0].shape(1), w = planes[0].shape(2);
    if (n < 1 || h < 1 || w < 1) Value("planes[0] is empty");
    if (static_cast<double>(w) * static_cast<double>(h) > static_cast<double>(1 << 28))
      Value("planes[0] is " + std::to_string(w) + "x" + std::to_string(h) + ": too large for a video frame");
    if (yuv && (w % 2 || h % 2))
      Value("planes[0] is " + std::to_string(w) + "x" + std::to_string(h) + ": 4:2:0 YUV needs even sizes");
    std::vector<PlaneShape> shapes;
    switch (f) {
      case PixelFormat::kBGR:
      case PixelFormat::kRGB: shapes = {{h, w, 3}}; break;
      case PixelFormat::kBGRA:
      case PixelFormat::kRGBA: shapes = {{h, w, 4}}; break;
      case PixelFormat::kGray: shapes = {{h, w, 0}}; break;
      case PixelFormat::kNV12:
      case PixelFormat::kNV21: shapes = {{h, w, 0}, {h / 2, w / 2, 2}}; break;
      case PixelFormat::kI420: shapes = {{h, w, 0}, {h / 2, w / 2, 0}, {h / 2, w / 2, 0}}; break;
    }
    std::vector<std::pair<ssize_t, ssize_t>> strides;
    for (size_t i = 0; i < want; ++i)
      strides.push_back(CheckPlane(planes[i], "planes[" + std::to_string(i) + "]", n, shapes[i]));

    if (!py::isinstance<py::array>(out_obj)) Type("out must be a numpy.ndarray");
    py::array out = py::reinterpret_borrow<py::array>(out_obj);
    static const char* kDtypeNames[] = {"float32", "float16", "uint8", "int8"};
    const py::dtype want_dt = spec_.dtype == DType::kFloat32   ? py::dtype::of<float>()
                              : spec_.dtype == DType::kFloat16 ? py::dtype("float16")
                              : spec_.dtype == DType::kUInt8   ? py::dtype::of<uint8_t>()
                                                               : py::dtype::of<int8_t>();
    if (!out.dtype().is(want_dt) && !out.dtype().equal(want_dt))
      Type(std::string("out must have dtype ") + kDtypeNames[static_cast<int>(spec_.dtype)]);
    const ssize_t ch = Channels(spec_);
    std::vector<ssize_t> oshape = spec_.layout == Layout::kNCHW
                                      ? std::vector<ssize_t>{n, ch, spec_.height, spec_.width}
                                      : std::vector<ssize_t>{n, spec_.height, spec_.width, ch};
    if (out.ndim() != 4 || !std::equal(oshape.begin(), oshape.end(), out.shape()))
      Value("out must have shape (" + std::to_string(oshape[0]) + ", " + std::to_string(oshape[1]) + ", " +
            std::to_string(oshape[2]) + ", " + std::to_string(oshape[3]) + ")");
    if (!(out.flags() & py::array::c_style)) Value("out must be C-contiguous");
    if (!out.writeable()) Value("out must be writeable");

    Roi roi;
    if (!roi_obj.is_none()) {
      if (!py::isinstance<py::sequence>(roi_obj) || py::len(roi_obj) != 4) Type("roi must be (x, y, w, h)");
      auto r = roi_obj.cast<py::sequence>();
      roi = Roi{Integer(r[0], "roi[0]"), Integer(r[1], "roi[1]"), Integer(r[2], "roi[2]"), Integer(r[3], "roi[3]")};
      // in 64 bits: each value may be up to 2^30, and x + width would overflow int (UBSan, tests/fuzz)
      if (roi.width < 1 || roi.height < 1 || roi.x < 0 || roi.y < 0 || int64_t{roi.x} + roi.width > w ||
          int64_t{roi.y} + roi.height > h)
        Value("roi must be non-empty and inside the frame");
    }

    std::vector<Image> images(n);
    for (ssize_t i = 0; i < n; ++i) {
      Image& im = images[i];
      im.format = f, im.width = static_cast<int>(w), im.height = static_cast<int>(h), im.matrix = cm, im.range = cr;
      for (size_t p = 0; p < want; ++p) {
        im.plane[p] = static_cast<const uint8_t*>(planes[p].data()) + i * strides[p].first;
        im.stride[p] = strides[p].second;
      }
    }
    void* dst = out.mutable_data();
    const size_t bytes = static_cast<size_t>(out.nbytes());
    Status st;
    {
      py::gil_scoped_release nogil;
      st = pp_.Run(images.data(), static_cast<int>(n), roi, dst, bytes, threads_);
    }
    if (!st.ok) Value(st.message);
  }

 private:
  Preprocessor pp_;  // keeps the plan of the last frame geometry
  const Spec& spec_;
  int threads_;
};

}  // namespace

PYBIND11_MODULE(_native, m) {
  m.doc() = "vidlite native frame-preprocessing kernels";
  m.def("cpu_features", &vidlite::CpuFeatures, "CPU features used for dispatch (detected & mask)");
  m.def("cpu_features_detected", &vidlite::CpuFeaturesDetected);
  m.def("set_cpu_mask", &vidlite::SetCpuMask, py::arg("mask"));
  m.def("cpu_mask", &vidlite::CpuMask);
  m.def(
      "kernels", [] { return std::string(KernelVariant()); }, "Name of the kernel variant dispatch picks now");
  m.attr("CPU_AVX2") = static_cast<uint32_t>(vidlite::kCpuHasAVX2);
  m.attr("CPU_FMA") = static_cast<uint32_t>(vidlite::kCpuHasFMA);
  m.attr("CPU_F16C") = static_cast<uint32_t>(vidlite::kCpuHasF16C);
  m.attr("CPU_NEON") = static_cast<uint32_t>(vidlite::kCpuHasNEON);

  py::class_<NativePreprocessor>(m, "Preprocessor")
      .def(py::init<const py::dict&, int>(), py::arg("spec"), py::arg("threads") = 1)
      .def("run", &NativePreprocessor::Run, py::arg("planes"), py::arg("fmt"), py::arg("out"),
           py::arg("roi") = py::none(), py::arg("color_matrix") = "bt601", py::arg("color_range") = "limited",
           "Preprocess planes (each with a leading batch axis) into out (N, ...); releases the GIL.");
}
