#include "sim/clock.hpp"

#include <stdexcept>

namespace specsim::sim {

void SimClock::run_until(const std::function<bool()>& done) {
  Event e;
  while (!done()) {
    // An empty queue before `done` means the planner waits for something that never comes:
    // a logic error, reported rather than hanging.
    if (!queue_.pop(e)) throw std::logic_error("simulation stalled: no pending event");
    now_ = e.at;
    for (const std::uint64_t word : {static_cast<std::uint64_t>(e.at.ns()), e.seq, e.arg})
      fingerprint_ = (fingerprint_ ^ word) * 0x100000001b3ull;  // FNV-1a over words: cheap, order-sensitive
    e.handler->on_event(e.arg);
  }
}

}  // namespace specsim::sim
