#include <cstdio>
#include "vidlite/cpu_features.h"

int main() {
  using namespace vidlite;
  int failures = 0;
  uint32_t detected = CpuFeaturesDetected();
  SetCpuMask(0);
  if (CpuFeatures() != 0) { std::printf("FAIL: mask 0 must disable all features\n"); ++failures; }
  SetCpuMask(~0u);
  if (CpuFeatures() != detected) { std::printf("FAIL: full mask must expose detected features\n"); ++failures; }
  std::printf("cpu features detected: 0x%x\n", detected);
  std::printf("%d passed, %d failed\n", 2 - failures, failures);
  return failures ? 1 : 0;
}
