// A self-hosted endpoint under load (models/served_endpoint.hpp): closed-form end times for
// calls that share it, cancellation, and the errors of bad serving profiles.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <functional>
#include <map>
#include <tuple>

#include "models/latency.hpp"
#include "models/served_endpoint.hpp"
#include "sim/clock.hpp"
#include "support/input_error.hpp"

using namespace specsim;
using sim::Time;

namespace {

models::ServingProfile profile(std::initializer_list<models::ProfileRow> rows) { return {rows}; }

// Records when each request ended, and when its first token came.
struct Ends final : models::ServedEndpoint::Client {
  void served(std::uint64_t tag, Time first_token) override { at[tag] = {first_token, now()}; }
  std::function<Time()> now;
  std::map<std::uint64_t, std::pair<Time, Time>> at;
};

// Starts a request at `when` on the clock.
struct StartAt final : sim::EventHandler {
  StartAt(models::ServedEndpoint& endpoint, Ends& to, std::int32_t input, std::int32_t output)
      : e(endpoint), ends(to), in(input), out(output) {}
  void on_event(std::uint64_t tag) override { id = e.start(ends, tag, in, out); }
  models::ServedEndpoint& e;
  Ends& ends;
  std::int32_t in, out;
  std::uint64_t id = 0;
};

struct CancelAt final : sim::EventHandler {
  CancelAt(models::ServedEndpoint& endpoint, const StartAt& of) : e(endpoint), start(of) {}
  void on_event(std::uint64_t) override { written = e.cancel(start.id); }
  models::ServedEndpoint& e;
  const StartAt& start;
  std::int32_t written = -1;
};

// Runs until `n` requests have ended.
void run(sim::SimClock& clock, const Ends& ends, std::size_t n) {
  clock.run_until([&] { return ends.at.size() >= n; });
}

}  // namespace

TEST_CASE("a call alone on the endpoint takes the profile's time at concurrency 1", "[served]") {
  sim::SimClock clock;
  const auto p = profile({{1, 3000, 70}, {8, 1000, 20}});
  models::ServedEndpoint endpoint(p, clock);
  Ends ends;
  ends.now = [&] { return clock.now(); };
  endpoint.start(ends, 7, 1200, 90);
  run(clock, ends, 1);
  const Time ttft = Time::from_seconds(1200 / 3000.0);
  REQUIRE(ends.at.count(7) == 1);
  CHECK(ends.at[7].first == ttft);
  CHECK(ends.at[7].second == ttft + Time::from_seconds(90 / 70.0));
  // ... which is what the latency model says of a call alone.
  models::LatencyModel m;
  m.kind = models::LatencyModel::Kind::served;
  m.profile = p;
  CHECK(m.timing(1200, 90, 0).total == ends.at[7].second);
  CHECK(m.timing(1200, 90, 0).first_token == ttft);
  CHECK(endpoint.in_flight() == 0);
}

TEST_CASE("two identical calls started together share the endpoint and finish together", "[served]") {
  for (const auto& [p, ttft_s, decode_s] :
       {std::tuple{profile({{1, 1000, 100}, {4, 1000, 100}}), 0.5, 0.8},   // flat: as if alone
        std::tuple{profile({{1, 1000, 100}, {3, 400, 40}}), 500 / 700.0, 80 / 70.0}}) {  // concurrency 2: halfway
    sim::SimClock clock;
    models::ServedEndpoint endpoint(p, clock);
    Ends ends;
    ends.now = [&] { return clock.now(); };
    endpoint.start(ends, 0, 500, 80);
    endpoint.start(ends, 1, 500, 80);
    CHECK(endpoint.in_flight() == 2);
    run(clock, ends, 2);
    const Time ttft = Time::from_seconds(ttft_s), end = ttft + Time::from_seconds(decode_s);
    CHECK(ends.at[0] == std::pair{ttft, end});
    CHECK(ends.at[1] == std::pair{ttft, end});
  }
}

