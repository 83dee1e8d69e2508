#include "sim/wall_clock.hpp"

#include <catch2/catch.hpp>

#include <vector>

namespace {

using specsim::sim::Time;

struct Recorder final : specsim::sim::EventHandler {
  specsim::sim::WallClock* clock = nullptr;
  std::vector<std::uint64_t> order;
  std::vector<Time> at;
  void on_event(std::uint64_t arg) override {
    order.push_back(arg);
    at.push_back(clock->now());
  }
};

// An I/O source that "completes" after a number of polls, recording the waits it was offered.
struct FakeIo final : specsim::sim::IoSource {
  int polls_left = 3;
  std::vector<Time> waits;
  void poll(Time max_wait) override {
    waits.push_back(max_wait);
    --polls_left;
  }
  bool busy() const override { return polls_left > 0; }
};

}  // namespace

TEST_CASE("wall clock: timers run in time order, not before their instant") {
  specsim::sim::WallClock clock;
  Recorder r;
  r.clock = &clock;
  const Time t0 = clock.now();
  clock.schedule(t0 + Time::from_seconds(0.020), &r, 2);
  clock.schedule(t0 + Time::from_seconds(0.010), &r, 1);
  clock.schedule(t0 + Time::from_seconds(0.010), &r, 11);  // same instant: insertion order
  const auto gone = clock.schedule(t0 + Time::from_seconds(0.015), &r, 99);
  clock.cancel(gone);
  clock.cancel(gone);  // idempotent
  clock.run_until([&] { return r.order.size() == 3; });
  REQUIRE(r.order == std::vector<std::uint64_t>{1, 11, 2});
  CHECK(r.at[0] >= t0 + Time::from_seconds(0.010));
  CHECK(r.at[2] >= t0 + Time::from_seconds(0.020));
}

// Not held back by a wait of its own: every wait offered ends by the next pending timer's instant
// (a clock that waited a timer's whole delay again from the time it polled would run it late).
// The clock reads the time after the previous poll returned, so that return bounds it. How late
// a timer runs on an idle machine is the live benchmark's figure, not a test's.
TEST_CASE("wall clock: each wait between timers ends by the next timer's instant") {
  specsim::sim::WallClock clock;
  Recorder r;
  r.clock = &clock;
  struct WaitLog final : specsim::sim::IoSource {
    specsim::sim::WallClock* clock = nullptr;
    const Recorder* r = nullptr;
    Time t0, last_return;
    std::size_t polls = 0, late = 0;
    void poll(Time max_wait) override {
      const Time next = t0 + Time::from_seconds(r->order.empty() ? 0.010 : 0.020);
      ++polls;
      if (last_return + max_wait > next) ++late;
      last_return = clock->now();
    }
    bool busy() const override { return r->order.size() < 2; }
  } io;
  io.clock = &clock;
  io.r = &r;
  clock.set_io(&io);
  io.t0 = io.last_return = clock.now();
  clock.schedule(io.t0 + Time::from_seconds(0.010), &r, 1);
  clock.schedule(io.t0 + Time::from_seconds(0.020), &r, 2);
  clock.run_until([&] { return r.order.size() == 2; });
  REQUIRE(r.order == std::vector<std::uint64_t>{1, 2});
  CHECK(io.polls > 0);
  CHECK(io.late == 0);
}

TEST_CASE("wall clock: an instant in the past runs at once") {
  specsim::sim::WallClock clock;
  Recorder r;
  r.clock = &clock;
  clock.schedule(Time::zero(), &r, 7);
  clock.run_until([&] { return !r.order.empty(); });
  CHECK(r.order == std::vector<std::uint64_t>{7});
}

TEST_CASE("wall clock: the I/O source is polled with the time left to the next timer") {
  specsim::sim::WallClock clock;
  FakeIo io;
  clock.set_io(&io);
  Recorder r;
  r.clock = &clock;
  clock.schedule(clock.now() + Time::from_seconds(10), &r, 1);
  clock.run_until([&] { return !io.busy(); });
  REQUIRE(io.waits.size() == 3);
  CHECK(io.waits[0] <= Time::from_seconds(10));
  CHECK(io.waits[0] > Time::from_seconds(9));
  CHECK(r.order.empty());
}

TEST_CASE("wall clock: with no timer, the I/O source may wait as long as it likes") {
  specsim::sim::WallClock clock;
  FakeIo io;
  io.polls_left = 1;
  clock.set_io(&io);
  bool finished = false;
  clock.run_until([&] { return finished = !io.busy(); });
  CHECK(finished);
  REQUIRE(io.waits.size() == 1);
  CHECK(io.waits[0] == Time::max());
}

TEST_CASE("wall clock: waiting for nothing is reported, not a hang") {
  specsim::sim::WallClock clock;
  CHECK_THROWS_AS(clock.run_until([] { return false; }), std::logic_error);
  FakeIo io;
  io.polls_left = 0;
  clock.set_io(&io);
  CHECK_THROWS_AS(clock.run_until([] { return false; }), std::logic_error);
}
