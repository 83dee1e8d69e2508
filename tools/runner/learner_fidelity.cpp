#include "tools/runner/learner_fidelity.hpp"

#include <cmath>
#include <set>
#include <vector>

#include "models/catalogue.hpp"
#include "models/sim_backend.hpp"
#include "models/trace/fitted_agents.hpp"
#include "models/trace/trace_workload.hpp"
#include "policies/dsp_policy.hpp"
#include "sim/input_error.hpp"
#include "sim/planner.hpp"
#include "tools/runner/fidelity.hpp"

namespace specsim::runner {

namespace trace = models::trace;

namespace {

double mean_k(const std::map<int, std::int64_t>& h) {
  double sum = 0, n = 0;
  for (const auto& [k, count] : h) {
    sum += static_cast<double>(k * count);
    n += static_cast<double>(count);
  }
  return n > 0 ? sum / n : 0.0;
}

}  // namespace

LearnerFidelity learner_fidelity(const trace::Trace& all, const std::string& model, std::uint64_t seed,
                                 std::optional<double> lr) {
  models::Agents agents = agents_of_model(model);
  for (auto agent : {sim::Agent::approx, sim::Agent::target})
    agents[static_cast<std::size_t>(sim::index(agent))] =
        trace::fit_agent(all, agent, agents[static_cast<std::size_t>(sim::index(agent))]);

  std::vector<std::string> sessions;  // in order of first appearance
  for (const auto& t : all.tasks) {
    const std::string s = trace::recording_session(t);
    if (std::find(sessions.begin(), sessions.end(), s) == sessions.end()) sessions.push_back(s);
  }

  LearnerFidelity out;
  out.lr = lr.value_or(policies::dsp_openagi_preset().learner.training.adamw.lr);
  double accuracy_sum = 0;
  int accuracy_runs = 0;
  std::int64_t evaluated = 0, hits = 0;
  for (const std::string& session : sessions) {
    trace::Trace part;
    for (const auto& t : all.tasks)
      if (trace::recording_session(t) == session) part.tasks.push_back(t);
    trace::TraceWorkloadConfig config;
    config.fit_agents = false;
    config.text_features = trace::TextFeatureConfig{};  // DSP's predictor reads the task and history text
    const trace::TraceWorkload workload(part, std::move(config));
    int max_steps = 1;
    for (const auto& t : part.tasks) max_steps = std::max(max_steps, static_cast<int>(t.steps.size()));
    sim::SimClock clock;
    models::SimBackend backend(agents, workload, clock, seed, max_steps);
    policies::DspConfig preset = policies::dsp_openagi_preset();
    if (lr) preset.learner.training.adamw.lr = *lr;
    policies::DspPolicy policy(preset, policies::PolicyEnv{seed, "dsp(dsp_openagi)/" + session});
    sim::PlannerConfig planner_config;
    planner_config.max_steps = max_steps;
    sim::Planner planner(planner_config, clock, backend, policy, &backend, nullptr);
    for (std::size_t e = 0; e < part.tasks.size(); ++e) {
      const sim::EpisodeRun& run = planner.run_episode(static_cast<std::int64_t>(e));
      for (const auto& r : run.rounds) ++out.simulated_k[r.k];
      for (const auto& r : part.tasks[e].rounds) ++out.recorded_k[static_cast<int>(r.k)];
      const auto& src = part.tasks[e].source;
      if (src.is_object() && src.contains("dsp_summary") && src["dsp_summary"].is_object() &&
          src["dsp_summary"].contains("predictor acc") && src["dsp_summary"]["predictor acc"].is_number()) {
        accuracy_sum += src["dsp_summary"]["predictor acc"].get<double>();
        ++accuracy_runs;
      }
    }
    // Jobs still running when the folder's last task ended never landed in DSP's run either.
    out.jobs += policy.learning()->jobs_completed;
    evaluated += policy.learning()->evaluated;
    hits += policy.learning()->hits;
    ++out.sessions;
  }
  std::set<int> ks;
  double sim_n = 0, rec_n = 0;
  for (const auto& [k, n] : out.simulated_k) {
    ks.insert(k);
    sim_n += static_cast<double>(n);
  }
  for (const auto& [k, n] : out.recorded_k) {
    ks.insert(k);
    rec_n += static_cast<double>(n);
  }
  for (int k : ks) {
    const double p = sim_n > 0 && out.simulated_k.count(k) ? static_cast<double>(out.simulated_k[k]) / sim_n : 0.0;
    const double q = rec_n > 0 && out.recorded_k.count(k) ? static_cast<double>(out.recorded_k[k]) / rec_n : 0.0;
    out.total_variation += 0.5 * std::abs(p - q);
  }
  out.simulated_mean_k = mean_k(out.simulated_k);
  out.recorded_mean_k = mean_k(out.recorded_k);
  out.accuracy = evaluated > 0 ? static_cast<double>(hits) / static_cast<double>(evaluated) : 0.0;
  if (accuracy_runs > 0) out.recorded_accuracy = accuracy_sum / accuracy_runs;
  return out;
}

}  // namespace specsim::runner