TEST_CASE("a call that joins later slows the first one down (processor sharing)", "[served]") {
  // One row: past concurrency 1 each of n requests decodes at 100/n tokens/s. A writes 100 tokens
  // from 0 s, B joins at 0.5 s with 100: both at 50/s until A ends at 1.5 s, then B alone to 2 s.
  sim::SimClock clock;
  models::ServedEndpoint endpoint(profile({{1, 1000, 100}}), clock);
  Ends ends;
  ends.now = [&] { return clock.now(); };
  StartAt a(endpoint, ends, 0, 100), b(endpoint, ends, 0, 100);
  clock.schedule(Time::zero(), &a, 0);
  clock.schedule(Time::from_seconds(0.5), &b, 1);
  run(clock, ends, 2);
  CHECK(ends.at[0] == std::pair{Time::zero(), Time::from_seconds(1.5)});
  CHECK(ends.at[1].first == Time::from_seconds(0.5));
  CHECK(std::llabs(ends.at[1].second.ns() - Time::from_seconds(2.0).ns()) <= 1);
}

TEST_CASE("a cancelled call reports what it wrote and frees the endpoint for the others", "[served]") {
  sim::SimClock clock;
  models::ServedEndpoint endpoint(profile({{1, 1000, 100}}), clock);
  Ends ends;
  ends.now = [&] { return clock.now(); };
  StartAt a(endpoint, ends, 0, 100), b(endpoint, ends, 0, 100);
  CancelAt cancel_a(endpoint, a);
  clock.schedule(Time::zero(), &a, 0);
  clock.schedule(Time::zero(), &b, 1);
  clock.schedule(Time::from_seconds(1.0), &cancel_a, 0);  // both at 50/s: 50 tokens each by then
  run(clock, ends, 1);
  CHECK(cancel_a.written == 50);
  CHECK(ends.at.count(0) == 0);
  CHECK(std::llabs(ends.at[1].second.ns() - Time::from_seconds(1.5).ns()) <= 1);  // its last 50 alone
}

TEST_CASE("profiles interpolate between rows and saturate past the last", "[served]") {
  const auto p = profile({{1, 1000, 100}, {5, 600, 60}});
  CHECK(p.at(1).decode_tps == 100);
  CHECK(p.at(3).decode_tps == Approx(80));
  CHECK(p.at(3).prefill_tps == Approx(800));
  CHECK(p.at(10).decode_tps == Approx(30));  // the endpoint's 300 tokens/s shared by 10
}

TEST_CASE("bad serving profiles name file, line and field", "[served]") {
  const auto error = [](const std::string& profile) {
    return testing::input_error_of([&] {
      models::decode_latency(sim::ConfigNode::load_string("latency: {kind: served, profile: " + profile + "}", "s.yaml").at("latency"), {});
    });
  };
  CHECK(error("[]") == "s.yaml:1:34: latency.profile: must be a list of {concurrency, prefill_tps, decode_tps}, concurrency 1 first");
  CHECK(error("[{concurrency: 2, prefill_tps: 1, decode_tps: 1}]") ==
        "s.yaml:1:49: latency.profile[0].concurrency: the first row must be concurrency 1");
  CHECK(error("[{concurrency: 1, prefill_tps: 1, decode_tps: 1}, {concurrency: 1, prefill_tps: 1, decode_tps: 1}]") ==
        "s.yaml:1:98: latency.profile[1].concurrency: must be above the previous row's (1)");
  CHECK(error("[{concurrency: 1, prefill_tps: 0, decode_tps: 1}]") ==
        "s.yaml:1:65: latency.profile[0].prefill_tps: must be a positive number of tokens per second");
  CHECK(error("[{concurrency: 1, prefill_tps: 1, decode: 1}]") ==
        "s.yaml:1:68: latency.profile[0].decode: unknown key (expected one of: concurrency, prefill_tps, decode_tps)");
}
