// Live client figures against an in-process `specsim serve` (its own thread, 127.0.0.1):
//   BM_LiveCallOverhead   wall time of one streamed call beyond what the server paces (µs/call)
//   BM_LiveStreams/N      N concurrent streams through one client thread: drift of the measured
//                         call times from the served ones (drift_mean_ms, drift_p99_ms)
// Both also print the CPU time per call of the client's thread and of the server's thread
// (client_cpu_us, server_cpu_us): what is ours, apart from the machine's load, which only the
// wall figures include.
// ./build/bench/specsim_bench --benchmark_filter=Live
#include <benchmark/benchmark.h>

#include <pthread.h>

#include <algorithm>
#include <ctime>
#include <thread>

#include "models/live/http_client.hpp"
#include "models/live/prompt_protocol.hpp"
#include "models/live/serve.hpp"
#include "models/trace/trace_reader.hpp"

namespace {

namespace live = specsim::models::live;
using specsim::sim::Time;

// One task whose step takes `latency_s` world seconds and streams 20 words.
std::string trace_text(double latency_s) {
  return R"({"task_id":"t","task":"x","steps":[{"target":{"action":"a b c d e f g h i j k l m n o p q r s t","calls":[{"latency_s":)" +
         std::to_string(latency_s) + R"(,"input_tokens":100,"output_tokens":20}]}}]})" + "\n";
}

double cpu_seconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}
double this_thread_cpu() { return cpu_seconds(CLOCK_THREAD_CPUTIME_ID); }

struct Served {
  live::Server server;
  std::thread thread;
  Served(double latency_s, double scale)
      : server(live::make_trace_world(specsim::models::trace::parse_trace(trace_text(latency_s), "bench.jsonl")), options(scale)) {
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
  double cpu() {
    clockid_t c{};
    pthread_getcpuclockid(thread.native_handle(), &c);
    return cpu_seconds(c);
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

live::ChatRequest request() {
  live::PromptQuery q;
  q.task = "t";
  live::ChatRequest r;
  r.model = "target";
  r.messages = {{"user", live::format_prompt(q)}};
  return r;
}

// Runs `n` concurrent calls; returns each call's measured time minus the served `served_s`.
std::vector<double> run_calls(const std::string& url, int n, double served_s, std::vector<double>* first_token = nullptr) {
  specsim::sim::WallClock clock;
  live::HttpClient client(clock);
  clock.set_io(&client);
  live::EndpointConfig ep;
  ep.base_url = url;
  const int e = client.add_endpoint(ep);
  std::vector<double> drift;
  int failed = 0;
  for (int i = 0; i < n; ++i)
    client.start(e, request(), {nullptr, nullptr,
                                [&](const live::Completion& c) {
                                  drift.push_back((c.timings.ended - c.timings.started).seconds() - served_s);
                                  if (first_token) first_token->push_back((c.timings.first_token - c.timings.started).seconds());
                                },
                                [&](const live::Failure&) { ++failed; }});
  clock.run_until([&] { return !client.busy(); });
  if (failed > 0) throw std::runtime_error("calls failed");
  return drift;
}

void BM_LiveCallOverhead(benchmark::State& state) {
  Served s(0, 1);  // the server answers at once: all that is left is overhead
  double total = 0;
  CpuPerCall cpu{s};
  for (auto _ : state) total += run_calls(s.url(), 1, 0).front();
  state.counters["overhead_us_per_call"] = total / static_cast<double>(state.iterations()) * 1e6;
  cpu.report(state, static_cast<double>(state.iterations()));
}
BENCHMARK(BM_LiveCallOverhead)->Unit(benchmark::kMicrosecond);

// Concurrent streams (the argument), each 20 chunks over 500 ms: how far the measured times drift
// from the served ones. With one stream this is the per-call overhead of client and server on a
// call that takes time (connect, request, the last chunk's delivery).
void BM_LiveStreams(benchmark::State& state) {
  const double served_s = 0.5;
  Served s(served_s, 1);
  std::vector<double> all, first;
  CpuPerCall cpu{s};
  for (auto _ : state) {
    const auto d = run_calls(s.url(), static_cast<int>(state.range(0)), served_s, &first);
    all.insert(all.end(), d.begin(), d.end());
  }
  double sum = 0, mx = 0;
  for (double d : all) sum += d, mx = std::max(mx, d);
  std::sort(all.begin(), all.end());
  state.counters["drift_mean_ms"] = sum / static_cast<double>(all.size()) * 1e3;
  state.counters["drift_p99_ms"] = all[all.size() * 99 / 100] * 1e3;
  state.counters["drift_max_ms"] = mx * 1e3;
  // A trace's first token comes at once: this is how late the streams start (the connect burst).
  double first_sum = 0;
  for (double f : first) first_sum += f;
  state.counters["first_token_mean_ms"] = first_sum / static_cast<double>(first.size()) * 1e3;
  cpu.report(state, static_cast<double>(all.size()));
}
BENCHMARK(BM_LiveStreams)->Arg(1)->Arg(16)->Arg(64)->Arg(256)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
