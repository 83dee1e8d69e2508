#pragma once
// World time on `specsim serve`'s Asio loop: now() is the wall time since the clock was made
// divided by --time-scale, and timers run on the io_context's thread, between its sockets'
// handlers. It lets the simulator's own ServedEndpoint (models/served_endpoint.hpp) time the
// server's answers under load, as it times calls in simulation: one mechanism, two clocks.
#include <chrono>
#include <memory>

#include "sim/clock.hpp"

namespace boost::asio {
class io_context;
}

namespace specsim::models::live {

class ScaledClock final : public sim::Clock {
 public:
  ScaledClock(boost::asio::io_context& io, double time_scale);
  ~ScaledClock() override;

  sim::Time now() const override;
  sim::EventId schedule(sim::Time at, sim::EventHandler* handler, std::uint64_t arg) override;
  void cancel(sim::EventId id) override;
  // The io_context runs the timers: calling this is a logic error.
  void run_until(const std::function<bool()>& done) override;

  // The steady-clock instant of a world time.
  std::chrono::steady_clock::time_point wall(sim::Time world) const;
  // While an event's handler runs: the world time it was due at (now() is later when its timer
  // fired late, on a loaded machine), so a handler can tell how late it runs.
  sim::Time dispatching() const { return dispatching_; }

 private:
  void arm();           // the timer, at the earliest pending event
  void dispatch_due();  // runs every event due by now

  struct Timer;  // the Asio timer, kept out of this header
  std::unique_ptr<Timer> timer_;
  std::chrono::steady_clock::time_point origin_;
  double scale_;
  sim::EventQueue queue_;
  sim::Time armed_ = sim::Time::max();
  sim::Time dispatching_;
};

}  // namespace specsim::models::live
