#pragma once
// Where calls are executed: a simulated world (models/) or a live OpenAI-compatible endpoint.
// The planner starts and cancels calls by id (its index in the episode's call list), is told
// once when each finishes, with its outcome (what it produced, whether it completes its agent's
// step), and asks only what any backend can answer: the verdicts on finished steps. It never
// sees latencies, prompts or the match rule.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "sim/call.hpp"

namespace specsim::sim {

constexpr std::uint32_t kNoCall = 0xffffffffu;

// What a call is conditioned on, besides its agent and step.
struct CallRequest {
  Agent agent;
  int step;          // the plan step this call works on (0-based)
  int call_index;    // position within the agent's step (ReAct: 0 thought, 1 action)
  int round_start;   // first step of the round: the committed prefix's length
  int prior_output;  // tokens written by the earlier calls of this step (read by this one)
  std::span<const std::uint32_t> prefix;   // the last target call of each committed step
  std::span<const std::uint32_t> guesses;  // A's guesses for steps round_start .. step-1
  std::uint32_t previous = kNoCall;        // the agent's previous call of this step, if any
  // Top-K: which candidate of each guess in `guesses` it is conditioned on (0: the top one); empty
  // when every one is the top one.
  std::span<const std::uint8_t> candidates;
};

// A finished call, as the backend saw it: 48 bytes, copied once per completion (the planner's
// verdicts come from the backend, so no action text is handed over; a live backend keeps it in
// its log).
struct CallOutcome {
  CallTokens tokens;
  int attempts = 1;          // retries included, each billed
  Time first_token;          // when the first output token arrived (clock time)
  std::string_view error;    // not empty: the call failed after its retries
  bool step_done = true;     // it was its agent's last call for the step (a ReAct target makes two)
};

// Where a backend reports each finished call, once, with its outcome (valid during the call
// only): one notification per completion, the planner asks nothing more about the call.
class CallSink {
 public:
  virtual void on_call_finished(std::uint32_t call, const CallOutcome& outcome) = 0;

 protected:
  ~CallSink() = default;
};

// The environment call of a plan step's action (a tool or API): what the planner must know to
// schedule it. Its latency is the backend's business, like an LLM call's.
struct EnvironmentCall {
  double price_usd = 0;
  bool side_effect_free = false;  // may run ahead on a guessed step (Speculative Actions' lossless condition)
};

struct EpisodeTask {
  std::int64_t episode = 0;
  std::string_view id;    // the task's id and text, for backends that need them (live runs)
  std::string_view text;
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual void begin_episode(const EpisodeTask& task, CallSink& sink) = 0;
  // Must report completion through the sink later (CallSink::on_call_finished), unless
  // cancelled first.
  virtual void start_call(std::uint32_t call, const CallRequest& request) = 0;
  // Stops the call at once: no completion is reported after it. Returns the tokens it had
  // consumed and generated (output up to the cancel time).
  virtual CallTokens cancel_call(std::uint32_t call) = 0;

  // Verdicts on finished steps (`*_call` is the last call of that agent's step).
  virtual bool agree(int step, std::uint32_t target_call, std::uint32_t approx_call) const = 0;
  virtual bool is_terminal(int step, std::uint32_t target_call) const = 0;
  // Whether A's finished guess is terminate (it stops the round's speculation, sim/semantics.hpp).
  virtual bool guess_is_terminal(int step, std::uint32_t approx_call) const = 0;
  // Top-K guesses: the rank of T's action among A's candidates for the step (0: the top one, as
  // agree), or -1 when none holds it. A backend with one candidate per guess answers from agree.
  virtual int candidate_rank(int step, std::uint32_t target_call, std::uint32_t approx_call) const {
    return agree(step, target_call, approx_call) ? 0 : -1;
  }
  // Whether T will agree with that guess, for `terminate_guess: only_if_right`: only a world that
  // knows T's answers in advance (a simulated one) can tell; any other backend says yes.
  virtual bool guess_will_match(int, std::uint32_t) const { return true; }
  // A's confidence in its finished guess, a probability, for confidence-gated speculation
  // (Decision::min_confidence); a world that knows none says 1, which no gate stops.
  virtual double guess_confidence(int, std::uint32_t) const { return 1.0; }
  // The environment call that step `step`'s action makes, if any: its call (Agent::environment)
  // starts once the action is chosen and the step is committed only when it is back. A world
  // without an environment (a live endpoint) has none.
  virtual std::optional<EnvironmentCall> environment(int /*step*/) const { return std::nullopt; }
  // Whether any step of the open episode has one (else the planner asks no step).
  virtual bool has_environment() const { return false; }
  // The planner asks nothing more about the calls before `before` (the closed rounds of an
  // episode it does not record): a backend may let go of what it keeps about them.
  virtual void forget_calls(std::uint32_t /*before*/) {}
};

}  // namespace specsim::sim
