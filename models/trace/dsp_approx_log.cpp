#include "models/trace/dsp_approx_log.hpp"

#include <map>
#include <string_view>

#include "models/trace/dsp_line_parser.hpp"

namespace specsim::models::trace::dsp {
namespace {

class ApproxParser final : public LineParser<ApproxLog> {
 public:
  explicit ApproxParser(const LogFile& f) : LineParser(f) {}

  ApproxLog run() {
    parse_lines();
    return std::move(log_);
  }

 private:
  void message(const LogLine& l, std::string_view m) override {
    if (consume(m, "Approximation: Step ")) {
      step_line(l, m);
    } else if (consume(m, "Predictor time: ")) {
      if (m.empty() || m.back() != 's') return log_.diag.unreadable_line(f_, l);
      auto t = parse_seconds(m.substr(0, m.size() - 1));
      if (!t) return log_.diag.unreadable_line(f_, l);
      log_.diag.used();
      Prediction p;
      p.latency = *t;
      p.line = l.number;
      p.last_prompted_step = last_prompted_step_;
      log_.predictions.push_back(p);
    } else if (consume(m, "Predict K: ")) {
      auto k = parse_int(m);
      if (!k) return log_.diag.unreadable_line(f_, l);
      log_.diag.used();
      if (log_.predictions.empty() || log_.predictions.back().k) {
        log_.diag.warn(f_, l.number, "a predicted k without a predictor time before it");
        Prediction p;
        p.line = l.number;
        p.last_prompted_step = last_prompted_step_;
        log_.predictions.push_back(p);
      }
      log_.predictions.back().k = *k;
    } else {
      log_.diag.unreadable_line(f_, l);
    }
  }

  void step_line(const LogLine& l, std::string_view m) {
    auto step = consume_int(m);
    if (!step) return log_.diag.unreadable_line(f_, l);
    const int s = static_cast<int>(*step);
    if (consume(m, " -prompt token ")) {
      auto p = parse_int(m);
      if (!p || *p < 0) return log_.diag.unreadable_line(f_, l);
      log_.diag.used();
      last_prompted_step_ = s;
      auto it = open_.find(s);
      // The same prompt again before a result is a retry; a different one means the open call
      // was abandoned (cancelled at a mismatch) and this is a new call for the same step.
      if (it != open_.end() && log_.calls[it->second].input_tokens == *p) {
        ApproxCall& c = log_.calls[it->second];
        ++c.attempts;
        c.last_prompt_line = l.number;
        c.last_clock = l.clock_s;
        return;
      }
      ApproxCall c;
      c.step = s;
      c.input_tokens = *p;
      c.attempts = 1;
      c.first_line = c.last_prompt_line = l.number;
      c.first_clock = c.last_clock = l.clock_s;
      open_[s] = log_.calls.size();
      log_.calls.push_back(c);
      return;
    }
    // "- X -time T -token G"; X may be empty when the answer had no tool tag.
    if (!consume(m, " - ")) {
      if (!consume(m, " -")) return log_.diag.unreadable_line(f_, l);
    }
    const std::size_t t = m.rfind("-time ");
    const std::size_t g = t == std::string_view::npos ? t : m.find(" -token ", t);
    if (g == std::string_view::npos || (t > 0 && m[t - 1] != ' ')) return log_.diag.unreadable_line(f_, l);
    auto latency = parse_seconds(m.substr(t + 6, g - t - 6));
    auto tokens = parse_int(m.substr(g + 8));
    if (!latency || !tokens || *tokens < 0) return log_.diag.unreadable_line(f_, l);
    log_.diag.used();
    auto it = open_.find(s);
    if (it == open_.end()) {
      log_.diag.warn(f_, l.number, "a result for approximation step " + std::to_string(s) + " without a prompt line; ignored");
      return;
    }
    ApproxCall& c = log_.calls[it->second];
    open_.erase(it);
    c.returned = true;
    c.action = std::string(m.substr(0, t == 0 ? 0 : t - 1));
    c.latency = *latency;
    c.output_tokens = *tokens;
    c.result_line = l.number;
    if (c.attempts > 1) {
      log_.diag.warn(f_, l.number, "approximation step " + std::to_string(s) + " took " + std::to_string(c.attempts) +
                                       " attempts (retries); kept as one call whose latency covers them all");
    }
  }

  std::map<int, std::size_t> open_;  // step -> index of its call still waiting for a result
  int last_prompted_step_ = 0;
};

}  // namespace

ApproxLog parse_approx_log(const LogFile& file) { return ApproxParser(file).run(); }

}  // namespace specsim::models::trace::dsp
