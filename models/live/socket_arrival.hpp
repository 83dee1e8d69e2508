#pragma once
// When the bytes waiting on a TCP socket arrived, by the kernel's receive timestamps
// (SO_TIMESTAMPNS), so a call's first token and end are measured when their bytes reached this
// machine, not when the client's one thread got round to them: at 256 streams a burst of answers
// (or of requests being sent) keeps that thread busy for milliseconds, and a loaded machine may
// not run it at all for as long, while the bytes wait in the socket. The stamp is peeked (the
// bytes stay for libcurl to read) just before libcurl reads the socket: it is the arrival of the
// newest bytes waiting, so never earlier than any byte libcurl then reads (a later one coming in
// the microseconds between the two is the exception), and late only for older bytes read with it.
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/clock.hpp"

namespace specsim::models::live {

// Asks the kernel to stamp what `fd` receives; false if it cannot (the client then keeps its
// own wake-up time).
bool enable_arrival_stamps(int fd);

class ArrivalStamps {
 public:
  // Pairs `clock`'s time with the wall-clock time the kernel stamps with, read back to back (again
  // if the thread was preempted between the two: that would shift every stamp); call it when
  // epoll returns, before newest().
  void mark(const sim::Clock& clock);
  // On `clock`: the arrival of the newest bytes waiting on `fd`; nullopt when nothing waits, the
  // socket stamps nothing, or the stamp is more than a minute before the mark or a second after
  // it (the wall clock was stepped).
  std::optional<sim::Time> newest(int fd);

 private:
  sim::Time clock_at_mark_ = sim::Time::zero();
  std::int64_t wall_at_mark_ns_ = 0;
  std::vector<char> scratch_ = std::vector<char>(16 << 10);  // libcurl reads up to 16 KiB at a time
};

}  // namespace specsim::models::live
