#pragma once
// The one thread pool: runs a grid of tasks (chunk, lane) on a few threads and hands each chunk's
// results, in lane order, to `consume` on the calling thread, strictly in chunk order. So what is
// consumed (summaries, files) is identical for any thread count, and memory stays bounded by a
// window of chunks in flight. A sequential lane (a policy that learns across episodes) runs its
// chunks one after another, in order, as its state demands; other tasks run in any order.
// `stop` (e.g. set by a signal handler) lets running tasks finish and starts no new one. The
// first exception is rethrown after every thread has joined.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace specsim::sim {

struct PoolOptions {
  int threads = 1;
  std::int64_t window = 2;  // chunks that may be in flight, the one being consumed included
  const std::atomic<bool>* stop = nullptr;
};

// Returns how many chunks were consumed (all of them unless stopped).
template <class Result>
std::int64_t run_ordered(std::int64_t chunks, const std::vector<bool>& sequential, const PoolOptions& options,
                         const std::function<Result(std::size_t lane, std::int64_t chunk)>& run,
                         const std::function<void(std::int64_t chunk, std::vector<Result>& results)>& consume) {
  const std::size_t lanes = sequential.size();
  const auto stopped = [&] { return options.stop && options.stop->load(); };
  std::vector<std::int64_t> next_chunk(lanes, 0);  // of each sequential lane

  if (options.threads <= 1) {  // on the calling thread, in (chunk, lane) order
    std::int64_t c = 0;
    for (; c < chunks && !stopped(); ++c) {
      std::vector<Result> results;
      for (std::size_t l = 0; l < lanes; ++l) results.push_back(run(l, c));
      consume(c, results);
    }
    return c;
  }

  using Key = std::pair<std::int64_t, std::size_t>;
  std::mutex mutex;
  std::condition_variable ready;
  std::map<Key, bool> started;
  std::map<Key, Result> done;
  std::int64_t consumed = 0;
  bool failed = false, halted = false;
  std::exception_ptr error;
  const std::int64_t window = std::max<std::int64_t>(1, options.window);

  // The first task in (chunk, lane) order that may run now.
  const auto pick = [&](std::size_t& lane, std::int64_t& chunk) {
    for (std::int64_t c = consumed; c < std::min(chunks, consumed + window); ++c)
      for (std::size_t l = 0; l < lanes; ++l) {
        if (started.count({c, l}) || (sequential[l] && next_chunk[l] != c)) continue;
        lane = l;
        chunk = c;
        return true;
      }
    return false;
  };
  const auto worker = [&] {
    while (true) {
      std::size_t lane = 0;
      std::int64_t chunk = 0;
      {
        std::unique_lock lock(mutex);
        ready.wait(lock, [&] { return failed || halted || stopped() || consumed >= chunks || pick(lane, chunk); });
        if (failed || halted || stopped() || consumed >= chunks) return;
        started[{chunk, lane}] = true;
      }
      try {
        Result r = run(lane, chunk);
        std::lock_guard lock(mutex);
        done.emplace(Key{chunk, lane}, std::move(r));
        if (sequential[lane]) ++next_chunk[lane];
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
      ready.notify_all();
    }
  };

  std::vector<std::thread> pool;
  for (int t = 0; t < options.threads; ++t) pool.emplace_back(worker);
  const auto finish = [&] {
    {
      std::lock_guard lock(mutex);
      halted = true;
    }
    ready.notify_all();
    for (auto& t : pool) t.join();
  };
  try {
    for (; consumed < chunks;) {
      std::vector<Result> results;
      {
        std::unique_lock lock(mutex);
        // Wait until the chunk is complete; when stopping, until nothing runs any more.
        const auto complete = [&] {
          for (std::size_t l = 0; l < lanes; ++l)
            if (!done.count({consumed, l})) return false;
          return true;
        };
        // A signal handler sets `stop` without notifying: look again now and then.
        while (!(failed || complete() || stopped())) ready.wait_for(lock, std::chrono::milliseconds(50));
        if (failed) break;
        if (!complete()) {
          halted = true;
          break;
        }
        for (std::size_t l = 0; l < lanes; ++l) {
          auto it = done.find({consumed, l});
          results.push_back(std::move(it->second));
          done.erase(it);
          started.erase({consumed, l});
        }
      }
      consume(consumed, results);
      {
        std::lock_guard lock(mutex);
        ++consumed;
      }
      ready.notify_all();
    }
  } catch (...) {
    std::lock_guard lock(mutex);
    if (!error) error = std::current_exception();
    failed = true;
  }
  finish();
  if (error) std::rethrow_exception(error);
  return consumed;
}

}  // namespace specsim::sim
