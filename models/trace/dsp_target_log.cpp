#include "models/trace/dsp_target_log.hpp"

#include <string_view>

#include "models/trace/dsp_line_parser.hpp"

namespace specsim::models::trace::dsp {
namespace {

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

class TargetParser final : public LineParser<TargetLog> {
 public:
  explicit TargetParser(const LogFile& f) : LineParser(f) {}

  TargetLog run() {
    parse_lines();
    std::size_t open = 0;
    for (const auto& [step, attempts] : current_) open += attempts.size();
    if (open > 0) {
      log_.diag.warn(f_, 0, "the log ends inside a round: " + std::to_string(open) +
                                " target attempt(s) after the last \"return sas tasks\" are not committed");
    }
    return std::move(log_);
  }

 private:
  void message(const LogLine& l, std::string_view m) override {
    if (m == "react launch api for thought." || m == "react launch api for response.") {
      log_.diag.irrelevant();  // the token line that follows has the same timestamp
    } else if (consume(m, "Target step ")) {
      token_line(l, m);
    } else if (consume(m, "Target: Step ")) {
      target_step_line(l, m);
    } else if (consume(m, "Intermediate Target Step ")) {
      intermediate_line(l, m);
    } else if (consume(m, "return sas tasks: ")) {
      return_line(l, m);
    } else if (consume(m, "sas tasks: ")) {
      auto list = parse_python_str_list(m);
      if (!list) return log_.diag.unreadable_line(f_, l);
      guesses_ = std::move(*list);
      log_.diag.used();
    } else if (consume(m, "Mismatch at ")) {
      auto j = consume_int(m);
      if (!j || rtrim(m) != ". Cancel starts.") return log_.diag.unreadable_line(f_, l);
      mismatch_ = *j;
      log_.diag.used();
    } else if (known_irrelevant(m)) {
      log_.diag.irrelevant();
    } else {
      log_.diag.unreadable_line(f_, l);
    }
  }

  // Understood, but nothing the trace needs: cancellations (their attempts end with an
  // "Intermediate ... None" line), the round's raw target results, the mismatch detail, the
  // predictor's training samples, and messages of the script's error paths.
  static bool known_irrelevant(std::string_view m) {
    std::string_view rest = m;
    if ((consume(rest, "Cancel Task ") || consume(rest, "Cancel task ")) && parse_int(rest)) return true;
    if (m.substr(0, 14) == "flatten_tas: [" && m.back() == ']') return true;
    rest = m;
    if (consume(rest, "step ") && consume_int(rest) && consume(rest, " app: ") && rest.find(", tar: ") != std::string_view::npos)
      return true;
    if (m.substr(0, 13) == "trajectory: [") return true;
    rest = m;
    if (m == "exception happens." || consume(rest, "Exception msg: ")) return true;
    rest = m;
    if (consume(rest, "tar ") && consume_int(rest) && consume(rest, ": ")) return true;
    return false;
  }

  TargetAttempt* open_attempt(int step) {
    auto it = current_.find(step);
    if (it == current_.end() || it->second.empty() || it->second.back().finished()) return nullptr;
    return &it->second.back();
  }

  // "Target step s thought prompt token: P" and its three siblings.
  void token_line(const LogLine& l, std::string_view m) {
    auto step = consume_int(m);
    enum { thought_prompt, thought_gen, response_prompt, response_gen } kind;
    if (!step) return log_.diag.unreadable_line(f_, l);
    if (consume(m, " thought prompt token: ")) kind = thought_prompt;
    else if (consume(m, " thought generation token: ")) kind = thought_gen;
    else if (consume(m, " response prompt token: ")) kind = response_prompt;
    else if (consume(m, " response generation token: ")) kind = response_gen;
    else return log_.diag.unreadable_line(f_, l);
    auto tokens = parse_int(m);
    if (!tokens || *tokens < 0) return log_.diag.unreadable_line(f_, l);
    log_.diag.used();
    const int s = static_cast<int>(*step);
    TargetAttempt* a = open_attempt(s);

    if (kind == thought_prompt) {
      if (a && a->thought.output_tokens) {
        log_.diag.warn(f_, l.number, "target step " + std::to_string(s) +
                                         " started its ReAct calls over after the response call failed; the failed calls are kept");
        a->earlier.push_back(a->thought);
        if (a->response.input_tokens) {
          a->response.end_clock = l.clock_s;
          a->response.end_line = l.number;
          a->earlier.push_back(a->response);
        }
        a->thought = ObservedCall{};
        a->thought.start_clock = l.clock_s;
        a->response = ObservedCall{};
      } else if (!a) {
        current_[s].push_back(TargetAttempt{});
        a = &current_[s].back();
        a->step = s;
        a->first_line = l.number;
        a->thought.start_clock = l.clock_s;
      } else if (a->thought.input_tokens != tokens) {
        log_.diag.warn(f_, l.number, "target step " + std::to_string(s) + " thought prompt changed on retry");
      }
      ++a->thought.attempts;  // a repeat before any output is a retry of the same call
      a->thought.input_tokens = tokens;
      a->thought.start_line = l.number;
      a->last_line = l.number;
      return;
    }
    const char* what = kind == thought_gen ? "thought generation" : kind == response_prompt ? "response prompt"
                                                                                             : "response generation";
    const bool fits = a && (kind == thought_gen       ? a->thought.input_tokens && !a->thought.output_tokens
                            : kind == response_prompt ? a->thought.output_tokens && !a->response.input_tokens
                                                      : a->response.input_tokens && !a->response.output_tokens);
    if (!fits) {
      log_.diag.warn(f_, l.number, std::string("a ") + what + " line that fits no open attempt of target step " +
                                       std::to_string(s) + "; ignored");
      return;
    }
    a->last_line = l.number;
    if (kind == thought_gen) {
      a->thought.output_tokens = tokens;
      a->thought.end_clock = l.clock_s;
      a->thought.end_line = l.number;
    } else if (kind == response_prompt) {
      a->response.input_tokens = tokens;
      a->response.start_clock = l.clock_s;
      a->response.start_line = l.number;
      a->response.attempts = 1;
    } else {
      a->response.output_tokens = tokens;
      a->response.end_clock = l.clock_s;
      a->response.end_line = l.number;
    }
  }

