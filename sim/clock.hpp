#pragma once
// The planner's view of time: read the clock, set timers, cancel them, run until done.
// SimClock drives a simulated event queue; a wall clock (sim/wall_clock.hpp) runs the same
// timers in real time while an I/O source services HTTP transfers, so the planner and the
// policies never know which one they run on.
#include <cstdint>
#include <functional>

#include "sim/event_queue.hpp"
#include "sim/time.hpp"

namespace specsim::sim {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time now() const = 0;
  // An instant in the past runs as soon as possible (at now()).
  virtual EventId schedule(Time at, EventHandler* handler, std::uint64_t arg) = 0;
  // Idempotent: a no-op once the event ran or was cancelled.
  virtual void cancel(EventId id) = 0;
  // Dispatches events in time order until `done()` holds (checked before each event).
  virtual void run_until(const std::function<bool()>& done) = 0;
  // The same until `done` is true: what a planner runs an episode with. A simulated clock runs
  // it in a tight loop, with no std::function call per event.
  virtual void run_until_set(const bool& done) {
    run_until([&done] { return done; });
  }
};

class SimClock final : public Clock {
 public:
  Time now() const override { return now_; }
  EventId schedule(Time at, EventHandler* handler, std::uint64_t arg) override {
    return queue_.schedule(at < now_ ? now_ : at, handler, arg);
  }
  void cancel(EventId id) override { queue_.cancel(id); }
  void run_until(const std::function<bool()>& done) override;
  void run_until_set(const bool& done) override;
  // A hash of every event dispatched so far (time, order, argument): two runs that agree on it
  // took the same path through the simulation (DESIGN §5.9).
  std::uint64_t fingerprint() const { return fingerprint_; }

 private:
  void dispatch(const Event& e) {
    now_ = e.at;
    for (const std::uint64_t word : {static_cast<std::uint64_t>(e.at.ns()), e.seq, e.arg})
      fingerprint_ = (fingerprint_ ^ word) * 0x100000001b3ull;  // FNV-1a over words: cheap, order-sensitive
    e.handler->on_event(e.arg);
  }

  EventQueue queue_;
  Time now_ = Time::zero();
  std::uint64_t fingerprint_ = 0xcbf29ce484222325ull;  // FNV-1a's offset basis
};

}  // namespace specsim::sim
