#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <vector>

#include "sim/clock.hpp"
#include "sim/event_queue.hpp"

using specsim::sim::Event;
using specsim::sim::EventHandler;
using specsim::sim::EventId;
using specsim::sim::EventQueue;
using specsim::sim::Time;

namespace {

struct Recorder : EventHandler {
  std::vector<std::uint64_t> seen;
  void on_event(std::uint64_t arg) override { seen.push_back(arg); }
};

// A second, obviously correct queue: an ordered map keyed by (time, insertion number).
struct ReferenceQueue {
  std::map<std::pair<std::int64_t, std::uint64_t>, std::uint64_t> events;
  std::uint64_t n = 0;
  std::uint64_t schedule(std::int64_t t, std::uint64_t arg) {
    events[{t, ++n}] = arg;
    return n;
  }
  void cancel(std::uint64_t seq) {
    for (auto it = events.begin(); it != events.end(); ++it)
      if (it->first.second == seq) {
        events.erase(it);
        return;
      }
  }
};

}  // namespace

TEST_CASE("events at the same instant run in insertion order", "[event_queue]") {
  EventQueue q;
  Recorder r;
  for (std::uint64_t i = 0; i < 100; ++i) q.schedule(Time::from_ns(5), &r, i);
  q.schedule(Time::from_ns(1), &r, 1000);
  Event e;
  std::vector<std::uint64_t> order;
  while (q.pop(e)) order.push_back(e.arg);
  REQUIRE(order.size() == 101);
  CHECK(order[0] == 1000);
  for (std::uint64_t i = 0; i < 100; ++i) CHECK(order[i + 1] == i);
}

TEST_CASE("cancelled events are skipped and do not count as pending", "[event_queue]") {
  EventQueue q;
  Recorder r;
  const EventId a = q.schedule(Time::from_ns(10), &r, 1);
  q.schedule(Time::from_ns(20), &r, 2);
  const EventId c = q.schedule(Time::from_ns(30), &r, 3);
  q.cancel(a);
  q.cancel(c);
  CHECK(q.pending() == 1);
  Event e;
  REQUIRE(q.pop(e));
  CHECK(e.arg == 2);
  CHECK_FALSE(q.pop(e));
  CHECK(q.empty());
}

TEST_CASE("cancel is idempotent: after the event ran, or twice, it changes nothing", "[event_queue]") {
  EventQueue q;
  Recorder r;
  const EventId a = q.schedule(Time::from_ns(10), &r, 1);
  const EventId b = q.schedule(Time::from_ns(20), &r, 2);
  Event e;
  REQUIRE(q.pop(e));
  CHECK(e.arg == 1);
  q.cancel(a);  // already ran
  CHECK(q.pending() == 1);
  q.cancel(b);
  q.cancel(b);  // already cancelled
  q.cancel(EventId{});
  CHECK(q.pending() == 0);
  CHECK(q.next_time() == Time::max());
  const EventId c = q.schedule(Time::from_ns(5), &r, 3);
  CHECK(q.next_time() == Time::from_ns(5));
  CHECK(q.pending() == 1);
  REQUIRE(q.pop(e));
  CHECK(e.seq == c.seq);
  CHECK_FALSE(q.pop(e));
}

