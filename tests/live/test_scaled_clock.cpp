// `specsim serve`'s world clock: events run on the io_context at their scaled wall times, in
// order, and a handler that runs late is told when it was due (serve's lateness figures).
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "models/live/scaled_clock.hpp"

using specsim::sim::Time;

namespace {

Time ms(std::int64_t n) { return Time::from_ns(n * 1000000); }

struct Seen {
  std::uint64_t arg;
  Time due, now;
};

struct Recorder : specsim::sim::EventHandler {
  explicit Recorder(const specsim::models::live::ScaledClock& c) : clock(c) {}
  void on_event(std::uint64_t arg) override { seen.push_back({arg, clock.dispatching(), clock.now()}); }
  const specsim::models::live::ScaledClock& clock;
  std::vector<Seen> seen;
};

}  // namespace

TEST_CASE("a ScaledClock runs its events in order at their scaled times, and a late one knows when it was due", "[live][clock]") {
  boost::asio::io_context io;
  specsim::models::live::ScaledClock clock(io, 0.5);  // a world second is half a wall second
  Recorder r(clock);
  clock.schedule(ms(20), &r, 2);
  clock.schedule(ms(10), &r, 1);
  // Wall 5 and 10 ms from the clock's start: both are long due when the loop starts.
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  io.run();
  REQUIRE(r.seen.size() == 2);
  CHECK(r.seen[0].arg == 1);
  CHECK(r.seen[0].due == ms(10));
  CHECK(r.seen[1].arg == 2);
  CHECK(r.seen[1].due == ms(20));
  CHECK(r.seen[0].now >= ms(80));  // 40 wall ms at 0.5: the handler ran late
  CHECK(clock.wall(ms(10)) - clock.wall(Time::zero()) == std::chrono::milliseconds(5));

  // On time: not dispatched before its wall time, and then told its own time.
  const Time at = clock.now() + ms(30);
  clock.schedule(at, &r, 3);
  io.restart();
  io.run();
  REQUIRE(r.seen.size() == 3);
  CHECK(r.seen[2].due == at);
  CHECK(r.seen[2].now >= at);
}
