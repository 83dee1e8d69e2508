// The fleet's shared limits (models/shared_limits.hpp): token buckets to the nanosecond, the
// queue's order with priority, and rejection with backoff.
#include <catch2/catch.hpp>

#include <vector>

#include "models/shared_limits.hpp"

using namespace specsim;
using sim::Time;

namespace {

// Records when each call was admitted; finishes none unless told.
class Recorder final : public models::SharedLimits::Client {
 public:
  explicit Recorder(sim::Clock& clock) : clock_(clock) {}
  void admitted(std::uint64_t tag, Time waited) override { log.push_back({tag, clock_.now(), waited}); }
  void rejected() override { ++rejections; }
  struct Entry {
    std::uint64_t tag;
    Time at, waited;
  };
  std::vector<Entry> log;
  int rejections = 0;

 private:
  sim::Clock& clock_;
};

models::LimitSpec spec() {
  models::LimitSpec l;
  l.name = "m";
  l.models = {"m"};
  return l;
}

void run_all(sim::SimClock& clock) {
  // A stop far ahead keeps the clock from stalling once every pending event ran.
  bool done = false;
  struct Stop final : sim::EventHandler {
    bool* done;
    void on_event(std::uint64_t) override { *done = true; }
  } stop;
  stop.done = &done;
  clock.schedule(Time::from_seconds(1e5), &stop, 0);
  clock.run_until_set(done);
}

}  // namespace

TEST_CASE("requests per minute: a full bucket, then one request each 60/rate seconds", "[limits]") {
  sim::SimClock clock;
  models::LimitSpec l = spec();
  l.requests_per_min = 2;  // burst of 2, then one every 30 s
  models::SharedLimits limits({l}, clock);
  Recorder client(clock);
  sim::RandomStream jitter(1, "jitter", 0);
  for (std::uint64_t i = 0; i < 4; ++i) limits.request(0, client, i, true, jitter);
  run_all(clock);
  REQUIRE(client.log.size() == 4);
  CHECK(client.log[0].at == Time::zero());
  CHECK(client.log[1].at == Time::zero());
  CHECK(client.log[2].at == Time::from_seconds(30));
  CHECK(client.log[3].at == Time::from_seconds(60));
  CHECK(client.log[3].waited == Time::from_seconds(60));
  CHECK(limits.usage(0).requests == 4);
  CHECK(limits.usage(0).wait_ns == Time::from_seconds(90).ns());
}