  // "Target: Step s - X" (shown to the user when verified) or "Target: Step s -time T".
  void target_step_line(const LogLine& l, std::string_view m) {
    auto step = consume_int(m);
    if (!step) return log_.diag.unreadable_line(f_, l);
    const int s = static_cast<int>(*step);
    if (consume(m, " -time ")) {
      auto t = parse_seconds(m);
      if (!t) return log_.diag.unreadable_line(f_, l);
      log_.diag.used();
      TargetAttempt* a = open_attempt(s);
      if (!a || !a->action) {
        log_.diag.warn(f_, l.number, "a step time for target step " + std::to_string(s) + " with no result before it; ignored");
        return;
      }
      a->latency = *t;
      a->last_line = l.number;
    } else if (consume(m, " - ")) {
      log_.diag.used();
      if (log_.verified.count(s)) log_.diag.warn(f_, l.number, "target step " + std::to_string(s) + " shown twice");
      log_.verified[s] = std::string(m);
    } else {
      log_.diag.unreadable_line(f_, l);
    }
  }

  // "Intermediate Target Step s - X -gen G -prompt P": the attempt's result (None: cancelled).
  void intermediate_line(const LogLine& l, std::string_view m) {
    auto step = consume_int(m);
    if (!step || !consume(m, " - ")) return log_.diag.unreadable_line(f_, l);
    const std::size_t p = m.rfind(" -prompt ");
    const std::size_t g = p == std::string_view::npos ? p : m.rfind(" -gen ", p);
    if (g == std::string_view::npos || !parse_int(m.substr(p + 9)) || !parse_int(m.substr(g + 6, p - g - 6)))
      return log_.diag.unreadable_line(f_, l);
    log_.diag.used();
    const int s = static_cast<int>(*step);
    TargetAttempt* a = open_attempt(s);
    if (!a || a->action) {
      log_.diag.warn(f_, l.number, "a result for target step " + std::to_string(s) + " that fits no open attempt; ignored");
      return;
    }
    const std::string_view action = m.substr(0, g);
    a->cancelled = action == "None";
    a->action = std::string(action);
    a->last_line = l.number;
  }

  void return_line(const LogLine& l, std::string_view m) {
    auto list = parse_python_str_list(m);
    if (!list) return log_.diag.unreadable_line(f_, l);
    log_.diag.used();
    TargetRound round;
    round.guesses = std::move(guesses_);
    round.committed = std::move(*list);
    round.mismatch_index = mismatch_;
    round.end_line = l.number;
    std::size_t used = 0;
    for (std::size_t j = 0; j < round.committed.size(); ++j) {
      const int s = static_cast<int>(committed_ + j + 1);
      std::optional<TargetAttempt> chosen;
      if (auto it = current_.find(s); it != current_.end()) {
        for (const TargetAttempt& a : it->second)
          if (a.finished() && !a.cancelled) chosen = a;  // the latest completed one
      }
      if (!chosen) {
        log_.diag.warn(f_, l.number, "committed target step " + std::to_string(s) + " has no completed attempt in its round");
      } else {
        ++used;
        if (*chosen->action != round.committed[j]) {
          log_.diag.warn(f_, l.number, "committed target step " + std::to_string(s) + " is '" + round.committed[j] +
                                           "' but its attempt returned '" + *chosen->action + "'");
        }
      }
      round.attempts.push_back(std::move(chosen));
    }
    std::size_t all = 0;
    for (const auto& [step, attempts] : current_) all += attempts.size();
    round.discarded_attempts = all - used;
    committed_ += round.committed.size();
    log_.rounds.push_back(std::move(round));
    current_.clear();
    guesses_.clear();
    mismatch_.reset();
  }

  std::map<int, std::vector<TargetAttempt>> current_;  // this round's attempts by step
  std::vector<std::string> guesses_;
  std::optional<std::int64_t> mismatch_;
  std::size_t committed_ = 0;
};

}  // namespace

TargetLog parse_target_log(const LogFile& file) { return TargetParser(file).run(); }

}  // namespace specsim::models::trace::dsp
