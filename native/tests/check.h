// A minimal test harness (no dependencies, so the aarch64 build under qemu needs nothing extra):
// tests register themselves; main runs them all and prints "N passed, N failed".
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

namespace vtest {

struct Case {
  const char* name;
  void (*fn)();
};
inline std::vector<Case>& Registry() {
  static std::vector<Case> r;
  return r;
}
struct Registrar {
  Registrar(const char* n, void (*f)()) { Registry().push_back({n, f}); }
};
inline int& CaseFailures() {
  static int f = 0;
  return f;
}
inline void Fail(const char* file, int line, const char* what) {
  if (++CaseFailures() <= 5) std::printf("  FAIL %s:%d: %s\n", file, line, what);
}

// `size` bytes that end exactly where a PROT_NONE page begins: reading one byte past the end
// faults. The start is therefore unaligned for most sizes, as a numpy view can be.
class GuardedBuffer {
 public:
  explicit GuardedBuffer(size_t size) : size_(size) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    map_size_ = (size + page - 1) / page * page + page;
    void* m = mmap(nullptr, map_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
      std::perror("mmap");
      std::abort();
    }
    map_ = static_cast<uint8_t*>(m);
    mprotect(map_ + map_size_ - page, page, PROT_NONE);
    data_ = map_ + map_size_ - page - size;
  }
  ~GuardedBuffer() { munmap(map_, map_size_); }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;
  uint8_t* data() { return data_; }
  size_t size() const { return size_; }
  void Fill(std::mt19937& rng) {
    for (size_t i = 0; i < size_; ++i) data_[i] = static_cast<uint8_t>(rng());
  }

 private:
  size_t size_, map_size_;
  uint8_t *map_, *data_;
};

}  // namespace vtest

#define VT_TEST(name)                                          \
  static void name();                                          \
  static const vtest::Registrar name##_registrar(#name, name); \
  static void name()

#define VT_CHECK(cond)                                   \
  do {                                                   \
    if (!(cond)) vtest::Fail(__FILE__, __LINE__, #cond); \
  } while (0)