TEST_CASE("tokens per minute: a bucket in debt admits nothing until it refills", "[limits]") {
  sim::SimClock clock;
  models::LimitSpec l = spec();
  l.tokens_per_min = 600;  // 10 tokens a second
  models::SharedLimits limits({l}, clock);
  Recorder client(clock);
  sim::RandomStream jitter(1, "jitter", 0);
  limits.request(0, client, 0, true, jitter);
  limits.release(0, 1200);  // 600 tokens of debt: 60 s to be back at 0, 1 ns more to be above it
  limits.request(0, client, 1, true, jitter);
  run_all(clock);
  REQUIRE(client.log.size() == 2);
  CHECK(client.log[1].at == Time::from_ns(60'000'000'001));
  CHECK(limits.usage(0).tokens == 1200);
}

TEST_CASE("with priority, committed-path calls overtake queued speculative ones", "[limits]") {
  for (const bool priority : {false, true}) {
    sim::SimClock clock;
    models::LimitSpec l = spec();
    l.max_in_flight = 1;
    l.priority = priority;
    models::SharedLimits limits({l}, clock);
    Recorder client(clock);
    sim::RandomStream jitter(1, "jitter", 0);
    limits.request(0, client, 0, true, jitter);   // admitted at once
    limits.request(0, client, 1, false, jitter);  // speculative, waits
    limits.request(0, client, 2, false, jitter);
    limits.request(0, client, 3, true, jitter);   // committed path, waits
    const std::vector<std::uint64_t> expected = priority ? std::vector<std::uint64_t>{0, 3, 1, 2} : std::vector<std::uint64_t>{0, 1, 2, 3};
    for (int i = 0; i < 3; ++i) limits.release(0, 0);
    REQUIRE(client.log.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) CHECK(client.log[i].tag == expected[i]);
  }
}

TEST_CASE("a withdrawn call leaves the queue without being admitted", "[limits]") {
  sim::SimClock clock;
  models::LimitSpec l = spec();
  l.max_in_flight = 1;
  models::SharedLimits limits({l}, clock);
  Recorder client(clock);
  sim::RandomStream jitter(1, "jitter", 0);
  limits.request(0, client, 0, true, jitter);
  const auto second = limits.request(0, client, 1, true, jitter);
  limits.request(0, client, 2, true, jitter);
  limits.withdraw(second);
  limits.release(0, 0);
  REQUIRE(client.log.size() == 2);
  CHECK(client.log[1].tag == 2);
}

TEST_CASE("rejection: 429s, then retries after exponential backoff with jitter in [1/2, 1]", "[limits]") {
  sim::SimClock clock;
  models::LimitSpec l = spec();
  l.max_in_flight = 1;
  l.overload = models::Overload::reject;
  l.backoff_base = Time::from_seconds(1);
  l.backoff_cap = Time::from_seconds(4);
  models::SharedLimits limits({l}, clock);
  Recorder client(clock);
  sim::RandomStream jitter(1, "jitter", 0);
  limits.request(0, client, 0, true, jitter);
  limits.request(0, client, 1, true, jitter);  // rejected; retries at 1/2..1 s, then 1..2 s, 2..4 s, 2..4 s ...
  struct Release final : sim::EventHandler {
    models::SharedLimits* limits;
    void on_event(std::uint64_t) override { limits->release(0, 0); }
  } release;
  release.limits = &limits;
  clock.schedule(Time::from_seconds(10), &release, 0);
  run_all(clock);
  REQUIRE(client.log.size() == 2);
  // Attempts up to 10 s: at most 1 + 2 + 4 + 4 s of backoff reach 11 s, at least 0.5 + 1 + 2 + 2 + 2 = 7.5 s.
  CHECK(client.rejections >= 4);
  CHECK(client.rejections <= 6);
  CHECK(client.log[1].at > Time::from_seconds(10));
  CHECK(client.log[1].at <= Time::from_seconds(14));
  CHECK(limits.usage(0).rejections == client.rejections);
}

TEST_CASE("a token bucket: full at the start, refilled to the nanosecond, capped at its burst", "[limits]") {
  // 60 a minute with a one-second burst: one unit, and one more each second.
  models::TokenBucket b(60, Time::from_seconds(1), Time::zero());
  CHECK(b.wait_for(1, Time::zero()) == Time::zero());
  b.take(1, Time::zero());
  CHECK(b.wait_for(1, Time::zero()) == Time::from_seconds(1));
  CHECK(b.wait_for(1, Time::from_ns(400'000'000)) == Time::from_ns(600'000'000));
  // Idle for a minute, it holds one unit, not sixty.
  b.take(1, Time::from_seconds(1));
  CHECK(b.wait_for(1, Time::from_seconds(61)) == Time::zero());
  b.take(1, Time::from_seconds(61));
  CHECK(b.wait_for(1, Time::from_seconds(61)) == Time::from_seconds(1));
  // A need larger than the bucket waits until it is full, and taking it goes into debt.
  models::TokenBucket t(600, Time::from_seconds(10), Time::zero());  // holds 100
  t.take(100, Time::zero());
  CHECK(t.wait_for(250, Time::zero()) == Time::from_seconds(10));
  t.take(250, Time::from_seconds(10));  // 150 in debt: 15.1 s until it holds one again
  CHECK(t.wait_for(1, Time::from_seconds(10)) == Time::from_ns(15'100'000'000));
  // No rate, no limit.
  models::TokenBucket none;
  none.take(1'000'000, Time::zero());
  CHECK(none.wait_for(1'000'000, Time::zero()) == Time::zero());
}

TEST_CASE("client pacing: a second of requests, and a call starts once the bucket holds its tokens", "[limits]") {
  sim::SimClock clock;
  models::LimitSpec l = spec();
  l.pacing = models::Pacing::client;
  l.requests_burst = Time::from_seconds(1);  // the live client's defaults
  l.tokens_burst = Time::from_seconds(10);
  l.requests_per_min = 120;  // a burst of 2, then one each half second
  l.tokens_per_min = 600;    // holds 100 tokens, 10 more each second
  models::SharedLimits limits({l}, clock);
  Recorder client(clock);
  sim::RandomStream jitter(1, "jitter", 0);
  limits.request(0, client, 0, true, jitter, 60);   // at 0: 40 left
  limits.request(0, client, 1, true, jitter, 60);   // needs 20 more: at 2 s
  limits.request(0, client, 2, true, jitter, 10);   // behind it: then 0 left, 1 s more
  limits.request(0, client, 3, true, jitter, 500);  // more than the bucket: once it is full, 10 s later
  run_all(clock);
  REQUIRE(client.log.size() == 4);
  CHECK(client.log[0].at == Time::zero());
  CHECK(client.log[1].at == Time::from_seconds(2));
  CHECK(client.log[2].at == Time::from_seconds(3));
  CHECK(client.log[3].at == Time::from_seconds(13));
  // The estimates are what it counts; what the calls used does not move a client's bucket.
  limits.release(0, 1'000'000);
  CHECK(limits.usage(0).tokens == 630);
}
