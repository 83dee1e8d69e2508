#pragma once
// A token bucket for a limit stated per minute (requests or tokens per minute): it refills at the
// rate, holds at most a burst's worth and starts full. One mechanism for both sides of a limit:
// a provider's (models/shared_limits.hpp: a minute's worth, a call admitted while the bucket is
// not in debt and debited what it used at its end) and a client's own pacing (the live client,
// models/live/http_client.cpp, and the dry run that simulates it: by default a second of requests
// and ten of tokens, a call started once the bucket holds its estimate, which it takes). Everything is
// integer, so both give the same instants: the level counts units x 60e9 (nanoseconds per
// minute), and the bucket gains its per-minute rate each nanosecond.
#include <algorithm>
#include <cstdint>

#include "sim/time.hpp"

namespace specsim::models {

class TokenBucket {
 public:
  static constexpr std::int64_t kNsPerMin = 60'000'000'000;
  // Rates up to this keep a minute's worth (rate x 60e9) inside int64.
  static constexpr std::int64_t kMaxPerMin = 100'000'000;

  TokenBucket() = default;  // no limit
  // `per_min` 0: no limit. It holds `burst`'s refill (at most a minute's), and at least one unit.
  TokenBucket(std::int64_t per_min, sim::Time burst, sim::Time now)
      : per_min_(per_min),
        capacity_(std::max(kNsPerMin, per_min * std::clamp<std::int64_t>(burst.ns(), 0, kNsPerMin))),
        level_(capacity_),
        at_(now) {}

  bool limited() const { return per_min_ > 0; }

  // How long from `now` until it holds `units` (a request larger than the whole bucket waits
  // until it is full); zero when it does. Any need is at least a part of one unit: a bucket in
  // debt, or empty, admits nothing.
  sim::Time wait_for(std::int64_t units, sim::Time now) {
    if (!limited()) return sim::Time::zero();
    refill(now);
    const std::int64_t whole = units > capacity_ / kNsPerMin ? capacity_ : units * kNsPerMin;
    const std::int64_t need = std::clamp<std::int64_t>(whole, 1, capacity_);
    if (level_ >= need) return sim::Time::zero();
    return sim::Time::from_ns((need - level_ + per_min_ - 1) / per_min_);
  }
  // Takes `units` at `now`, into debt if it must (what a call used, known at its end; a call's
  // estimate larger than the whole bucket).
  void take(std::int64_t units, sim::Time now) {
    if (!limited()) return;
    refill(now);
    level_ -= units * kNsPerMin;
  }

 private:
  void refill(sim::Time now) {
    const std::int64_t dt = (now - at_).ns();
    at_ = now;
    if (dt <= 0 || level_ >= capacity_) return;
    if (dt >= (capacity_ - level_) / per_min_ + 1) level_ = capacity_;
    else level_ += per_min_ * dt;
  }

  std::int64_t per_min_ = 0, capacity_ = 0, level_ = 0;
  sim::Time at_;
};

}  // namespace specsim::models
