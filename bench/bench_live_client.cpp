// Live client figures against an in-process `specsim serve` (its own thread, 127.0.0.1), through
// one client whose connections are opened by a warm-up round before the measured calls (a live
// run reuses its connections the same way after its first calls):
//   BM_LiveCallOverhead   one call at a time, the server answering at once (20 chunks):
//                         wall_us_per_call (start to end), client_cpu_us and server_cpu_us (CPU
//                         time per call of the client's and the server's threads: what is ours)
//   BM_LiveStreams/N      N concurrent streams, each 20 chunks over 500 ms, through one client
//                         thread: drift_mean_ms / drift_p99_ms, the client's recorded times (first
//                         token, end) minus the times the server handed those bytes to the socket,
//                         on the same steady clock; lag_mean_ms / lag_p99_ms, how long after its
//                         recorded end a call's completion callback ran (the planner hears of it
//                         then); and the parts of a call's measured latency
//                         beyond the served 500 ms: request_ms (client start to the server reading
//                         the request), server_late_ms (the server's end write behind its
//                         schedule), latency_error_ms (all of it: measured minus served duration).
// The wall figures include the machine's load (both threads wait for a core); the CPU figures do
// not. ./build/bench/specsim_bench --benchmark_filter=Live
#include <benchmark/benchmark.h>

#include <pthread.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>

#include "models/live/http_client.hpp"
#include "models/live/prompt_protocol.hpp"
#include "models/live/serve.hpp"
#include "models/trace/trace_reader.hpp"

