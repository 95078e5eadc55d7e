#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace vidlite {
namespace {

class Pool {
 public:
  static Pool& Instance() {
    static Pool* pool = new Pool();  // never destroyed: workers may outlive static destructors
    return *pool;
  }

  void Run(int jobs, int threads, const std::function<void(int)>& fn) {
    std::lock_guard<std::mutex> serial(run_mu_);  // one batch at a time keeps the pool simple
    const int helpers = std::min(threads, jobs) - 1;
    Grow(helpers);
    std::atomic<int> next{0};
    auto work = [&] {
      for (int j; (j = next.fetch_add(1)) < jobs;) fn(j);
    };
    {
      std::lock_guard<std::mutex> lk(mu_);
      task_ = work;
      tickets_ = helpers;
      busy_ = helpers;
      ++generation_;
    }
    cv_.notify_all();
    work();
    std::unique_lock<std::mutex> lk(mu_);
    done_cv_.wait(lk, [&] { return busy_ == 0; });
    task_ = nullptr;
  }

 private:
  void Grow(int n) {
    while (static_cast<int>(workers_.size()) < n) workers_.emplace_back([this] { Loop(); });
  }

  void Loop() {
    uint64_t seen = 0;
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return generation_ != seen && tickets_ > 0; });
        --tickets_;
        seen = generation_;
        task = task_;
      }
      task();
      std::lock_guard<std::mutex> lk(mu_);
      if (--busy_ == 0) done_cv_.notify_all();
    }
  }

  std::mutex run_mu_, mu_;
  std::condition_variable cv_, done_cv_;
  std::function<void()> task_;
  int tickets_ = 0, busy_ = 0;
  uint64_t generation_ = 0;
  std::vector<std::thread> workers_;
};

}  // namespace

void ParallelFor(int jobs, int threads, const std::function<void(int)>& fn) {
  if (jobs <= 0) return;
  if (threads <= 1 || jobs == 1) {
    for (int j = 0; j < jobs; ++j) fn(j);
    return;
  }
  Pool::Instance().Run(jobs, threads, fn);
}

}  // namespace vidlite
