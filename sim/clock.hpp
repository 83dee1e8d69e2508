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
  // `fingerprinted`: keep fingerprint() (below) up to date. Only tests ask for it, and hashing
  // three words per event is a tenth of the loop that dispatches them, so runs leave it out.
  explicit SimClock(bool fingerprinted = false) : fingerprinted_(fingerprinted) {}
  Time now() const override { return now_; }
  EventId schedule(Time at, EventHandler* handler, std::uint64_t arg) override {
    return queue_.schedule(at < now_ ? now_ : at, handler, arg);
  }
  void cancel(EventId id) override { queue_.cancel(id); }
  void run_until(const std::function<bool()>& done) override;
  void run_until_set(const bool& done) override;
  // A hash of every event dispatched so far (time, order, argument), on a clock made
  // `fingerprinted`: two runs that agree on it took the same path through the simulation
  // (DESIGN §5.9). Without, it stays FNV-1a's offset basis.
  std::uint64_t fingerprint() const { return fingerprint_; }

 private:
  // The dispatch loops, with the hash or without it (chosen once per run, not per event).
  template <bool kFingerprint, class Done> void run(const Done& done);

  EventQueue queue_;
  bool fingerprinted_;
  Time now_ = Time::zero();
  std::uint64_t fingerprint_ = 0xcbf29ce484222325ull;  // FNV-1a's offset basis
};

}  // namespace specsim::sim
