#include "sim/clock.hpp"

#include <stdexcept>

namespace specsim::sim {

template <bool kFingerprint, class Done>
void SimClock::run(const Done& done) {
  Event e;
  while (!done()) {
    // An empty queue before `done` means the planner waits for something that never comes:
    // a logic error, reported rather than hanging.
    if (!queue_.pop(e)) throw std::logic_error("simulation stalled: no pending event");
    now_ = e.at;
    if constexpr (kFingerprint)
      for (const std::uint64_t word : {static_cast<std::uint64_t>(e.at.ns()), e.seq, e.arg})
        fingerprint_ = (fingerprint_ ^ word) * 0x100000001b3ull;  // FNV-1a over words: cheap, order-sensitive
    e.handler->on_event(e.arg);
  }
}

void SimClock::run_until(const std::function<bool()>& done) {
  if (fingerprinted_) run<true>(done);
  else run<false>(done);
}

void SimClock::run_until_set(const bool& done) {
  const auto set = [&done] { return done; };
  if (fingerprinted_) run<true>(set);
  else run<false>(set);
}

}  // namespace specsim::sim