TEST_CASE("the heap agrees with a reference queue on random schedules and cancels", "[event_queue]") {
  std::mt19937_64 gen(7);
  EventQueue q;
  ReferenceQueue ref;
  Recorder r;
  std::vector<std::pair<EventId, std::uint64_t>> live;
  std::vector<std::uint64_t> got, want;
  for (int round = 0; round < 20000; ++round) {
    const auto action = gen() % 10;
    if (action < 6) {
      const auto t = static_cast<std::int64_t>(gen() % 50);  // many ties
      const auto arg = static_cast<std::uint64_t>(round);
      live.push_back({q.schedule(Time::from_ns(t), &r, arg), ref.schedule(t, arg)});
    } else if (action < 8 && !live.empty()) {
      const std::size_t i = gen() % live.size();
      q.cancel(live[i].first);
      ref.cancel(live[i].second);
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (!ref.events.empty()) {
      Event e;
      REQUIRE(q.pop(e));
      got.push_back(e.arg);
      want.push_back(ref.events.begin()->second);
      const std::uint64_t seq = ref.events.begin()->first.second;
      ref.events.erase(ref.events.begin());
      for (std::size_t i = 0; i < live.size(); ++i)
        if (live[i].second == seq) {
          live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
    }
  }
  CHECK(got == want);
  CHECK(q.pending() == ref.events.size());
}

// Few pending events (a round's calls) stay in the small sorted list; more spill into the heap.
// Both regimes, and the crossing between them, agree with the reference.
TEST_CASE("the small list and the heap beyond it agree with a reference queue", "[event_queue]") {
  constexpr std::size_t small = EventQueue::kSmall;
  for (const std::size_t depth : {std::size_t{2}, small - 1, small + 3, std::size_t{200}}) {
    std::mt19937_64 gen(depth);
    EventQueue q;
    ReferenceQueue ref;
    Recorder r;
    std::vector<std::pair<EventId, std::uint64_t>> live;
    std::vector<std::uint64_t> got, want;
    std::int64_t now = 0;
    for (int step = 0; step < 5000; ++step) {
      while (live.size() < depth) {  // keep about `depth` events pending, scheduled from now on
        const auto t = now + static_cast<std::int64_t>(gen() % 8);
        const auto arg = static_cast<std::uint64_t>(step) * 1000 + live.size();
        live.push_back({q.schedule(Time::from_ns(t), &r, arg), ref.schedule(t, arg)});
      }
      if (gen() % 3 == 0) {
        const std::size_t i = gen() % live.size();
        q.cancel(live[i].first);
        q.cancel(live[i].first);  // twice: a no-op
        ref.cancel(live[i].second);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      CHECK(q.next_time().ns() == ref.events.begin()->first.first);
      Event e;
      REQUIRE(q.pop(e));
      now = e.at.ns();
      got.push_back(e.arg);
      want.push_back(ref.events.begin()->second);
      const std::uint64_t seq = ref.events.begin()->first.second;
      ref.events.erase(ref.events.begin());
      std::erase_if(live, [&](const auto& l) { return l.second == seq; });
      CHECK(q.pending() == ref.events.size());
    }
    CHECK(got == want);
  }
}

TEST_CASE("the simulated clock advances to each event and refuses to stall", "[clock]") {
  specsim::sim::SimClock clock;
  struct Stopper : EventHandler {
    specsim::sim::SimClock* clock;
    bool done = false;
    std::vector<std::int64_t> times;
    void on_event(std::uint64_t arg) override {
      times.push_back(clock->now().ns());
      if (arg == 1) done = true;
    }
  } h;
  h.clock = &clock;
  clock.schedule(Time::from_ns(3), &h, 0);
  clock.schedule(Time::from_ns(9), &h, 1);
  clock.schedule(Time::from_ns(12), &h, 0);
  clock.run_until([&] { return h.done; });
  CHECK(h.times == std::vector<std::int64_t>{3, 9});
  CHECK(clock.now().ns() == 9);
  bool never = false;
  clock.run_until([&] { return h.done; });  // already done: returns at once
  // One event left (t = 12): after it, nothing can set `never`, so the clock reports a stall.
  CHECK_THROWS_WITH(clock.run_until([&] { return never; }), Catch::Contains("stalled"));
}

TEST_CASE("time converts from seconds by rounding to the nanosecond", "[time]") {
  CHECK(Time::from_seconds(1.5).ns() == 1500000000);
  CHECK(Time::from_seconds(1e-10).ns() == 0);
  CHECK(Time::from_seconds(2.0000000006).ns() == 2000000001);
  CHECK_THROWS(Time::from_seconds(1e300));
  CHECK((Time::from_ns(5) + Time::from_ns(7)).ns() == 12);
}
