#include "models/live/calibrate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "models/live/prompt_protocol.hpp"
#include "sim/input_error.hpp"
#include "sim/wall_clock.hpp"

namespace specsim::models::live {

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// A prompt any chat model answers at length; its protocol lines (task 0, the first step) let a
// `specsim serve` of a scenario answer it as episode 0's first call.
ChatRequest calibration_request(const CalibrationOptions& o) {
  std::string filler = "Write a long story about a lighthouse keeper, without stopping early. Context words:";
  for (int i = 0; i < o.prompt_tokens; ++i) filler += " sea";
  PromptQuery q;
  q.task = "0";
  ChatRequest r;
  r.model = o.model;
  r.stream = true;
  r.include_usage = true;
  r.max_tokens = o.max_tokens;
  r.messages = {{"user", format_prompt(q, filler)}};
  return r;
}

struct Sample {
  double ttft_s, prefill_tps, decode_tps;
  std::int64_t prompt_tokens, completion_tokens;
};

// One level: `concurrency` calls in flight until `warmup + measured` have ended.
class Level {
 public:
  Level(HttpClient& client, int endpoint, const ChatRequest& request, const CalibrationOptions& o, int concurrency)
      : client_(client), endpoint_(endpoint), request_(request), options_(o), warmup_(concurrency),
        total_(concurrency + std::max(o.requests, concurrency)) {
    for (int i = 0; i < concurrency; ++i) start();
  }
  bool done() const { return error_.has_value() || ended_ == total_; }
  const std::optional<std::string>& error() const { return error_; }
  const std::vector<Sample>& samples() const { return samples_; }

 private:
  void start() {
    const int number = started_++;
    Callbacks cb;
    cb.on_complete = [this, number](const Completion& c) { ended(number, c); };
    cb.on_failure = [this](const Failure& f) { error_ = f.error; };
    client_.start(endpoint_, request_, std::move(cb));
  }

  void ended(int number, const Completion& c) {
    ++ended_;
    if (error_) return;
    if (!c.result.usage || c.result.usage->prompt_tokens <= 0 || c.result.usage->completion_tokens <= 0) {
      error_ = "the answer reports no usage (prompt and completion tokens): the rates need them";
      return;
    }
    const CallTimings& t = c.timings;
    const double ttft = (t.first_token - t.started).seconds() / options_.time_scale;
    const double decode = (t.ended - t.first_token).seconds() / options_.time_scale;
    if (!(ttft > 0 && decode > 0)) {
      error_ = "the answer streamed no content before its end: no time to first token to measure";
      return;
    }
    if (number >= warmup_)
      samples_.push_back({ttft, static_cast<double>(c.result.usage->prompt_tokens) / ttft,
                          static_cast<double>(c.result.usage->completion_tokens) / decode, c.result.usage->prompt_tokens,
                          c.result.usage->completion_tokens});
    if (started_ < total_) start();
  }

  HttpClient& client_;
  int endpoint_;
  const ChatRequest& request_;
  const CalibrationOptions& options_;
  int warmup_, total_, started_ = 0, ended_ = 0;
  std::vector<Sample> samples_;
  std::optional<std::string> error_;
};

}  // namespace

std::vector<CalibrationLevel> calibrate(const CalibrationOptions& o, std::ostream* progress) {
  sim::WallClock clock;
  ClientOptions client_options;
  client_options.timeouts = o.timeouts;
  client_options.retry.max_attempts = 1;  // a retried call would measure the retry, not the server
  HttpClient client(clock, client_options);
  clock.set_io(&client);
  const int endpoint = client.add_endpoint(o.endpoint);
  const ChatRequest request = calibration_request(o);
  std::vector<CalibrationLevel> levels;
  for (const int c : o.concurrency) {
    Level level(client, endpoint, request, o, c);
    clock.run_until([&] { return level.done(); });
    if (level.error())
      throw sim::InputError("", 0, 0, "--base-url", fmt::format("{} (model {}) at concurrency {}: {}", o.endpoint.base_url, o.model, c, *level.error()));
    const auto& s = level.samples();
    const auto med = [&s](auto field) {
      std::vector<double> v;
      for (const Sample& x : s) v.push_back(static_cast<double>(x.*field));
      return median(v);
    };
    CalibrationLevel l;
    l.row = {c, med(&Sample::prefill_tps), med(&Sample::decode_tps)};
    l.requests = static_cast<int>(s.size());
    l.ttft_s = med(&Sample::ttft_s);
    l.prompt_tokens = static_cast<std::int64_t>(med(&Sample::prompt_tokens));
    l.completion_tokens = static_cast<std::int64_t>(med(&Sample::completion_tokens));
    if (progress)
      *progress << fmt::format("calibrate: concurrency {}: {} requests, time to first token {:.4f} s, prefill {:.5g} tokens/s, decode {:.5g} tokens/s per request\n",
                               c, l.requests, l.ttft_s, l.row.prefill_tps, l.row.decode_tps);
    levels.push_back(l);
  }
  return levels;
}

std::string profile_yaml(const std::vector<CalibrationLevel>& levels, const std::string& provenance) {
  std::string out;
  std::size_t from = 0;
  while (from < provenance.size()) {
    const std::size_t nl = std::min(provenance.find('\n', from), provenance.size());
    out += "# " + provenance.substr(from, nl - from) + "\n";
    from = nl + 1;
  }
  for (const CalibrationLevel& l : levels)
    out += fmt::format("- {{concurrency: {}, prefill_tps: {:.6g}, decode_tps: {:.6g}}}   # {} requests, ttft {:.4g} s, {} in / {} out tokens\n",
                       l.row.concurrency, l.row.prefill_tps, l.row.decode_tps, l.requests, l.ttft_s, l.prompt_tokens, l.completion_tokens);
  return out;
}

}  // namespace specsim::models::live
