#include "vidlite/cpu_features.h"

#include <atomic>
#include <cstdlib>

// GCC and Clang only, like the rest of the library (builtins, -mavx2, -ffp-contract=off): x86
// detection through <cpuid.h> and xgetbv in inline assembly.
#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace vidlite {
namespace {

uint32_t Detect() {
  uint32_t f = 0;
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    bool osxsave = c & (1u << 27);
    if (c & (1u << 12)) f |= kCpuHasFMA;
    if (c & (1u << 29)) f |= kCpuHasF16C;
    if (osxsave) {
      unsigned xlo, xhi;
      __asm__("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
      bool ymm_enabled = (xlo & 0x6) == 0x6;
      if (ymm_enabled && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 5))) f |= kCpuHasAVX2;
      if (!ymm_enabled) f &= ~(kCpuHasFMA | kCpuHasF16C);
    }
  }
#elif defined(__aarch64__)
  f |= kCpuHasNEON;  // Advanced SIMD is mandatory on AArch64.
#endif
  return f;
}

uint32_t InitialMask() {
  const char* env = std::getenv("VIDLITE_CPU_MASK");
  if (!env || !*env) return ~0u;
  return static_cast<uint32_t>(std::strtoul(env, nullptr, 0));
}

std::atomic<uint32_t> g_mask{InitialMask()};

}  // namespace

uint32_t CpuFeaturesDetected() {
  static const uint32_t detected = Detect();
  return detected;
}
uint32_t CpuFeatures() { return CpuFeaturesDetected() & g_mask.load(std::memory_order_relaxed); }
void SetCpuMask(uint32_t mask) { g_mask.store(mask, std::memory_order_relaxed); }
uint32_t CpuMask() { return g_mask.load(std::memory_order_relaxed); }

}  // namespace vidlite
