#pragma once
// The live backend: the planner's calls as chat completions on OpenAI-compatible endpoints,
// over the shared HttpClient that the wall clock polls. Prompts come from each agent's templates
// (the task, the committed steps and, for T_j, A's guesses as if committed), the action from its
// extractor, verdicts from the scenario's match rule, and the end of the plan from the terminate
// action. A cancelled call's transfer is closed at once; it is billed for its prompt (as the
// server reported it, else estimated from the prompt's length) and the tokens it had streamed.
// A call that fails after its retries, or whose answer has no usage, or a target answer with no
// action, is a failed call: the planner ends the episode with its error. An approximation answer
// with no action is an empty guess, which never matches. One backend serves one planner; many
// backends share one client, whose per-endpoint limits they thus share.
//
// Top-K (LiveSettings::candidates K > 1): A's one call is asked for K candidates (the
// `{candidates}` placeholder, the protocol's `candidates:` line) and its answer read as a list
// (ActionExtractor::extract_candidates); an answer with no list is a failed call. T's action is
// ranked among them by the match rule (candidate_rank), and a T call on branch r of the tree is
// prompted with candidate r as that step. The call is billed as the server reported it, once:
// its usage covers the whole list (`one_call` pricing), and so does the recorded trace's.
//
// Confidence (`logprobs: true` on A's endpoint): A's confidence in its top candidate is
// action_confidence() of the answer's log-probabilities (logprob_confidence.hpp); an answer of A
// without them is a failed call. Without `logprobs` every guess has confidence 1.
#include <array>
#include <string>
#include <vector>

#include "models/live/http_client.hpp"
#include "models/live/live_config.hpp"
#include "sim/backend.hpp"
#include "sim/clock.hpp"

namespace specsim::models::live {

// Everything known about one call, for the recorder (models/live/live_recorder.hpp).
struct LiveCallLog {
  sim::Agent agent = sim::Agent::target;
  int step = 0, call_index = 0, round_start = 0;
  std::uint32_t previous = sim::kNoCall;  // the agent's previous call of this step
  std::vector<std::string> conditioning;  // the steps the prompt listed (committed, then guesses)
  std::vector<ChatMessage> request;
  std::string response;  // the answer's text (what had streamed, for a cancelled call)
  std::string action;    // step-closing calls that finished
  std::vector<std::string> candidates;  // A under top-K: its candidates, best first (the first is `action`)
  std::optional<double> confidence;     // A's, from the answer's log-probabilities
  std::string error;
  sim::CallTokens tokens;
  CallTimings timings;             // clock times
  std::optional<sim::Time> cancelled;
  std::vector<Attempt> attempts;
  bool running = false;
};

class LiveBackend final : public sim::Backend {
 public:
  // `endpoints[a]` is the client's endpoint index for agent a.
  LiveBackend(const LiveSettings& settings, HttpClient& client, std::array<int, sim::kAgents> endpoints,
              const sim::Clock& clock);
  ~LiveBackend() override;

  void begin_episode(const sim::EpisodeTask& task, sim::CallSink& sink) override;
  void start_call(std::uint32_t call, const sim::CallRequest& request) override;
  sim::CallTokens cancel_call(std::uint32_t call) override;
  bool agree(int step, std::uint32_t target_call, std::uint32_t approx_call) const override;
  bool is_terminal(int step, std::uint32_t target_call) const override;
  bool guess_is_terminal(int step, std::uint32_t approx_call) const override;
  int candidate_rank(int step, std::uint32_t target_call, std::uint32_t approx_call) const override;
  double guess_confidence(int step, std::uint32_t approx_call) const override;

  // By the planner's call id (a call that never started has an empty log).
  const std::vector<LiveCallLog>& calls() const { return calls_; }

 private:
  void finish(std::uint32_t call, const ChatResult* result, std::string error);
  // What the sink is told of a finished call.
  sim::CallOutcome outcome(std::uint32_t call) const;
  bool step_done(std::uint32_t call) const;
  // A's answer under top-K or with log-probabilities: its candidates and confidence (else an error).
  std::string read_guess(LiveCallLog& log, const ChatResult& result) const;
  // The text of `guess`'s candidate `rank` (what a call on that branch is prompted with).
  const std::string& candidate_text(std::uint32_t guess, int rank) const;

  const LiveSettings& settings_;
  HttpClient& client_;
  std::array<int, sim::kAgents> endpoints_;
  const sim::Clock& clock_;
  sim::CallSink* sink_ = nullptr;
  std::string task_id_, task_;
  std::vector<LiveCallLog> calls_;
  std::vector<CallHandle> handles_;
};

}  // namespace specsim::models::live
