// Thin pybind11 binding: argument checks, GIL release, calls into the C++ library.
#include <pybind11/pybind11.h>

#include "vidlite/cpu_features.h"

namespace py = pybind11;

PYBIND11_MODULE(_native, m) {
  m.doc() = "vidlite native frame-preprocessing kernels";
  m.def("cpu_features", &vidlite::CpuFeatures, "CPU features used for dispatch (detected & mask)");
  m.def("cpu_features_detected", &vidlite::CpuFeaturesDetected);
  m.def("set_cpu_mask", &vidlite::SetCpuMask, py::arg("mask"));
  m.def("cpu_mask", &vidlite::CpuMask);
  m.attr("CPU_AVX2") = static_cast<uint32_t>(vidlite::kCpuHasAVX2);
  m.attr("CPU_FMA") = static_cast<uint32_t>(vidlite::kCpuHasFMA);
  m.attr("CPU_F16C") = static_cast<uint32_t>(vidlite::kCpuHasF16C);
  m.attr("CPU_NEON") = static_cast<uint32_t>(vidlite::kCpuHasNEON);
}
