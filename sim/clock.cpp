#include "sim/clock.hpp"

#include <stdexcept>

namespace specsim::sim {

void SimClock::run_until(const std::function<bool()>& done) {
  Event e;
  while (!done()) {
    // An empty queue before `done` means the planner waits for something that never comes:
    // a logic error, reported rather than hanging.
    if (!queue_.pop(e)) throw std::logic_error("simulation stalled: no pending event");
    dispatch(e);
  }
}

void SimClock::run_until_set(const bool& done) {
  Event e;
  while (!done) {
    if (!queue_.pop(e)) throw std::logic_error("simulation stalled: no pending event");
    dispatch(e);
  }
}

}  // namespace specsim::sim
