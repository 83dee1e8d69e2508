#pragma once
// Real time for live runs: the same timers as SimClock, dispatched when the steady clock reaches
// them, and between timers an I/O source (HTTP transfers, models/live) is polled with the time
// left until the next one. Timers and transfer callbacks thus run on one thread, in one loop, so
// the planner needs no locks and sees the same event-driven world as in simulation.
#include <chrono>

#include "sim/clock.hpp"

namespace specsim::sim {

// Implemented above sim/ (models/live's HTTP client); declared here so sim/ depends on nothing.
class IoSource {
 public:
  virtual ~IoSource() = default;
  // Waits at most `max_wait` (Time::max(): as long as it likes) for I/O, then runs the callbacks
  // of what completed. May return early; the clock calls it again.
  virtual void poll(Time max_wait) = 0;
  // True while something is in flight or waiting to start: a completion may still come.
  virtual bool busy() const = 0;
};

class WallClock final : public Clock {
 public:
  WallClock() : origin_(std::chrono::steady_clock::now()) {}
  // The source polled between timers; nullptr: the loop sleeps instead.
  void set_io(IoSource* io) { io_ = io; }

  // Nanoseconds since the clock was made.
  Time now() const override;
  EventId schedule(Time at, EventHandler* handler, std::uint64_t arg) override;
  void cancel(EventId id) override { queue_.cancel(id); }
  // Throws std::logic_error when `done` is false, no timer is pending and no I/O is in flight:
  // nothing could ever make it true, and hanging would hide the bug.
  void run_until(const std::function<bool()>& done) override;

  std::chrono::steady_clock::time_point origin() const { return origin_; }

 private:
  std::chrono::steady_clock::time_point origin_;
  EventQueue queue_;
  IoSource* io_ = nullptr;
};

}  // namespace specsim::sim
