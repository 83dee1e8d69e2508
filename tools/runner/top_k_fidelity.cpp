#include "tools/runner/top_k_fidelity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "models/trace/fitted_agents.hpp"
#include "models/trace/latency_fit.hpp"
#include "models/trace/top_k_fit.hpp"
#include "models/trace/trace_workload.hpp"
#include "sim/input_error.hpp"
#include "tools/runner/experiment.hpp"

namespace specsim::runner {

namespace tr = models::trace;

namespace {

// Per task: the other tasks of its group, which a held-out prediction may learn from.
std::vector<std::vector<const tr::Task*>> training_sets(const tr::Trace& trace) {
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < trace.tasks.size(); ++i) groups[tr::recording_session(trace.tasks[i])].push_back(i);
  std::vector<std::vector<const tr::Task*>> out(trace.tasks.size());
  for (const auto& [group, members] : groups)
    for (std::size_t i : members)
      for (std::size_t j : members)
        if (j != i) out[i].push_back(&trace.tasks[j]);
  return out;
}

int most_candidates(const tr::Trace& trace) {
  int k = 1;
  for (const tr::Task& t : trace.tasks)
    for (const tr::Step& s : t.steps)
      if (s.approx) k = std::max(k, 1 + static_cast<int>(s.approx->alternatives.size()));
  return k;
}

tr::Trace trace_of(const std::vector<const tr::Task*>& tasks) {
  tr::Trace out;
  for (const tr::Task* t : tasks) out.tasks.push_back(*t);
  return out;
}

const tr::Task* find_task(const tr::Trace& trace, const std::string& id) {
  for (const tr::Task& t : trace.tasks)
    if (t.task_id == id) return &t;
  return nullptr;
}

struct Figures {
  std::vector<double> latency_s, cost_usd, mean_k;  // per policy of the scenario
  double alone_s = 0, alone_usd = 0;        // the target alone
};

// Every policy of `scenario` on `task` in `world` (workload and agents), `draws` episodes.
Figures run_on(Scenario& scenario, std::unique_ptr<models::Workload> world, const models::Agents& agents, int draws,
               std::size_t sequential) {
  scenario.workload = std::move(world);
  scenario.agents = agents;
  scenario.episodes = draws;
  const RunOutcome outcome = run_summary(scenario, RunOptions{});
  Figures f;
  for (const auto& row : outcome.rows) {
    f.latency_s.push_back(row.latency_mean_s);
    f.cost_usd.push_back(row.cost_usd);
    f.mean_k.push_back(row.mean_k);
  }
  f.alone_s = f.latency_s.at(sequential);
  f.alone_usd = f.cost_usd.at(sequential);
  return f;
}

models::Agents refit(const tr::Trace& trace, models::Agents agents) {
  for (auto agent : {sim::Agent::approx, sim::Agent::target}) {
    auto& a = agents[static_cast<std::size_t>(sim::index(agent))];
    a = tr::fit_agent(trace, agent, a);
  }
  return agents;
}

}  // namespace

double saving_bound(double p) { return p / (1 + p); }

ErrorFigures error_figures(const std::vector<double>& predicted, const std::vector<double>& reference) {
  ErrorFigures e;
  double sum_p = 0, sum_r = 0, abs_pct = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) {
    sum_p += predicted[i];
    sum_r += reference[i];
    if (reference[i] <= 0) continue;
    abs_pct += std::abs(predicted[i] / reference[i] - 1);
    ++e.tasks;
  }
  if (sum_r > 0) e.mean_error = 100 * (sum_p / sum_r - 1);
  if (e.tasks > 0) e.mape = 100 * abs_pct / e.tasks;
  return e;
}

