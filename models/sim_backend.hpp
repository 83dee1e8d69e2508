#pragma once
// The simulated backend: calls on the committed path replay the episode's script; calls off it
// (conditioned on a wrong guess) are drawn from the agents' models with the episode's stream.
// Completion is an event on the simulated clock; the calls of an agent with a served latency run
// on its shared endpoint instead (models/served_endpoint.hpp), which says when they end.
#include <array>
#include <cstdint>
#include <vector>

#include "models/episode_scripts.hpp"
#include "models/served_endpoint.hpp"
#include "models/workload.hpp"
#include "sim/backend.hpp"
#include "sim/clock.hpp"
#include "sim/depth_policy.hpp"

namespace specsim::models {

class SimBackend final : public sim::Backend,
                         public sim::FeatureSource,
                         public sim::LookAhead,
                         public sim::EventHandler,
                         public ServedEndpoint::Client {
 public:
  // `endpoints`: where the calls of agents with a served latency run (none: each call takes its
  // isolated time).
  SimBackend(const Agents& agents, const Workload& workload, sim::Clock& clock, std::uint64_t seed,
             int max_steps, const ServedEndpoints* endpoints = nullptr);

  // Episodes that `scripts` holds replay them instead of making their own (the same scripts:
  // every policy of a run replays the same worlds). Null: every episode makes its own.
  void share_scripts(const EpisodeScripts* scripts) { shared_ = scripts; }

  void begin_episode(const sim::EpisodeTask& task, sim::CallSink& sink) override;
  void start_call(std::uint32_t call, const sim::CallRequest& request) override;
  sim::CallTokens cancel_call(std::uint32_t call) override;
  void forget_calls(std::uint32_t before) override { base_ = before; }

  // Past the plan's end (guessed after its last step, off the path) T has no step to agree with.
  bool agree(int step, std::uint32_t, std::uint32_t) const override {
    return step < script_->steps && script_->match[static_cast<std::size_t>(step)];
  }
  int candidate_rank(int step, std::uint32_t, std::uint32_t) const override {
    return step < script_->steps ? script_->rank_of(step) : -1;
  }
  bool is_terminal(int step, std::uint32_t) const override {
    return script_->ends_with_terminate && step == script_->steps - 1;
  }
  // Off the committed path A's guesses are unknown text, never terminate.
  bool guess_is_terminal(int step, std::uint32_t approx_call) const override {
    const auto s = static_cast<std::size_t>(step);
    return at(approx_call).on_path &&
           ((is_terminal(step, 0) && script_->match[s]) || (s < script_->guess_terminal.size() && script_->guess_terminal[s]));
  }
  bool guess_will_match(int step, std::uint32_t approx_call) const override {
    return at(approx_call).on_path && script_->match[static_cast<std::size_t>(step)];
  }
  // A guess off the committed path has its step's confidence too: the world's verdict on it is
  // its step's (agree() above).
  double guess_confidence(int step, std::uint32_t) const override {
    const auto s = static_cast<std::size_t>(step);
    return s < script_->confidence.size() ? script_->confidence[s] : 1.0;
  }
  std::optional<sim::EnvironmentCall> environment(int step) const override {
    const auto s = static_cast<std::size_t>(step);
    if (s >= script_->environment.size() || script_->environment[s].tool < 0) return std::nullopt;
    return sim::EnvironmentCall{script_->environment[s].price_usd, script_->environment[s].side_effect_free};
  }
  bool has_environment() const override { return !script_->environment.empty(); }
  std::optional<int> leading_matches(int step, int limit) const override;
  std::span<const double> features(int step) const override;
  std::optional<sim::RecordedRound> recorded_round(int step) const override;

  void on_event(std::uint64_t call) override { finished(static_cast<std::uint32_t>(call)); }
  void served(std::uint64_t call, sim::Time first_token) override;

 private:
  struct alignas(128) Call {
    // What the sink is told when the call finishes, filled in at its start (a served call's
    // first token once the endpoint says): the completion hands over a copy (finished). Its error
    // stays empty (a simulated call does not fail), so an entry, reused from call to call, never
    // needs it set.
    sim::CallOutcome outcome;
    sim::Time latency, first_token;  // from its start (scripted), for a cancel
    sim::Time started;
    sim::EventId done;
    ServedEndpoint* endpoint = nullptr;  // where it runs, if served
    std::uint64_t request = 0;           // its request there
    bool on_path = false;  // replays the script (else drawn off the committed path)
  };
  // Sets the call's outcome and timing from what it replays or draws.
  static void set_scripted(Call& call, const ScriptedCall& scripted, bool step_done) {
    call.outcome.tokens = scripted.tokens;
    call.outcome.attempts = scripted.attempts;
    call.outcome.step_done = step_done;
    call.latency = scripted.latency;
    call.first_token = scripted.first_token;
  }
  // Tells the sink that the call finished, with a copy of its outcome: the sink starts calls
  // before it is done reading it (the planner's next ones, a limited backend's waiting ones),
  // and a start may grow calls_, which would leave a reference into it dangling.
  void finished(std::uint32_t id) {
    const sim::CallOutcome outcome = at(id).outcome;
    sink_->on_call_finished(id, outcome);
  }
  const Call& at(std::uint32_t id) const { return calls_[id - base_]; }
  Call& at(std::uint32_t id) { return calls_[id - base_]; }
  const AgentModel& agent_(sim::Agent a) const { return agents_[static_cast<std::size_t>(sim::index(a))]; }
  // An off-path call: drawn from its agent's model, or the same call made again (see `repeated_`).
  ScriptedCall off_path(const sim::CallRequest& r);

  const Agents& agents_;
  const Workload& workload_;
  sim::Clock& clock_;
  // Where each agent's calls run if served, by index(Agent) with the environment's (never
  // served) last: looked up once here, not per call.
  std::array<ServedEndpoint*, sim::kAgents + 1> endpoint_of_{};
  sim::SimClock* sim_clock_;  // the same clock when it is a simulated one: no virtual calls
  std::uint64_t seed_;
  int max_steps_;
  sim::CallSink* sink_ = nullptr;
  std::optional<sim::RandomStream> offpath_rng_;  // calls off the committed path, made on demand
  // An agent that draws no random number and whose prompt does not grow makes the same calls at
  // every step (draw_path_calls repeats them too): call c of a step, after the step's earlier
  // calls wrote `prior` tokens, is drawn once here (empty for other agents).
  struct RepeatedCall {
    int prior;
    ScriptedCall call;
  };
  std::array<std::vector<RepeatedCall>, sim::kAgents> repeated_;
  EpisodeScript own_script_;                  // made here, when no shared scripts hold the episode
  const EpisodeScript* script_ = &own_script_;  // the open episode's
  const EpisodeScripts* shared_ = nullptr;
  // By call id, from base_ on. The storage only grows, across rounds and episodes: start_call
  // sets every field that is read, so an entry is never reset.
  std::vector<Call> calls_;
  std::uint32_t base_ = 0;
};

}  // namespace specsim::models
