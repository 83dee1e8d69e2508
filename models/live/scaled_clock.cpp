#include "models/live/scaled_clock.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cmath>
#include <stdexcept>

namespace specsim::models::live {

struct ScaledClock::Timer {
  explicit Timer(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
};

ScaledClock::ScaledClock(boost::asio::io_context& io, double time_scale)
    : timer_(std::make_unique<Timer>(io)), origin_(std::chrono::steady_clock::now()), scale_(time_scale) {}

ScaledClock::~ScaledClock() = default;

sim::Time ScaledClock::now() const {
  const auto wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - origin_).count();
  return sim::Time::from_ns(std::llround(static_cast<double>(wall_ns) / scale_));
}

std::chrono::steady_clock::time_point ScaledClock::wall(sim::Time world) const {
  return origin_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::nanoseconds(std::llround(static_cast<double>(world.ns()) * scale_)));
}

sim::EventId ScaledClock::schedule(sim::Time at, sim::EventHandler* handler, std::uint64_t arg) {
  const sim::Time t = now();
  const sim::EventId id = queue_.schedule(at < t ? t : at, handler, arg);
  arm();
  return id;
}

void ScaledClock::cancel(sim::EventId id) {
  queue_.cancel(id);
  arm();
}

void ScaledClock::run_until(const std::function<bool()>&) {
  throw std::logic_error("a ScaledClock's timers run on its io_context");
}

void ScaledClock::arm() {
  const sim::Time next = queue_.next_time();
  if (next == armed_) return;
  armed_ = next;
  if (next == sim::Time::max()) {
    timer_->timer.cancel();
    return;
  }
  timer_->timer.expires_at(wall(next));
  timer_->timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // re-armed or cancelled
    armed_ = sim::Time::max();
    dispatch_due();
  });
}

void ScaledClock::dispatch_due() {
  sim::Event e;
  // Compared in wall time, as the timer was set: no early wake from rounding world time.
  while (!queue_.empty() && wall(queue_.next_time()) <= std::chrono::steady_clock::now()) {
    queue_.pop(e);
    dispatching_ = e.at;
    e.handler->on_event(e.arg);
  }
  arm();
}

}  // namespace specsim::models::live
