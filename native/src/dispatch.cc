#include "kernels.h"
#include "kernels_resample.h"
#include "vidlite/cpu_features.h"
#include "vidlite/preprocess.h"

namespace vidlite {

const Kernels& SelectKernels() {
  const uint32_t f = CpuFeatures();
#if defined(__x86_64__)
  const uint32_t need = kCpuHasAVX2 | kCpuHasFMA | kCpuHasF16C;
  if ((f & need) == need) return Avx2Kernels();
#endif
#if defined(__aarch64__)
  if (f & kCpuHasNEON) return NeonKernels();
#endif
  (void)f;
  return ScalarKernels();
}

const char* KernelVariant() { return SelectKernels().name; }

const ResampleKernels& ResampleKernelsFor(const Kernels& k) {
#if defined(__x86_64__)
  if (&k == &Avx2Kernels()) return Avx2ResampleKernels();
#endif
#if defined(__aarch64__)
  if (&k == &NeonKernels()) return NeonResampleKernels();
#endif
  (void)k;
  return ScalarResampleKernels();
}

}  // namespace vidlite
