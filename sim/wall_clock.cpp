#include "sim/wall_clock.hpp"

#include <stdexcept>
#include <thread>

namespace specsim::sim {

Time WallClock::now() const {
  return Time::from_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - origin_).count());
}

EventId WallClock::schedule(Time at, EventHandler* handler, std::uint64_t arg) {
  const Time t = now();
  return queue_.schedule(at < t ? t : at, handler, arg);
}

void WallClock::run_until(const std::function<bool()>& done) {
  Event e;
  while (!done()) {
    const Time t = now();
    const Time next = queue_.next_time();
    if (next <= t) {
      queue_.pop(e);
      e.handler->on_event(e.arg);
      continue;
    }
    const bool io_busy = io_ != nullptr && io_->busy();
    if (queue_.empty() && !io_busy) throw std::logic_error("wall clock stalled: no pending timer and no I/O in flight");
    const Time wait = queue_.empty() ? Time::max() : next - t;
    if (io_ != nullptr) {
      io_->poll(wait);
    } else {
      std::this_thread::sleep_for(std::chrono::nanoseconds(wait.ns()));
    }
  }
}

}  // namespace specsim::sim
