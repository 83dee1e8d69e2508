#include "tools/runner/learner_fidelity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <set>
#include <vector>

#include "models/catalogue.hpp"
#include "models/sim_backend.hpp"
#include "models/trace/fitted_agents.hpp"
#include "models/trace/trace_workload.hpp"
#include "policies/dsp_policy.hpp"
#include "policies/learner/pretrain.hpp"
#include "policies/recorded_k.hpp"
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

// "bs_16_ep_3" in a folder's path: the batch (batch_size_steps) and epochs its run trained with.
void folder_settings(const std::string& session, int& batch_steps, int& epochs) {
  const std::size_t at = session.rfind("bs_");
  if (at == std::string::npos) return;
  int b = 0, e = 0;
  char tail = 0;
  if (std::sscanf(session.c_str() + at, "bs_%d_ep_%d%c", &b, &e, &tail) >= 2 && b > 0 && e > 0 &&
      (tail == 0 || tail == '/')) {
    batch_steps = b;
    epochs = e;
  }
}

// DSP's offline training of the value function its online script loads (lambda_return_train.py):
// PretrainConfig's 30 epochs of batches of 16 trajectories, Adam (at `lr`; DSP's 1e-4), the
// online loss (MSE) and returns with lambda 1 and gamma 1.
policies::learner::PretrainConfig dsp_offline_pretraining(const policies::learner::TrainerConfig& online, double lr) {
  policies::learner::PretrainConfig p;
  p.targets = online;
  p.targets.lambda = 1.0;
  p.targets.gamma = 1.0;
  p.adamw.lr = lr;
  p.adamw.weight_decay = 0;
  return p;
}

struct SessionRun {
  std::map<int, std::int64_t> k;
  sim::LearningStats stats;
  std::vector<LearnerJob> jobs;
  policies::learner::ReplayBuffer buffer;
};

// DSP's collector on a run as it was recorded: the dsp policy builds its trajectories while the
// rounds take the recorded k.
class RecordedRunCollector final : public policies::Policy {
 public:
  explicit RecordedRunCollector(policies::DspPolicy& dsp) : dsp_(dsp) {}
  void attach(sim::Clock& clock) override { dsp_.attach(clock); }
  policies::Decision choose_k(const policies::RoundContext& context) override {
    dsp_.choose_k(context);
    return recorded_.choose_k(context);
  }
  void on_round_end(const policies::RoundOutcome& outcome) override { dsp_.on_round_end(outcome); }
  const sim::LearningStats* learning() const override { return dsp_.learning(); }

 private:
  policies::DspPolicy& dsp_;
  policies::RecordedK recorded_{1, true};
};

// One folder's tasks in order on one timeline, under one dsp policy (choosing k, or following
// the recorded k).
SessionRun run_session(const trace::Trace& part, const models::Agents& agents, const policies::DspConfig& config,
                       std::uint64_t seed, const std::string& session, bool recorded_k = false) {
  trace::TraceWorkloadConfig wc;
  wc.fit_agents = false;
  wc.text_features = trace::TextFeatureConfig{};  // DSP's predictor reads the task and history text
  const trace::TraceWorkload workload(part, std::move(wc));
  int max_steps = 1;
  for (const auto& t : part.tasks) max_steps = std::max(max_steps, static_cast<int>(t.steps.size()));
  sim::SimClock clock;
  models::SimBackend backend(agents, workload, clock, seed, max_steps);
  policies::DspPolicy policy(config, policies::PolicyEnv{seed, "dsp(dsp_openagi)/" + session});
  RecordedRunCollector collector(policy);
  sim::PlannerConfig planner_config;
  planner_config.max_steps = max_steps;
  sim::Planner planner(planner_config, clock, backend, recorded_k ? static_cast<policies::Policy&>(collector) : policy,
                       &backend, recorded_k ? &backend : nullptr);
  SessionRun out;
  for (std::size_t e = 0; e < part.tasks.size(); ++e) {
    const sim::EpisodeRun& run = planner.run_episode(static_cast<std::int64_t>(e));
    for (const auto& r : run.rounds) ++out.k[r.k];
    // Jobs completed during this task; those still running when the folder's last task ended
    // never landed in DSP's run either.
    for (std::size_t j = out.jobs.size(); j < policy.completed_jobs().size(); ++j) {
      const auto& s = policy.completed_jobs()[j];
      out.jobs.push_back({static_cast<std::int64_t>(e), 2 * s.loss_before, s.accuracy_before});  // half MSE -> MSE
    }
  }
  out.stats = *policy.learning();
  out.buffer = policy.replay_buffer();
  return out;
}

}  // namespace