TopKFidelity top_k_fidelity(const tr::Trace& trace, const tr::MatchRule& rule) {
  TopKFidelity out;
  out.candidates = most_candidates(trace);
  const auto k = static_cast<std::size_t>(out.candidates);
  const auto training = training_sets(trace);
  for (std::size_t i = 0; i < trace.tasks.size(); ++i) {
    const tr::Task* held[] = {&trace.tasks[i]};
    const tr::TopKRates own = tr::top_k_rates(held, rule), others = tr::top_k_rates(training[i], rule);
    if (own.guessed == 0 || others.guessed == 0) continue;
    TopKTask t;
    t.task_id = trace.tasks[i].task_id;
    t.group = tr::recording_session(trace.tasks[i]);
    t.guessed = static_cast<int>(own.guessed);
    t.trained_on = static_cast<int>(training[i].size());
    t.measured = tr::hit_curve(held, rule, out.candidates);
    // The curve through the others' top-1 and top-K rates.
    const tr::TopKCurveFit fit = tr::fit_top_k_curve(others);
    t.catch_rate = fit.catch_rate;
    for (int j = 1; j <= out.candidates; ++j) t.predicted.push_back(fit.p(j));
    t.naive.assign(k, others.p1());
    out.tasks.push_back(std::move(t));
  }
  out.mean_error.assign(k, 0);
  out.mae.assign(k, 0);
  out.naive_mean_error.assign(k, 0);
  out.naive_mae.assign(k, 0);
  for (const TopKTask& t : out.tasks)
    for (std::size_t j = 0; j < k; ++j) {
      out.mean_error[j] += t.predicted[j] - t.measured[j];
      out.mae[j] += std::abs(t.predicted[j] - t.measured[j]);
      out.naive_mean_error[j] += t.naive[j] - t.measured[j];
      out.naive_mae[j] += std::abs(t.naive[j] - t.measured[j]);
    }
  if (!out.tasks.empty())
    for (auto* v : {&out.mean_error, &out.mae, &out.naive_mean_error, &out.naive_mae})
      for (double& x : *v) x /= static_cast<double>(out.tasks.size());
  return out;
}

void add_policy_fidelity(TopKFidelity& fidelity, const tr::Trace& trace, Scenario& scenario, int draws) {
  const auto* replayed = dynamic_cast<const tr::TraceWorkload*>(scenario.workload.get());
  if (!replayed) throw sim::InputError(scenario.file, 0, 0, "workload", "expected a trace workload (kind: trace)");
  const tr::TraceWorkloadConfig base = replayed->config();
  scenario.policies = lane_specs(scenario);  // the target alone, listed or not, for the naive estimate
  std::size_t sequential = 0;
  while (scenario.policies[sequential].kind != "sequential") ++sequential;
  const models::Agents scenario_agents = scenario.agents;
  const models::Agents whole = base.fit_agents ? refit(trace, scenario_agents) : scenario_agents;
  const auto training = training_sets(trace);
  fidelity.policies.clear();
  for (const auto& spec : scenario.policies) fidelity.policies.push_back(TopKPolicy{spec.label, {}, {}, {}, {}, {}});
  for (const TopKTask& t : fidelity.tasks) {
    const tr::Task& task = *find_task(trace, t.task_id);
    const std::vector<const tr::Task*>& others = training[static_cast<std::size_t>(&task - trace.tasks.data())];
    const tr::Trace one = trace_of({&task}), train = trace_of(others);

    tr::TraceWorkloadConfig as_recorded = base;
    as_recorded.fit_agents = false;
    const Figures replay = run_on(scenario, std::make_unique<tr::TraceWorkload>(one, as_recorded), whole, draws, sequential);

    tr::TraceWorkloadConfig held = base;
    held.fit_agents = false;
    if (!held.agent_latency) {
      held.fitted_latency = true;
      held.latency_fit = std::make_shared<const tr::LatencyFit>(tr::fit_latency(train));
    }
    held.modelled_verdicts = true;
    held.match_rate = t.predicted.front();
    if (fidelity.candidates > 1) held.top_k = models::TopKCurve{fidelity.candidates, t.catch_rate};
    const models::Agents agents = base.fit_agents ? refit(train, scenario_agents) : scenario_agents;
    const Figures predicted = run_on(scenario, std::make_unique<tr::TraceWorkload>(one, std::move(held)), agents, draws, sequential);

    const double saving = saving_bound(t.predicted.back());
    for (std::size_t p = 0; p < scenario.policies.size(); ++p) {
      // A round of k = 1 looks no step past the one T is computing: the closed form's saving
      // needs a look-ahead of one step (k = 2), so it counts in proportion, up to one.
      const double ahead = std::clamp(predicted.mean_k[p] - 1, 0.0, 1.0);
      fidelity.policies[p].tasks.push_back(PolicyOnTask{replay.latency_s[p], predicted.latency_s[p],
                                                        predicted.alone_s * (1 - ahead * saving), replay.cost_usd[p],
                                                        predicted.cost_usd[p], predicted.alone_usd});
    }
  }
  for (TopKPolicy& p : fidelity.policies) {
    const auto column = [&p](double PolicyOnTask::*field) {
      std::vector<double> v;
      for (const PolicyOnTask& x : p.tasks) v.push_back(x.*field);
      return v;
    };
    const auto replay_s = column(&PolicyOnTask::replay_s), replay_usd = column(&PolicyOnTask::replay_usd);
    p.latency = error_figures(column(&PolicyOnTask::held_out_s), replay_s);
    p.latency_naive = error_figures(column(&PolicyOnTask::naive_s), replay_s);
    p.cost = error_figures(column(&PolicyOnTask::held_out_usd), replay_usd);
    p.cost_naive = error_figures(column(&PolicyOnTask::naive_usd), replay_usd);
  }
}

