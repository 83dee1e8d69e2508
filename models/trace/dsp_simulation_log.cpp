#include "models/trace/dsp_simulation_log.hpp"

#include <array>
#include <string_view>

#include "models/trace/dsp_line_parser.hpp"

namespace specsim::models::trace::dsp {
namespace {

// The summary lines DSP prints after each task, "name: value".
constexpr std::array<std::string_view, 19> kSummaryKeys = {
    "max concurrent calls", "total approximation token generation", "total target token prompt",
    "total target token generation", "total target step time", "total token prompt", "total token generation",
    "accuracy of approximation agent", "sp token/step", "naive token/step", "generation token cost increased",
    "sp prompt/step", "naive prompt/step", "prompt token cost increased", "sp time/step", "naive time/step",
    "time decreased by", "predictor acc", "step number"};

// "2025-04-08 18:11:44.568737": the datetimes around " - " in the duration line.
bool looks_like_datetime(std::string_view s) {
  if (s.size() != 19 && s.size() != 26) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (i == 4 || i == 7) ? c == '-' : i == 10 ? c == ' ' : (i == 13 || i == 16) ? c == ':'
                                                                       : i == 19                ? c == '.'
                                                                                                : (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

class SimulationParser final : public LineParser<SimulationLog> {
 public:
  explicit SimulationParser(const LogFile& f) : LineParser(f) {}

  SimulationLog run() {
    parse_lines();
    return std::move(log_);
  }

 private:
  void message(const LogLine& l, std::string_view m) override {
    std::string_view rest = m;
    consume(rest, "in breaking, ");
    if (consume(rest, "The approximation agent thinks step ")) return guess_line(l, rest);
    rest = m;
    if (consume(rest, "The target agent thinks step ")) return verdict_line(l, rest);
    rest = m;
    if (consume(rest, "final result for the speculative planning ")) {
      auto plan = parse_python_str_list(rest);
      if (!plan) return log_.diag.unreadable_line(f_, l);
      log_.final_plan = std::move(*plan);
      return log_.diag.used();
    }
    if (m == "dynamic k" || m == "-------------------") return log_.diag.irrelevant();
    rest = m;
    if (consume(rest, "k = ") && parse_int(rest)) return log_.diag.irrelevant();
    rest = m;
    if (consume(rest, "Since you think the action should be ")) return log_.diag.irrelevant();
    if (duration_line(m)) return log_.diag.used();
    for (std::string_view key : kSummaryKeys) {
      rest = m;
      if (consume(rest, key) && consume(rest, ": ")) return summary_line(l, key, rest);
    }
    log_.diag.unreadable_line(f_, l);
  }

  void guess_line(const LogLine& l, std::string_view m) {
    auto step = consume_int(m);
    if (!step || !consume(m, " should be ")) return log_.diag.unreadable_line(f_, l);
    log_.diag.used();
    log_.guesses[static_cast<int>(*step)] = std::string(m);  // a later guess of the step replaces it
  }

  void verdict_line(const LogLine& l, std::string_view m) {
    auto step = consume_int(m);
    if (!step || !consume(m, " should be ")) return log_.diag.unreadable_line(f_, l);
    Verdict v;
    v.line = l.number;
    constexpr std::string_view agrees = ", which agrees with the approximation agent.";
    constexpr std::string_view corrects = ", correcting what the approximation agent thinks which is ";
    if (m.size() >= agrees.size() && m.substr(m.size() - agrees.size()) == agrees) {
      v.agrees = true;
      v.target_action = std::string(m.substr(0, m.size() - agrees.size()));
    } else if (const std::size_t c = m.find(corrects); c != std::string_view::npos && m.back() == '.') {
      v.target_action = std::string(m.substr(0, c));
      v.approx_action = std::string(m.substr(c + corrects.size(), m.size() - c - corrects.size() - 1));
    } else {
      return log_.diag.unreadable_line(f_, l);
    }
    log_.diag.used();
    const int s = static_cast<int>(*step);
    if (log_.verdicts.count(s)) log_.diag.warn(f_, l.number, "a second verdict on step " + std::to_string(s));
    log_.verdicts[s] = std::move(v);
  }

  // "2025-04-08 18:11:44.568737 - 2025-04-08 18:09:18.184510 = 0:02:26.384227"
  bool duration_line(std::string_view m) {
    const std::size_t minus = m.find(" - ");
    const std::size_t eq = minus == std::string_view::npos ? minus : m.find(" = ", minus);
    if (eq == std::string_view::npos || !looks_like_datetime(m.substr(0, minus)) ||
        !looks_like_datetime(m.substr(minus + 3, eq - minus - 3)))
      return false;
    auto d = parse_timedelta(m.substr(eq + 3));
    if (!d) return false;
    log_.duration = *d;
    return true;
  }

  void summary_line(const LogLine& l, std::string_view key, std::string_view value) {
    std::string_view number = value;
    if (number.size() > 2 && number.substr(number.size() - 2) == "%.") number.remove_suffix(2);
    auto v = parse_real(number);
    if (!v) return log_.diag.unreadable_line(f_, l);
    log_.diag.used();
    if (key == "total target step time") {
      log_.total_target_step_time = parse_seconds(number);
      if (!log_.total_target_step_time) log_.diag.warn(f_, l.number, "a negative total target step time; ignored");
    }
    if (auto i = parse_int(number)) log_.summary[std::string(key)] = *i;
    else log_.summary[std::string(key)] = *v;
  }

};

}  // namespace

SimulationLog parse_simulation_log(const LogFile& file) { return SimulationParser(file).run(); }

}  // namespace specsim::models::trace::dsp
