// The HTTP client against an in-process `specsim serve` (same server code, own thread).
#include "models/live/http_client.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "models/live/prompt_protocol.hpp"
#include "sim/input_error.hpp"
#include "support/live_server.hpp"
#include "support/wall_slack.hpp"

namespace live = specsim::models::live;
using specsim::sim::Time;

namespace {

constexpr double kScale = 0.1;  // 0.5 s of the trace is 50 ms

live::ServeOptions scaled(const char* faults = "", double scale = kScale) {
  live::ServeOptions o;
  o.time_scale = scale;
  o.faults = live::parse_faults(faults);
  return o;
}

live::ChatRequest request(int step, bool stream, const std::string& model = "target") {
  live::PromptQuery q;
  q.task = "t1";
  if (step >= 1) q.steps.push_back("Image Deblurring");
  live::ChatRequest r;
  r.model = model;
  r.stream = stream;
  r.messages = {{"system", "plan"}, {"user", live::format_prompt(q)}};
  return r;
}

struct Outcome {
  std::optional<live::Completion> done;
  std::optional<live::Failure> failed;
  std::string deltas;
  std::optional<Time> first_token;
};

live::Callbacks record(Outcome& o) {
  return {[&o](Time t) { o.first_token = t; }, [&o](std::string_view d) { o.deltas += d; },
          [&o](const live::Completion& c) { o.done = c; }, [&o](const live::Failure& f) { o.failed = f; }};
}

struct Harness {
  specsim::sim::WallClock clock;
  live::HttpClient client;
  int endpoint;
  Harness(const std::string& url, live::ClientOptions o = {}, live::EndpointConfig ep = {})
      : client(clock, o), endpoint(0) {
    clock.set_io(&client);
    ep.base_url = url;
    endpoint = client.add_endpoint(ep);
  }
  // Bounded: a test never waits more than 10 s.
  void run_until(const std::function<bool()>& done) {
    const Time limit = clock.now() + Time::from_seconds(10);
    clock.run_until([&] { return done() || clock.now() > limit; });
    REQUIRE(clock.now() <= limit);
  }
};

}  // namespace

using specsim::testing::kLateWakeSeconds;

TEST_CASE("client: a streamed call gives text, usage and timings of the served world") {
  // At twice the trace's time (served for 1 s), so a first token stamped at the stream's end
  // would be later than any load makes one stamped when it came.
  specsim::testing::LiveServer server(specsim::testing::small_trace(), scaled("", 2.0));
  Harness h(server.base_url());
  Outcome o;
  h.client.start(h.endpoint, request(0, true), record(o));
  h.run_until([&] { return o.done || o.failed; });
  REQUIRE(o.done);
  CHECK(o.done->result.content == "Image Deblurring");
  CHECK(o.deltas == "Image Deblurring");
  REQUIRE(o.done->result.usage);
  CHECK(*o.done->result.usage == live::Usage{100, 10});
  CHECK(o.done->result.finish_reason == "stop");
  REQUIRE(o.done->attempts.size() == 1);
  CHECK(o.done->attempts[0].status == 200);
  const auto& t = o.done->timings;
  REQUIRE(o.first_token);
  CHECK(*o.first_token == t.first_token);
  const double total_ms = (t.ended - t.started).seconds() * 1e3;
  std::cout << "streamed call: served 1000.000 ms, measured " << total_ms << " ms, first token after "
            << (t.first_token - t.started).seconds() * 1e3 << " ms\n";
  CHECK(total_ms >= 1000);
  CHECK(total_ms < 1000 + kLateWakeSeconds * 1e3);
  CHECK((t.first_token - t.started).seconds() < kLateWakeSeconds);  // a trace's first token comes at once
}

TEST_CASE("client: a call's end is when its bytes arrived, not when the client came to read them") {
  specsim::testing::LiveServer server(specsim::testing::small_trace(), scaled());
  Harness h(server.base_url());
  Outcome warm;  // opens the connection the measured call reuses, so its request goes out at once
  h.client.start(h.endpoint, request(0, true), record(warm));
  h.run_until([&] { return warm.done || warm.failed; });
  REQUIRE(warm.done);
  const Time limit = h.clock.now() + Time::from_seconds(10);
  Outcome o;
  h.client.start(h.endpoint, request(0, true), record(o));
  while (server.stats().requests < 2) {  // sends the request, without waiting
    h.client.poll(Time::zero());
    REQUIRE(h.clock.now() < limit);
  }
  // The client does not look at its sockets while the server writes the whole 50 ms answer.
  while (server.stats().answered < 2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(h.clock.now() < limit);
  }
  const Time resumed = h.clock.now();
  h.run_until([&] { return o.done || o.failed; });
  REQUIRE(o.done);
  CHECK(o.done->timings.ended < resumed);
  CHECK(o.done->timings.first_token <= o.done->timings.ended);
}

