// A small process-wide worker pool for batches: the calling thread works too, so threads=1 never
// touches the pool.
#pragma once
#include <functional>

namespace vidlite {

// Calls fn(job) for every job in [0, jobs) on up to `threads` threads; returns when all are done.
void ParallelFor(int jobs, int threads, const std::function<void(int)>& fn);

}  // namespace vidlite
