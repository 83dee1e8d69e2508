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
#include <set>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace specsim::sim {

struct PoolOptions {
  int threads = 1;
  std::int64_t window = 2;  // chunks that may be in flight, the one being consumed included
  const std::atomic<bool>* stop = nullptr;
};

namespace detail {

// The state shared by the workers and the consuming thread, behind one mutex.
template <class Result>
class OrderedPool {
 public:
  using Run = std::function<Result(std::size_t lane, std::int64_t chunk)>;
  using Consume = std::function<void(std::int64_t chunk, std::vector<Result>& results)>;

  OrderedPool(std::int64_t chunks, const std::vector<bool>& sequential, const PoolOptions& options, const Run& run)
      : chunks_(chunks), sequential_(sequential), options_(options), run_(run), next_chunk_(sequential.size(), 0),
        window_(std::max<std::int64_t>(1, options.window)) {}

  std::int64_t run(const Consume& consume) {
    std::vector<std::thread> pool;
    // Results do not depend on the thread count, so threads the system refuses are not needed.
    try {
      for (int t = 0; t < options_.threads; ++t) pool.emplace_back([this] { work(); });
    } catch (const std::system_error&) {
      if (pool.empty()) throw;
    }
    try {
      for (std::vector<Result> results; consumed_ < chunks_ && take_chunk(results);) {
        consume(consumed_, results);
        {
          // Its tasks count as started until the chunk is consumed: else pick() would run them again.
          std::lock_guard lock(mutex_);
          for (std::size_t l = 0; l < sequential_.size(); ++l) started_.erase({consumed_, l});
          ++consumed_;
        }
        ready_.notify_all();
      }
    } catch (...) {
      fail(std::current_exception());
    }
    {
      std::lock_guard lock(mutex_);
      halted_ = true;
    }
    ready_.notify_all();
    for (auto& t : pool) t.join();
    if (error_) std::rethrow_exception(error_);
    return consumed_;
  }

 private:
  using Key = std::pair<std::int64_t, std::size_t>;

  bool stopped() const { return options_.stop && options_.stop->load(); }
  bool over() const { return failed_ || halted_ || stopped() || consumed_ >= chunks_; }

  // The first task in (chunk, lane) order that may run now.
  bool pick(std::size_t& lane, std::int64_t& chunk) const {
    for (std::int64_t c = consumed_; c < std::min(chunks_, consumed_ + window_); ++c)
      for (std::size_t l = 0; l < sequential_.size(); ++l) {
        if (started_.count({c, l}) || (sequential_[l] && next_chunk_[l] != c)) continue;
        lane = l;
        chunk = c;
        return true;
      }
    return false;
  }

  void work() {
    while (true) {
      std::size_t lane = 0;
      std::int64_t chunk = 0;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return over() || pick(lane, chunk); });
        if (over()) return;
        started_.insert({chunk, lane});
      }
      try {
        Result r = run_(lane, chunk);
        std::lock_guard lock(mutex_);
        done_.emplace(Key{chunk, lane}, std::move(r));
        if (sequential_[lane]) ++next_chunk_[lane];
      } catch (...) {
        fail(std::current_exception());
      }
      ready_.notify_all();
    }
  }

  bool complete() const {
    for (std::size_t l = 0; l < sequential_.size(); ++l)
      if (!done_.count({consumed_, l})) return false;
    return true;
  }

  // Waits until the next chunk is complete and moves its results out, in lane order; false when
  // the run failed or was stopped (then, once nothing runs any more).
  bool take_chunk(std::vector<Result>& results) {
    results.clear();
    std::unique_lock lock(mutex_);
    // A signal handler sets `stop` without notifying: look again now and then.
    while (!(failed_ || complete() || stopped())) ready_.wait_for(lock, std::chrono::milliseconds(50));
    if (failed_) return false;
    if (!complete()) {
      halted_ = true;
      return false;
    }
    for (std::size_t l = 0; l < sequential_.size(); ++l) {
      auto it = done_.find({consumed_, l});
      results.push_back(std::move(it->second));
      done_.erase(it);
    }
    return true;
  }

  void fail(std::exception_ptr e) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = e;
    failed_ = true;
  }

  const std::int64_t chunks_;
  const std::vector<bool>& sequential_;
  const PoolOptions& options_;
  const Run& run_;
  std::vector<std::int64_t> next_chunk_;  // of each sequential lane
  const std::int64_t window_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::set<Key> started_;
  std::map<Key, Result> done_;
  std::int64_t consumed_ = 0;
  bool failed_ = false, halted_ = false;
  std::exception_ptr error_;
};

}  // namespace detail

// Returns how many chunks were consumed (all of them unless stopped).
template <class Result>
std::int64_t run_ordered(std::int64_t chunks, const std::vector<bool>& sequential, const PoolOptions& options,
                         const std::function<Result(std::size_t lane, std::int64_t chunk)>& run,
                         const std::function<void(std::int64_t chunk, std::vector<Result>& results)>& consume) {
  if (options.threads > 1) return detail::OrderedPool<Result>(chunks, sequential, options, run).run(consume);
  std::int64_t c = 0;  // on the calling thread, in (chunk, lane) order
  for (; c < chunks && !(options.stop && options.stop->load()); ++c) {
    std::vector<Result> results;
    for (std::size_t l = 0; l < sequential.size(); ++l) results.push_back(run(l, c));
    consume(c, results);
  }
  return c;
}

}  // namespace specsim::sim
