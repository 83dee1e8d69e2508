#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "sim/ordered_pool.hpp"

using namespace specsim;

TEST_CASE("every task runs once and chunks are consumed in order, however slow the consumer", "[pool]") {
  constexpr std::int64_t kChunks = 40;
  const std::vector<bool> sequential{false, true, false};
  std::mutex mutex;
  std::map<std::pair<std::int64_t, std::size_t>, int> runs;
  const auto run = [&](std::size_t lane, std::int64_t chunk) {
    std::lock_guard lock(mutex);
    ++runs[{chunk, lane}];
    return static_cast<int>(chunk * 10 + static_cast<std::int64_t>(lane));
  };
  std::vector<std::int64_t> consumed;
  const auto consume = [&](std::int64_t chunk, std::vector<int>& results) {
    // A consumer slower than the workers (as one writing a compressed file is): idle workers
    // must not pick the chunk being consumed a second time.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(results == std::vector<int>{static_cast<int>(chunk * 10), static_cast<int>(chunk * 10 + 1),
                                        static_cast<int>(chunk * 10 + 2)});
    consumed.push_back(chunk);
  };
  sim::PoolOptions options;
  options.threads = 3;
  options.window = 2;
  REQUIRE(sim::run_ordered<int>(kChunks, sequential, options, run, consume) == kChunks);
  REQUIRE(consumed.size() == static_cast<std::size_t>(kChunks));
  for (std::int64_t c = 0; c < kChunks; ++c) CHECK(consumed[static_cast<std::size_t>(c)] == c);
  CHECK(runs.size() == static_cast<std::size_t>(kChunks) * sequential.size());
  for (const auto& [task, count] : runs) {
    INFO("chunk " << task.first << ", lane " << task.second);
    CHECK(count == 1);
  }
}
