#pragma once
// A token bucket for provider limits stated per minute (requests per minute, tokens per minute):
// it holds up to `burst` units, refills at limit/60 per second, and a request takes its units
// when they are there. A request larger than the whole bucket goes once the bucket is full, so
// it waits as long as it must but never forever.
#include <algorithm>

#include "sim/time.hpp"

namespace specsim::models::live {

class TokenBucket {
 public:
  TokenBucket() = default;  // unlimited
  // per_minute 0: unlimited. burst: units the bucket holds (default: one second's worth, at least 1).
  explicit TokenBucket(double per_minute, double burst = 0)
      : rate_per_s_(per_minute / 60), capacity_(burst > 0 ? burst : std::max(1.0, per_minute / 60)), level_(capacity_) {}

  bool unlimited() const { return rate_per_s_ <= 0; }
  // When `units` will be available (now when they are).
  sim::Time ready_at(double units, sim::Time now) {
    if (unlimited()) return now;
    refill(now);
    const double need = std::min(units, capacity_);
    if (level_ >= need) return now;
    return now + sim::Time::from_seconds((need - level_) / rate_per_s_);
  }
  // Takes `units` if available now; false otherwise.
  bool take(double units, sim::Time now) {
    if (unlimited()) return true;
    refill(now);
    const double need = std::min(units, capacity_);
    if (level_ + 1e-9 < need) return false;
    level_ -= need;
    return true;
  }

 private:
  void refill(sim::Time now) {
    level_ = std::min(capacity_, level_ + (now - last_).seconds() * rate_per_s_);
    last_ = now;
  }
  double rate_per_s_ = 0, capacity_ = 0, level_ = 0;
  sim::Time last_ = sim::Time::zero();
};

}  // namespace specsim::models::live
