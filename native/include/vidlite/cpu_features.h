// Run-time CPU feature detection, with a mask so tests can force the scalar reference
// or any single SIMD variant on the same input (env VIDLITE_CPU_MASK or SetCpuMask()).
#pragma once
#include <cstdint>

namespace vidlite {

enum CpuFeature : uint32_t {
  kCpuHasAVX2 = 1u << 0,
  kCpuHasFMA = 1u << 1,
  kCpuHasF16C = 1u << 2,
  kCpuHasNEON = 1u << 3,
};

// Features detected on this CPU, intersected with the mask.
uint32_t CpuFeatures();
// Features the hardware has, ignoring the mask.
uint32_t CpuFeaturesDetected();
// Restrict dispatch to `mask` (0 = scalar reference only, ~0u = everything detected).
void SetCpuMask(uint32_t mask);
uint32_t CpuMask();

}  // namespace vidlite