TEST_CASE("client: a non-streamed call") {
  specsim::testing::LiveServer server(specsim::testing::small_trace(), scaled());
  Harness h(server.base_url());
  Outcome o;
  h.client.start(h.endpoint, request(0, false, "approx"), record(o));
  h.run_until([&] { return o.done || o.failed; });
  REQUIRE(o.done);
  CHECK(o.done->result.content == "Image Deblurring");
  CHECK(*o.done->result.usage == live::Usage{50, 5});
  CHECK(o.deltas.empty());
  const double ms = (o.done->timings.ended - o.done->timings.started).seconds() * 1e3;
  CHECK(ms >= 20);
  CHECK(ms < 20 + kLateWakeSeconds * 1e3);
}

// "At once" is checked by order, not by a wall-time bound: after the cancel the client is not
// polled again until the server has seen the close, so only the cancel itself can have closed
// the connection. The answer runs in real time (4 s, a chunk every 200 ms), so the server,
// however late it runs, notices the close long before it would have sent its last chunk.
TEST_CASE("client: cancel closes the transfer at once, the server sees the close before the client's next poll") {
  std::mutex m;
  std::optional<live::Disconnect> seen;
  specsim::testing::LiveServer server(specsim::testing::small_trace(), scaled("", 1.0), [&](const live::Disconnect& d) {
    std::lock_guard lock(m);
    seen = d;
  });
  Harness h(server.base_url());
  Outcome o;
  const auto call = h.client.start(h.endpoint, request(1, true), record(o));  // 4 s, 20 chunks
  h.run_until([&] { return o.deltas.size() >= 6; });
  const auto cancelled_at = std::chrono::steady_clock::now();
  const live::Cancelled c = h.client.cancel(call);
  for (int i = 0; i < 5000; ++i) {  // 5 s at most, the client left alone
    if (std::lock_guard lock(m); seen) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  {
    std::lock_guard lock(m);
    REQUIRE(seen);
    std::cout << "cancellation: the server saw the connection closed "
              << std::chrono::duration<double, std::milli>(seen->seen - cancelled_at).count() << " ms after the cancel ("
              << seen->chunks_sent << " of " << seen->chunks_planned << " chunks sent)\n";
    CHECK(seen->chunks_sent < seen->chunks_planned);
  }
  CHECK(c.found);
  CHECK(c.streamed_text == o.deltas);
  CHECK(c.streamed_chunks >= 2);
  REQUIRE(c.attempts.size() == 1);
  CHECK(c.attempts[0].error == "cancelled");
  CHECK_FALSE(h.client.busy());
  CHECK_FALSE(h.client.cancel(call).found);  // idempotent
  // No callback after the cancel, though the server had more to send.
  const std::size_t chunks = o.deltas.size();
  bool waited = false;
  struct Timer final : specsim::sim::EventHandler {
    bool* flag;
    void on_event(std::uint64_t) override { *flag = true; }
  } timer;
  timer.flag = &waited;
  h.clock.schedule(h.clock.now() + Time::from_seconds(0.1), &timer, 0);
  h.run_until([&] { return waited; });
  CHECK(o.deltas.size() == chunks);
  CHECK_FALSE(o.done);
  CHECK_FALSE(o.failed);
  CHECK(server.stats().disconnects == 1);
}

TEST_CASE("client: 429 and 500 are retried, honouring Retry-After, every attempt is counted") {
  live::ServeOptions so = scaled("429:0.3,500:0.3");
  so.retry_after_s = 0.2;  // 20 ms at this scale
  so.seed = 7;
  specsim::testing::LiveServer server(specsim::testing::small_trace(), so);
  live::ClientOptions co;
  co.retry.max_attempts = 12;
  co.retry.base = Time::from_seconds(0.002);
  Harness h(server.base_url(), co);
  std::vector<Outcome> out(10);
  for (auto& o : out) h.client.start(h.endpoint, request(0, true, "approx"), record(o));
  h.run_until([&] { return !h.client.busy(); });
  std::size_t attempts = 0, s429 = 0, s500 = 0;
  for (const auto& o : out) {
    REQUIRE(o.done);
    CHECK(o.done->result.content == "Image Deblurring");
    const auto& a = o.done->attempts;
    attempts += a.size();
    for (std::size_t i = 0; i + 1 < a.size(); ++i) {
      REQUIRE((a[i].status == 429 || a[i].status == 500));
      (a[i].status == 429 ? s429 : s500)++;
      const double gap = (a[i + 1].started - a[i].ended).seconds();
      if (a[i].status == 429) CHECK(gap >= 0.020);  // Retry-After, not the 2 ms backoff
      CHECK(gap < 0.020 + kLateWakeSeconds);  // nor a whole second (Retry-After rounded up, a backoff grown)
    }
    CHECK(a.back().status == 200);
    CHECK(a.back().error.empty());
  }
  const auto st = server.stats();
  CHECK(attempts == st.requests);
  CHECK(s429 == st.too_many_requests);
  CHECK(s500 == st.server_errors);
  CHECK(s429 > 0);
  CHECK(s500 > 0);
}

TEST_CASE("client: a stall hits the first-token timeout, a dropped connection is retried") {
  SECTION("stall") {
    live::ServeOptions so = scaled("stall:1");
    specsim::testing::LiveServer server(specsim::testing::small_trace(), so);
    live::ClientOptions co;
    co.timeouts.first_token = Time::from_seconds(0.05);
    co.retry.max_attempts = 2;
    co.retry.base = Time::from_seconds(0.001);
    Harness h(server.base_url(), co);
    Outcome o;
    h.client.start(h.endpoint, request(0, true), record(o));
    h.run_until([&] { return o.done || o.failed; });
    REQUIRE(o.failed);
    CHECK(o.failed->error == "no first token within 0.050 s (after 2 attempts)");
    REQUIRE(o.failed->attempts.size() == 2);
    for (const auto& a : o.failed->attempts) {
      CHECK(a.status == 0);
      CHECK((a.ended - a.started).seconds() >= 0.050);
      CHECK((a.ended - a.started).seconds() < 0.050 + kLateWakeSeconds);
    }
    CHECK(server.stats().stalls == 2);
  }
  SECTION("drop") {
    live::ServeOptions so = scaled("drop:0.5");
    so.seed = 3;
    specsim::testing::LiveServer server(specsim::testing::small_trace(), so);
    live::ClientOptions co;
    co.retry.max_attempts = 12;
    co.retry.base = Time::from_seconds(0.001);
    Harness h(server.base_url(), co);
    std::vector<Outcome> out(8);
    for (auto& o : out) h.client.start(h.endpoint, request(0, true, "approx"), record(o));
    h.run_until([&] { return !h.client.busy(); });
    std::size_t attempts = 0, dropped = 0;
    for (const auto& o : out) {
      REQUIRE(o.done);
      attempts += o.done->attempts.size();
      for (std::size_t i = 0; i + 1 < o.done->attempts.size(); ++i) {
        CHECK(o.done->attempts[i].status == 0);
        CHECK(o.done->attempts[i].error == "Empty reply from server");
        ++dropped;
      }
    }
    CHECK(server.stats().drops == dropped);
    CHECK(dropped > 0);
    CHECK(attempts == server.stats().requests);
  }
}

TEST_CASE("client: a 4xx is not retried, the API key never appears in an error") {
  specsim::testing::LiveServer server(specsim::testing::small_trace(), scaled());
  ::setenv("SPECSIM_TEST_KEY", "sk-test-0123456789", 1);
  live::EndpointConfig ep;
  ep.api_key_env = "SPECSIM_TEST_KEY";
  Harness h(server.base_url(), {}, ep);
  Outcome o;
  h.client.start(h.endpoint, request(0, true, "sk-test-0123456789"), record(o));  // the server echoes the model
  h.run_until([&] { return o.done || o.failed; });
  REQUIRE(o.failed);
  CHECK(o.failed->error == "HTTP 400: unknown model '[redacted]' (served: target, approx)");
  CHECK(o.failed->attempts.size() == 1);

  live::HttpClient other(h.clock);
  live::EndpointConfig missing;
  missing.base_url = server.base_url();
  missing.api_key_env = "SPECSIM_TEST_KEY_UNSET";
  ::unsetenv("SPECSIM_TEST_KEY_UNSET");
  CHECK_THROWS_WITH(other.add_endpoint(missing), "<input>: api_key_env: environment variable SPECSIM_TEST_KEY_UNSET is not set");
  missing.api_key_env.clear();
  missing.base_url = "ftp://x";
  CHECK_THROWS_AS(other.add_endpoint(missing), specsim::sim::InputError);
}

TEST_CASE("client: at most max_in_flight calls of an endpoint run at once") {
  specsim::testing::LiveServer server(specsim::testing::small_trace(), scaled());
  live::EndpointConfig ep;
  ep.max_in_flight = 2;
  Harness h(server.base_url(), {}, ep);
  std::vector<Outcome> out(6);
  for (auto& o : out) h.client.start(h.endpoint, request(0, true, "approx"), record(o));  // 20 ms each
  std::size_t peak = 0;
  const Time t0 = h.clock.now();
  h.run_until([&] {
    peak = std::max(peak, h.client.running());
    return !h.client.busy();
  });
  const double total = (h.clock.now() - t0).seconds();
  CHECK(peak == 2);
  CHECK(total >= 0.060);  // three waves of 20 ms
  CHECK(total < 0.060 + kLateWakeSeconds);
  for (const auto& o : out) CHECK(o.done);
}

TEST_CASE("client: requests_per_minute and tokens_per_minute pace the starts, a burst and then the rate") {
  specsim::testing::LiveServer server(specsim::testing::small_trace(), scaled());
  // Starts relative to the first, in order; each call's from its timings.
  const auto starts = [](const std::vector<Outcome>& out) {
    std::vector<double> s;
    for (const auto& o : out) {
      REQUIRE(o.done);
      s.push_back(o.done->timings.started.seconds());
    }
    std::sort(s.begin(), s.end());
    for (auto& t : s) t -= s.front();
    return s;
  };
  SECTION("600 requests a minute: a second's 10 at once, then one each 100 ms") {
    live::EndpointConfig ep;
    ep.requests_per_minute = 600;
    Harness h(server.base_url(), {}, ep);
    std::vector<Outcome> out(13);
    for (auto& o : out) h.client.start(h.endpoint, request(0, true, "approx"), record(o));
    h.run_until([&] { return !h.client.busy(); });
    const auto s = starts(out);
    for (std::size_t k = 0; k < s.size(); ++k) {
      const double expected = k < 10 ? 0 : 0.1 * static_cast<double>(k - 9);
      INFO("call " << k << " started at " << s[k] << " s");
      CHECK(s[k] >= expected - 1e-9);
      CHECK(s[k] < expected + kLateWakeSeconds);
    }
    CHECK(s.back() >= 0.3 - 1e-9);
    // What the endpoint reports its limits held back: the last three waited 0.1, 0.2 and 0.3 s.
    const live::EndpointWaits w = h.client.waits(h.endpoint);
    CHECK(w.calls == 13);
    CHECK(w.waited.seconds() >= 0.6 - 1e-6);
    CHECK(w.waited.seconds() < 0.6 + 13 * kLateWakeSeconds);
  }
  SECTION("60000 tokens a minute: ten seconds' worth, each call its prompt's characters / 4 and its max_tokens") {
    live::EndpointConfig ep;
    ep.tokens_per_minute = 60000;  // 1000 a second, a bucket of 10000
    Harness h(server.base_url(), {}, ep);
    live::ChatRequest r = request(0, true, "approx");
    r.max_tokens = 2400;
    std::size_t chars = 0;
    for (const auto& m : r.messages) chars += m.content.size();
    const double estimate = std::ceil(static_cast<double>(chars) / 4) + 2400;
    std::vector<Outcome> out(5);
    for (auto& o : out) h.client.start(h.endpoint, r, record(o));
    h.run_until([&] { return !h.client.busy(); });
    const auto s = starts(out);
    for (std::size_t k = 0; k < s.size(); ++k) {
      // The k-th starts once the bucket, full at the first, has refilled what the k + 1 took.
      const double expected = std::max(0.0, (static_cast<double>(k + 1) * estimate - 10000) / 1000);
      INFO("call " << k << " started at " << s[k] << " s, expected " << expected << " s (estimate " << estimate << " tokens)");
      CHECK(s[k] >= expected - 1e-6);
      CHECK(s[k] < expected + kLateWakeSeconds);
    }
  }
  SECTION("a call waiting for tokens holds the later ones on its endpoint back: first come, first served, as the dry run") {
    live::EndpointConfig ep;
    ep.tokens_per_minute = 60000;  // 1000 a second, a bucket of one second's
    ep.tokens_burst = specsim::sim::Time::from_seconds(1);
    Harness h(server.base_url(), {}, ep);
    live::ChatRequest large = request(0, true, "approx"), small = large;
    large.max_tokens = 600;
    small.max_tokens = 1;
    std::size_t chars = 0;
    for (const auto& m : large.messages) chars += m.content.size();
    const double estimate = std::ceil(static_cast<double>(chars) / 4) + 600;
    // The first takes most of the bucket, the second waits for its refill; the third would fit
    // in what is left at once, but starts only after the second.
    std::vector<Outcome> out(3);
    h.client.start(h.endpoint, large, record(out[0]));
    h.client.start(h.endpoint, large, record(out[1]));
    h.client.start(h.endpoint, small, record(out[2]));
    h.run_until([&] { return !h.client.busy(); });
    for (const auto& o : out) REQUIRE(o.done);
    const double second = (out[1].done->timings.started - out[0].done->timings.started).seconds();
    const double third = (out[2].done->timings.started - out[0].done->timings.started).seconds();
    const double expected = (2 * estimate - 1000) / 1000;
    INFO("second started at " << second << " s (expected " << expected << " s), third at " << third << " s");
    CHECK(second >= expected - 1e-6);
    CHECK(second < expected + kLateWakeSeconds);
    CHECK(third >= second);
  }
}
