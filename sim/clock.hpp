#pragma once
// The planner's view of time: read the clock, set timers, cancel them, run until done.
// SimClock drives a simulated event queue; a live clock (wall time plus HTTP completions) has
// the same interface, so the planner and the policies never know which one they run on.
#include <cstdint>

#include "sim/event_queue.hpp"
#include "sim/time.hpp"

namespace specsim::sim {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time now() const = 0;
  virtual EventId schedule(Time at, EventHandler* handler, std::uint64_t arg) = 0;
  // Only for an event that has not run yet.
  virtual void cancel(EventId id) = 0;
  // Dispatches events in order until `done` becomes true.
  virtual void run_until(const bool& done) = 0;
};

class SimClock final : public Clock {
 public:
  Time now() const override { return now_; }
  EventId schedule(Time at, EventHandler* handler, std::uint64_t arg) override {
    return queue_.schedule(at < now_ ? now_ : at, handler, arg);
  }
  void cancel(EventId id) override { queue_.cancel(id); }
  void run_until(const bool& done) override;
  const EventQueue& queue() const { return queue_; }

 private:
  EventQueue queue_;
  Time now_ = Time::zero();
};

}  // namespace specsim::sim
