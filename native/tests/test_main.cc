#include <cstdio>

#include "check.h"
#include "vidlite/cpu_features.h"

VT_TEST(CpuMaskRestrictsFeatures) {
  using namespace vidlite;
  const uint32_t detected = CpuFeaturesDetected();
  SetCpuMask(0);
  VT_CHECK(CpuFeatures() == 0);
  SetCpuMask(~0u);
  VT_CHECK(CpuFeatures() == detected);
  std::printf("  cpu features detected: 0x%x\n", detected);
}

int main() {
  int passed = 0, failed = 0;
  for (const auto& c : vtest::Registry()) {
    vtest::CaseFailures() = 0;
    c.fn();
    const bool ok = vtest::CaseFailures() == 0;
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", c.name);
    (ok ? passed : failed)++;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
