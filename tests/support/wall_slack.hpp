#pragma once
// How late the live tests let a wall-clock event come, past the time it was served for. The
// bugs those bounds are there for cost a second or more: a missed wake-up waits out the client's
// longest epoll wait (1 s), a wait for a connection's close or for a timeout takes seconds. A
// loaded machine (load 6+ on two cores, AddressSanitizer build) runs a ready thread tens of
// milliseconds late, ten times that being the margin. How late a call ends on an idle machine
// is the benchmarks' figure (bench/bench_live_client.cpp), not a test's.
namespace specsim::testing {

inline constexpr double kLateWakeSeconds = 0.5;

}  // namespace specsim::testing
