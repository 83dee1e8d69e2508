#pragma once
// An in-process `specsim serve` for tests: the server of models/live/serve.hpp on its own thread,
// on 127.0.0.1 with a free port, over a small trace given as text. Stopped by the destructor.
#include <thread>

#include "models/live/serve.hpp"
#include "models/trace/trace_reader.hpp"

namespace specsim::testing {

class LiveServer {
 public:
  LiveServer(const std::string& trace_jsonl, models::live::ServeOptions options,
             std::function<void(const models::live::Disconnect&)> observer = {})
      : LiveServer(models::live::make_trace_world(models::trace::parse_trace(trace_jsonl, "test.jsonl")), options,
                   std::move(observer)) {}
  // Any world: a scenario's (make_script_world) or a trace's.
  LiveServer(std::unique_ptr<models::live::ServedWorld> world, models::live::ServeOptions options,
             std::function<void(const models::live::Disconnect&)> observer = {})
      : server_(std::move(world), options) {
    if (observer) server_.on_disconnect(std::move(observer));
    thread_ = std::thread([this] { server_.run(); });
  }
  ~LiveServer() {
    server_.stop();
    thread_.join();
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + "/v1"; }
  models::live::ServeStats stats() const { return server_.stats(); }
  // Wall seconds the server's answers ended late in all (ServeStats::late_s).
  double late_s() const { return server_.stats().late_s; }

 private:
  models::live::Server server_;
  std::thread thread_;
};

// One task "t1": step 1 T "Image Deblurring" (0.5 s, 100 in, 10 out), A the same (0.2 s);
// step 2 T a 20-word action over 4 s.
inline std::string small_trace() {
  return R"({"task_id":"t1","task":"deblur","steps":[)"
         R"({"target":{"action":"Image Deblurring","calls":[{"latency_s":0.5,"input_tokens":100,"output_tokens":10}]},)"
         R"("approx":{"action":"Image Deblurring","calls":[{"latency_s":0.2,"input_tokens":50,"output_tokens":5}]}},)"
         R"({"target":{"action":"w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20","calls":[{"latency_s":4,"input_tokens":120,"output_tokens":20}]}}]})"
         "\n";
}

}  // namespace specsim::testing