namespace {

namespace live = specsim::models::live;
using specsim::sim::Time;
using steady = std::chrono::steady_clock;

constexpr int kMaxStreams = 256;

std::string task_id(int i) { return "t" + std::to_string(i); }

// kMaxStreams tasks, each one step that takes `latency_s` world seconds and streams 20 words.
std::string trace_text(double latency_s) {
  std::string out;
  for (int i = 0; i < kMaxStreams; ++i)
    out += R"({"task_id":")" + task_id(i) +
           R"(","task":"x","steps":[{"target":{"action":"a b c d e f g h i j k l m n o p q r s t","calls":[{"latency_s":)" +
           std::to_string(latency_s) + R"(,"input_tokens":100,"output_tokens":20}]}}]})" + "\n";
  return out;
}

double cpu_seconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}
double this_thread_cpu() { return cpu_seconds(CLOCK_THREAD_CPUTIME_ID); }
double ms(steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Served {
  live::Server server;
  std::thread thread;
  std::mutex mutex;
  std::map<std::string, live::Answered> answered;  // by task; guarded by `mutex`
  Served(double latency_s, double scale)
      : server(live::make_trace_world(specsim::models::trace::parse_trace(trace_text(latency_s), "bench.jsonl")), options(scale)) {
    server.on_answered([this](const live::Answered& a) {
      const std::lock_guard lock(mutex);
      answered[a.task] = a;
    });
    thread = std::thread([this] { server.run(); });
  }
  ~Served() {
    server.stop();
    thread.join();
  }
  static live::ServeOptions options(double scale) {
    live::ServeOptions o;
    o.time_scale = scale;
    return o;
  }
  std::string url() { return "http://127.0.0.1:" + std::to_string(server.port()) + "/v1"; }
  live::Answered take(const std::string& task) {
    const std::lock_guard lock(mutex);
    return answered.at(task);
  }
  double cpu() {
    clockid_t c{};
    pthread_getcpuclockid(thread.native_handle(), &c);
    return cpu_seconds(c);
  }
};

live::ChatRequest request(int task) {
  live::PromptQuery q;
  q.task = task_id(task);
  live::ChatRequest r;
  r.model = "target";
  r.messages = {{"user", live::format_prompt(q)}};
  return r;
}

// A call as the client measured it, on the steady clock, and when its completion was delivered.
struct Measured {
  steady::time_point started, first_token, ended, delivered;
};

struct Client {
  specsim::sim::WallClock clock;
  live::HttpClient http{clock};
  int endpoint = 0;
  explicit Client(const std::string& url) {
    clock.set_io(&http);
    live::EndpointConfig ep;
    ep.base_url = url;
    endpoint = http.add_endpoint(ep);
  }
  steady::time_point at(Time t) const { return clock.origin() + std::chrono::nanoseconds(t.ns()); }

  // `n` concurrent calls, on tasks 0..n-1.
  std::vector<Measured> run(int n) {
    std::vector<Measured> out(static_cast<std::size_t>(n));
    int failed = 0;
    for (int i = 0; i < n; ++i)
      http.start(endpoint, request(i),
                 {nullptr, nullptr,
                  [&, i](const live::Completion& c) {
                    out[static_cast<std::size_t>(i)] = {at(c.timings.requested), at(c.timings.first_token), at(c.timings.ended), steady::now()};
                  },
                  [&](const live::Failure&) { ++failed; }});
    clock.run_until([&] { return !http.busy(); });
    if (failed > 0) throw std::runtime_error("calls failed");
    return out;
  }
};

// CPU microseconds per call of the client's and the server's threads over a benchmark's loop.
struct CpuPerCall {
  Served& served;
  double client0 = this_thread_cpu(), server0 = served.cpu();
  void report(benchmark::State& state, double calls) {
    state.counters["client_cpu_us"] = (this_thread_cpu() - client0) / calls * 1e6;
    state.counters["server_cpu_us"] = (served.cpu() - server0) / calls * 1e6;
  }
};

struct Figures {
  std::vector<double> values;
  void add(double v) { values.push_back(v); }
  double mean() const {
    double s = 0;
    for (double v : values) s += v;
    return s / static_cast<double>(values.size());
  }
  double p99() {
    std::sort(values.begin(), values.end());
    return values[values.size() * 99 / 100];
  }
};

void BM_LiveCallOverhead(benchmark::State& state) {
  Served s(0, 1);  // the server answers at once: all that is left is overhead
  Client client(s.url());
  client.run(1);  // the connection
  Figures wall;
  CpuPerCall cpu{s};
  for (auto _ : state) {
    const Measured m = client.run(1).front();
    wall.add(std::chrono::duration<double, std::micro>(m.ended - m.started).count());
  }
  cpu.report(state, static_cast<double>(state.iterations()));
  state.counters["wall_us_per_call"] = wall.mean();
  state.counters["wall_us_p99"] = wall.p99();
}
BENCHMARK(BM_LiveCallOverhead)->Unit(benchmark::kMicrosecond);

void BM_LiveStreams(benchmark::State& state) {
  const double served_s = 0.5;
  const int n = static_cast<int>(state.range(0));
  Served s(served_s, 1);
  Client client(s.url());
  client.run(n);  // opens the n connections the measured rounds reuse
  Figures drift, lag, request_ms, late, error;
  CpuPerCall cpu{s};
  for (auto _ : state) {
    const auto calls = client.run(n);
    for (int i = 0; i < n; ++i) {
      const Measured& m = calls[static_cast<std::size_t>(i)];
      const live::Answered a = s.take(task_id(i));
      drift.add(ms(m.first_token - a.first_content_sent));
      drift.add(ms(m.ended - a.last_sent));
      lag.add(ms(m.delivered - m.ended));
      request_ms.add(ms(a.received - m.started));
      late.add(ms(a.last_sent - a.received) - served_s * 1e3);
      error.add(ms(m.ended - m.started) - served_s * 1e3);
    }
  }
  cpu.report(state, static_cast<double>(n) * static_cast<double>(state.iterations()));
  state.counters["drift_mean_ms"] = drift.mean();
  state.counters["drift_p99_ms"] = drift.p99();
  state.counters["lag_mean_ms"] = lag.mean();
  state.counters["lag_p99_ms"] = lag.p99();
  state.counters["request_ms"] = request_ms.mean();
  state.counters["server_late_ms"] = late.mean();
  state.counters["latency_error_ms"] = error.mean();
  state.counters["latency_error_p99_ms"] = error.p99();
}
BENCHMARK(BM_LiveStreams)->Arg(1)->Arg(4)->Arg(16)->Arg(64)->Arg(kMaxStreams)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