LearnerFidelity learner_fidelity(const trace::Trace& all, const std::string& model, std::uint64_t seed,
                                 const LearnerOptions& options) {
  models::Agents agents = agents_of_model(model);
  for (auto agent : {sim::Agent::approx, sim::Agent::target})
    agents[static_cast<std::size_t>(sim::index(agent))] =
        trace::fit_agent(all, agent, agents[static_cast<std::size_t>(sim::index(agent))]);

  std::vector<std::string> sessions;  // in order of first appearance
  for (const auto& t : all.tasks) {
    const std::string s = trace::recording_session(t);
    if (std::find(sessions.begin(), sessions.end(), s) == sessions.end()) sessions.push_back(s);
  }
  std::vector<trace::Trace> parts(sessions.size());
  std::vector<policies::DspConfig> configs(sessions.size(), policies::dsp_openagi_preset());
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    for (const auto& t : all.tasks)
      if (trace::recording_session(t) == sessions[i]) parts[i].tasks.push_back(t);
    auto& training = configs[i].learner.training;
    folder_settings(sessions[i], training.batch_steps, training.epochs);
  }

  // The offline data: the trajectories DSP's collector builds on each folder's run as recorded.
  std::vector<policies::learner::ReplayBuffer> offline;
  if (options.pretrain_lr)
    for (std::size_t i = 0; i < sessions.size(); ++i)
      offline.push_back(run_session(parts[i], agents, configs[i], seed, sessions[i], true).buffer);

  LearnerFidelity out;
  out.lr = options.lr.value_or(policies::dsp_openagi_preset().learner.training.adamw.lr);
  out.pretrain_lr = options.pretrain_lr.value_or(0);
  double accuracy_sum = 0;
  int accuracy_runs = 0;
  std::int64_t evaluated = 0, hits = 0;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    policies::DspConfig config = configs[i];
    if (options.lr) config.learner.training.adamw.lr = *options.lr;
    if (options.pretrain_lr) {
      std::size_t n = 0;
      for (std::size_t o = 0; o < sessions.size(); ++o)
        if (o != i) n += offline[o].size();
      if (n > 0) {
        policies::learner::ReplayBuffer data(n);
        for (std::size_t o = 0; o < sessions.size(); ++o)
          for (std::size_t t = 0; o != i && t < offline[o].size(); ++t) data.add(offline[o][t]);
        sim::RandomStream init_rng(seed, "dsp-pretrain-init/" + sessions[i], 0), rng(seed, "dsp-pretrain/" + sessions[i], 0);
        const auto shape = config.learner.predictor.shape(static_cast<int>(data[0].features.rows()));
        config.initial_weights = std::make_shared<const policies::learner::Mlp>(
            policies::learner::pretrain(shape, data, dsp_offline_pretraining(config.learner.training, *options.pretrain_lr),
                                        init_rng, rng));
      }
    }
    const SessionRun run = run_session(parts[i], agents, config, seed, sessions[i]);
    LearnerSession s{sessions[i], config.learner.training.batch_steps, config.learner.training.epochs, {}, run.jobs};
    for (const auto& [k, n] : run.k) out.simulated_k[k] += n;
    for (std::size_t e = 0; e < parts[i].tasks.size(); ++e) {
      const trace::Task& task = parts[i].tasks[e];
      for (const auto& r : task.rounds) ++out.recorded_k[static_cast<int>(r.k)];
      for (const auto& job : task.training)
        s.recorded.push_back({static_cast<std::int64_t>(e), job.epochs.front().loss, job.epochs.front().accuracy});
      const auto& src = task.source;
      if (src.is_object() && src.contains("dsp_summary") && src["dsp_summary"].is_object() &&
          src["dsp_summary"].contains("predictor acc") && src["dsp_summary"]["predictor acc"].is_number()) {
        accuracy_sum += src["dsp_summary"]["predictor acc"].get<double>();
        ++accuracy_runs;
      }
    }
    out.jobs += run.stats.jobs_completed;
    out.recorded_jobs += static_cast<std::int64_t>(s.recorded.size());
    evaluated += run.stats.evaluated;
    hits += run.stats.hits;
    ++out.sessions;
    out.session_jobs.push_back(std::move(s));
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

JobsOverTime jobs_over_time(const LearnerFidelity& l) {
  std::size_t tasks = 0;
  for (const auto& s : l.session_jobs)
    for (const auto* jobs : {&s.recorded, &s.simulated})
      for (const auto& j : *jobs) tasks = std::max(tasks, static_cast<std::size_t>(j.task) + 1);
  JobsOverTime out;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto mean_by_task = [&](bool recorded, bool loss) {
    std::vector<double> sum(tasks, 0.0), n(tasks, 0.0);
    for (const auto& s : l.session_jobs)
      for (const auto& j : recorded ? s.recorded : s.simulated) {
        sum[static_cast<std::size_t>(j.task)] += loss ? j.loss : j.accuracy;
        ++n[static_cast<std::size_t>(j.task)];
      }
    for (std::size_t t = 0; t < tasks; ++t) sum[t] = n[t] > 0 ? sum[t] / n[t] : nan;
    return sum;
  };
  out.recorded_accuracy = mean_by_task(true, false);
  out.simulated_accuracy = mean_by_task(false, false);
  out.recorded_loss = mean_by_task(true, true);
  out.simulated_loss = mean_by_task(false, true);
  return out;
}

}  // namespace specsim::runner
