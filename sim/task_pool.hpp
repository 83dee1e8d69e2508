#pragma once
// Runs n independent tasks on a few threads. Each task writes its own output, so the order in
// which they run changes nothing but the wall time. `stop` (e.g. set by a signal handler) lets
// running tasks finish and starts no new one. The first exception is rethrown after all threads
// have joined.
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace specsim::sim {

inline void run_tasks(std::size_t n, int threads, const std::function<void(std::size_t)>& task,
                      const std::atomic<bool>& stop) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  std::atomic<bool> failed{false};
  auto worker = [&] {
    while (!stop && !failed) {
      const std::size_t i = next++;
      if (i >= n) return;
      try {
        task(i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace specsim::sim