std::string format_top_k_fidelity(const TopKFidelity& f) {
  const int k = f.candidates;
  std::string s = fmt::format("top-K hit rates p(k), k = 1..{}, each task held out (predicted from its group's other tasks)\n", k);
  s += fmt::format("{:<56} {:>5} {:>5}", "task", "steps", "from");
  for (int j = 1; j <= k; ++j) s += fmt::format("  {:>19}", fmt::format("p({}) meas/pred/naive", j));
  s += "\n";
  for (const TopKTask& t : f.tasks) {
    s += fmt::format("{:<56} {:>5} {:>5}", t.task_id, t.guessed, t.trained_on);
    for (std::size_t j = 0; j < t.measured.size(); ++j)
      s += fmt::format("  {:>5.3f}/{:>5.3f}/{:>5.3f}  ", t.measured[j], t.predicted[j], t.naive[j]);
    s += "\n";
  }
  s += fmt::format("over {} held-out tasks, predicted - measured (mean error / mean absolute error):\n", f.tasks.size());
  for (std::size_t j = 0; j < f.mean_error.size(); ++j)
    s += fmt::format("  p({}): curve {:+.3f} / {:.3f}   naive (the others' top-1 rate) {:+.3f} / {:.3f}\n", j + 1,
                     f.mean_error[j], f.mae[j], f.naive_mean_error[j], f.naive_mae[j]);
  if (f.policies.empty()) return s;

  s += "\npolicies per held-out task: mean latency (s) and cost ($) per episode, replayed with the task's recorded values / "
       "predicted held out / naive\n";
  s += fmt::format("{:<56} {:<24} {:>32}  {:>28}\n", "task", "policy", "latency s replay/held-out/naive",
                   "cost $ replay/held-out/naive");
  for (std::size_t i = 0; i < f.tasks.size(); ++i)
    for (const TopKPolicy& p : f.policies) {
      const PolicyOnTask& x = p.tasks[i];
      s += fmt::format("{:<56} {:<24} {:>10.1f}/{:>10.1f}/{:>10.1f}  {:>8.4f}/{:>8.4f}/{:>8.4f}\n", f.tasks[i].task_id,
                       p.label, x.replay_s, x.held_out_s, x.naive_s, x.replay_usd, x.held_out_usd, x.naive_usd);
    }
  s += fmt::format("\nagainst the replay, over {} tasks: mean error (of the mean) and MAPE, in percent\n", f.tasks.size());
  s += fmt::format("{:<24} {:>16} {:>16} {:>16} {:>16}\n", "policy", "latency held-out", "latency naive", "cost held-out",
                   "cost naive");
  for (const TopKPolicy& p : f.policies) {
    const auto cell = [](const ErrorFigures& e) { return fmt::format("{:+.1f} / {:.1f}", e.mean_error, e.mape); };
    s += fmt::format("{:<24} {:>16} {:>16} {:>16} {:>16}\n", p.label, cell(p.latency), cell(p.latency_naive), cell(p.cost),
                     cell(p.cost_naive));
  }
  return s;
}

}  // namespace specsim::runner
