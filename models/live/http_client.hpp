#pragma once
// Chat completions over HTTP for live runs, on libcurl's multi socket interface: every transfer of
// every endpoint is driven by poll() (one epoll wait, then libcurl runs only the transfers whose
// sockets are ready), which the wall clock calls between its timers (sim::IoSource), so
// completions and the planner's timers are served by one thread, in time order, without locks.
// Connections are kept alive and reused by later calls to the same host.
//
// What it does for the caller: streaming (SSE, usage asked for), the time of the first content
// token and of the end (when the kernel received their bytes: socket_arrival.hpp), true
// cancellation (the transfer is closed at once and no callback follows), connect / first-token /
// total timeouts, retries on 429, 5xx, timeouts and dropped connections
// with exponential backoff and seeded jitter that honour Retry-After, every attempt recorded, and
// per-endpoint limits (calls in flight, requests and tokens per minute).
//
// Callbacks run from poll(), never from inside libcurl, so they may start and cancel calls.
// The API key is read from the environment variable the endpoint names, sent only in the
// Authorization header, and removed from every error text.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/live/openai.hpp"
#include "sim/clock.hpp"
#include "sim/input_error.hpp"
#include "sim/wall_clock.hpp"

namespace specsim::models::live {

struct EndpointConfig {
  std::string base_url;     // up to and including the version, e.g. "http://127.0.0.1:8080/v1"
  std::string api_key_env;  // the environment variable holding the key; empty: no key is sent
  std::optional<sim::InputError> key_unset;  // what to report if that variable is not set (where it is named)
  int max_in_flight = 0;    // attempts running at once; 0: no limit
  std::int64_t requests_per_minute = 0, tokens_per_minute = 0;  // 0: no limit
  // What the client's buckets hold, as the refill of this long (models/token_bucket.hpp): the
  // window a provider enforces its per-minute limits over.
  sim::Time requests_burst = sim::Time::from_ns(1'000'000'000), tokens_burst = sim::Time::from_ns(10'000'000'000);
  // Whose limits these are: the base URL's and key's, shared by every model called there (a
  // server's), or the model's there (`limits_scope: model`, as hosted providers enforce them),
  // so that agents calling other models on it keep limits of their own.
  bool limits_per_model = false;
};

struct Timeouts {
  sim::Time connect = sim::Time::from_seconds(10);
  sim::Time first_token = sim::Time::from_seconds(60);  // streamed calls: until the first event
  sim::Time total = sim::Time::from_seconds(600);       // one attempt, start to end
};

struct RetryPolicy {
  int max_attempts = 4;
  sim::Time base = sim::Time::from_seconds(0.5);  // delay before the 2nd attempt; doubles after
  sim::Time max = sim::Time::from_seconds(30);
  double jitter = 0.5;        // the delay is multiplied by 1 - jitter * u, u uniform in [0, 1)
  std::uint64_t seed = 1;     // u comes from stream (seed, "retry", call * 1024 + attempt)
};

struct ClientOptions {
  Timeouts timeouts;
  RetryPolicy retry;
};

// One HTTP attempt of a call. status 0: no HTTP answer (connect error, timeout, dropped).
struct Attempt {
  sim::Time started, ended;
  long status = 0;
  std::string error;  // empty for the attempt that succeeded
};

struct CallTimings {
  sim::Time requested;    // start() was called
  sim::Time started;      // the first attempt was sent (after any wait for limits)
  sim::Time first_token;  // first content delta of the successful attempt (streamed calls)
  sim::Time ended;
};

struct Completion {
  ChatResult result;
  std::vector<Attempt> attempts;
  CallTimings timings;
};

struct Failure {
  std::string error;
  std::vector<Attempt> attempts;
  CallTimings timings;
};

struct Callbacks {
  std::function<void(sim::Time)> on_first_token;      // once per call
  std::function<void(std::string_view)> on_delta;     // each content delta, as it arrives
  std::function<void(const Completion&)> on_complete;
  std::function<void(const Failure&)> on_failure;
};

using CallHandle = std::uint64_t;

// What a cancelled call had produced.
struct Cancelled {
  bool found = false;          // false: the call had already ended (or was never started)
  std::string streamed_text;   // content of the attempt that was running
  std::int64_t streamed_chunks = 0;
  std::optional<Usage> usage;  // as far as the server had reported it (specsim serve: the prompt's)
  std::vector<Attempt> attempts;
};

// What an endpoint's limits did to its calls, from the client's start: the calls sent and the
// time from each call's start() to its first attempt (waiting for a slot or the buckets).
struct EndpointWaits {
  std::int64_t calls = 0;
  sim::Time waited;
};

class HttpClient final : public sim::IoSource {
 public:
  explicit HttpClient(const sim::Clock& clock, ClientOptions options = {});
  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Throws sim::InputError naming the variable (never its value) if it is unset or empty.
  int add_endpoint(const EndpointConfig& config);
  CallHandle start(int endpoint, const ChatRequest& request, Callbacks callbacks);
  // Closes the transfer at once; no callback of the call runs afterwards. Idempotent.
  Cancelled cancel(CallHandle call);

  void poll(sim::Time max_wait) override;
  bool busy() const override;
  std::size_t running() const;  // attempts with an open transfer
  EndpointWaits waits(int endpoint) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace specsim::models::live
