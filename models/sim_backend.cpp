#include "models/sim_backend.hpp"

#include <algorithm>
#include <cmath>

namespace specsim::models {

SimBackend::SimBackend(const Agents& agents, const Workload& workload, sim::Clock& clock,
                       std::uint64_t seed, int max_steps, const ServedEndpoints* endpoints)
    : agents_(agents), workload_(workload), clock_(clock), sim_clock_(dynamic_cast<sim::SimClock*>(&clock)),
      seed_(seed), max_steps_(max_steps),
      own_script_() {
  if (endpoints)
    for (const sim::Agent a : {sim::Agent::approx, sim::Agent::target})
      endpoint_of_[static_cast<std::size_t>(sim::index(a))] = endpoints->of(a);
  sim::RandomStream unused(seed, "offpath", 0);  // such an agent draws no number from it
  for (int a = 0; a < sim::kAgents; ++a) {
    const AgentModel& agent = agents_[static_cast<std::size_t>(a)];
    if (!agent.constant() || agent.input_per_step != 0) continue;
    int prior = 0;
    for (int c = 0; c < agent.calls_per_step; ++c) {
      repeated_[static_cast<std::size_t>(a)].push_back({prior, agent.draw(0, c, prior, unused)});
      prior += repeated_[static_cast<std::size_t>(a)].back().call.tokens.output;
    }
  }
}

ScriptedCall SimBackend::off_path(const sim::CallRequest& r) {
  const auto& repeated = repeated_[static_cast<std::size_t>(sim::index(r.agent))];
  const auto c = static_cast<std::size_t>(r.call_index);
  if (c < repeated.size() && repeated[c].prior == r.prior_output) return repeated[c].call;
  return agent_(r.agent).draw(r.step, r.call_index, r.prior_output, *offpath_rng_);
}

void SimBackend::begin_episode(const sim::EpisodeTask& task, sim::CallSink& sink) {
  sink_ = &sink;
  offpath_rng_.emplace(seed_, "offpath", static_cast<std::uint64_t>(task.episode));
  if (shared_ && shared_->holds(task.episode)) {
    script_ = &shared_->of(task.episode);
  } else {
    make_script(workload_, agents_, seed_, task.episode, max_steps_, own_script_);
    script_ = &own_script_;
  }
  base_ = 0;
}

void SimBackend::start_call(std::uint32_t id, const sim::CallRequest& r) {
  // Ids come in order: the call is the next entry (storage kept from episode to episode).
  const std::size_t slot = id - base_;
  if (calls_.size() <= slot) calls_.resize(std::max(slot + 1, 2 * calls_.size()));
  Call& call = at(id);
  // On the committed path when every guess before this step in the round matched.
  const int depth = r.step - r.round_start;
  // Under lower candidates (top-K): on the path when each candidate it runs under is T's action.
  if (r.candidates.empty()) {
    call.on_path = r.step < script_->steps && script_->run[static_cast<std::size_t>(r.round_start)] >= depth;
  } else {
    call.on_path = r.step < script_->steps;
    for (int i = 0; call.on_path && i < depth; ++i)
      call.on_path = script_->rank_of(r.round_start + i) == r.candidates[static_cast<std::size_t>(i)];
  }
  if (r.agent == sim::Agent::environment) {  // the step's tool, on any action proposed for it
    const sim::Time latency = script_->environment[static_cast<std::size_t>(r.step)].latency;
    set_scripted(call, ScriptedCall{latency, latency, {}, 1}, true);
  } else if (call.on_path) {
    const auto calls = script_->step_calls(r.agent, r.step);
    set_scripted(call, calls[static_cast<std::size_t>(r.call_index)],
                 static_cast<std::size_t>(r.call_index) + 1 >= calls.size());
  } else {
    // Off-path draws have a stream of their own, so that they never depend on how the script
    // was made (drawn, or read from a trace).
    set_scripted(call, off_path(r), r.call_index + 1 >= agent_(r.agent).calls_per_step);
  }
  call.endpoint = endpoint_of_[static_cast<std::size_t>(sim::index(r.agent))];
  if (call.endpoint) [[unlikely]] {
    call.started = clock_.now();
    call.request = call.endpoint->start(*this, id, call.outcome.tokens.input, call.outcome.tokens.planned_output);
    return;
  }
  call.started = sim_clock_ ? sim_clock_->now() : clock_.now();
  call.outcome.first_token = call.started + call.first_token;
  call.done = sim_clock_ ? sim_clock_->schedule(call.started + call.latency, this, id)
                         : clock_.schedule(call.started + call.latency, this, id);
}

void SimBackend::served(std::uint64_t id, sim::Time first_token) {
  at(static_cast<std::uint32_t>(id)).outcome.first_token = first_token;
  finished(static_cast<std::uint32_t>(id));
}

sim::CallTokens SimBackend::cancel_call(std::uint32_t id) {
  Call& call = at(id);
  if (call.endpoint) {
    sim::CallTokens t = call.outcome.tokens;
    t.output = call.endpoint->cancel(call.request);
    return t;
  }
  if (sim_clock_) sim_clock_->cancel(call.done);
  else clock_.cancel(call.done);
  // Output streams at a constant rate between the first and the last token.
  sim::CallTokens t = call.outcome.tokens;
  const sim::Time elapsed = clock_.now() - call.started;
  const sim::Time streaming = call.latency - call.first_token;
  const sim::Time into = elapsed - call.first_token;
  if (into <= sim::Time::zero()) t.output = 0;
  else if (streaming > sim::Time::zero() && into < streaming)
    t.output = static_cast<std::int32_t>(static_cast<double>(t.planned_output) * static_cast<double>(into.ns()) /
                                         static_cast<double>(streaming.ns()));
  return t;
}

std::optional<int> SimBackend::leading_matches(int step, int limit) const {
  if (step >= script_->steps) return 0;
  return std::min(script_->run[static_cast<std::size_t>(step)], limit);
}

std::span<const double> SimBackend::features(int step) const {
  if (script_->feature_dim == 0 || step >= script_->steps) return {};
  return {script_->features.data() + static_cast<std::size_t>(step * script_->feature_dim),
          static_cast<std::size_t>(script_->feature_dim)};
}

std::optional<sim::RecordedRound> SimBackend::recorded_round(int step) const {
  for (const auto& r : script_->recorded)
    if (r.start_step == step) return sim::RecordedRound{r.k, r.predictor_latency};
  return std::nullopt;
}

}  // namespace specsim::models
