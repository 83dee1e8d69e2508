#include "tools/runner/fidelity.hpp"

#include <cmath>
#include <map>
#include <memory>
#include <set>

#include "analysis/episode_metrics.hpp"
#include "models/catalogue.hpp"
#include "models/sim_backend.hpp"
#include "models/trace/fitted_agents.hpp"
#include "models/trace/latency_fit.hpp"
#include "models/trace/trace_workload.hpp"
#include "policies/basic_policies.hpp"
#include "policies/drawn_k.hpp"
#include "policies/recorded_k.hpp"
#include "sim/input_error.hpp"
#include "sim/planner.hpp"

namespace specsim::runner {

namespace trace = models::trace;

namespace {

// What the run solved: DSP's datapoint where recorded, else the id after the session.
std::string task_of(const trace::Task& t) {
  if (t.source.is_object()) {
    const auto it = t.source.find("datapoint");
    if (it != t.source.end() && it->is_number_integer()) return "datapoint " + std::to_string(it->get<std::int64_t>());
  }
  const auto slash = t.task_id.rfind('/');
  return slash == std::string::npos ? t.task_id : t.task_id.substr(slash + 1);
}

// DSP's own bill for a run: its summary's prompt and generated tokens at the model's prices.
double dsp_cost(const trace::Task& t, const models::Price& price) {
  if (!t.source.is_object()) return -1;
  const auto s = t.source.find("dsp_summary");
  if (s == t.source.end() || !s->is_object()) return -1;
  const auto in = s->find("total token prompt"), out = s->find("total token generation");
  if (in == s->end() || out == s->end() || !in->is_number() || !out->is_number()) return -1;
  return (in->get<double>() * price.input + out->get<double>() * price.output) * 1e-6;
}

trace::Trace subset(const trace::Trace& all, const std::vector<std::size_t>& tasks) {
  trace::Trace out;
  for (std::size_t i : tasks) out.tasks.push_back(all.tasks[i]);
  return out;
}

struct Simulated {
  double latency_s = 0, cost_usd = 0;
};

// The mean over `draws` episodes of a one-task workload under `policy`.
Simulated simulate(const trace::TraceWorkload& workload, const models::Agents& agents, sim::DepthPolicy& policy,
                   int draws, std::uint64_t seed) {
  const int max_steps = std::max(1, static_cast<int>(workload.trace().tasks.front().steps.size()));
  sim::SimClock clock;
  models::SimBackend backend(agents, workload, clock, seed, max_steps);
  sim::PlannerConfig planner_config;
  planner_config.max_steps = max_steps;
  sim::Planner planner(planner_config, clock, backend, policy, &backend, &backend);
  Simulated sum;
  for (int e = 0; e < draws; ++e) {
    const sim::EpisodeRun& run = planner.run_episode(e);
    sum.latency_s += run.latency.seconds();
    sum.cost_usd += analysis::measure_episode(run, agents, models::Billing::input_only).cost_usd;
  }
  sum.latency_s /= draws;
  sum.cost_usd /= draws;
  return sum;
}

// What a mode knows about a run: the tasks it may learn from and whether the run's session
// speed is known from them.
struct Training {
  std::vector<std::size_t> tasks;
  bool session_speed = false;
};

models::Agents fitted_agents(const trace::Trace& trace, const models::Agents& base) {
  models::Agents agents = base;
  for (auto agent : {sim::Agent::approx, sim::Agent::target}) {
    const auto a = static_cast<std::size_t>(sim::index(agent));
    agents[a] = trace::fit_agent(trace, agent, base[a]);
  }
  return agents;
}

struct Prediction {
  double simulated_s = std::nan(""), naive_s = std::nan("");  // NaN: nothing to learn from
  double cost_usd = 0;
};

// The run replayed as recorded; off-path calls from models fitted to the whole trace. The naive
// estimate is the recording's own target-alone time where it has one.
Prediction replay(const trace::Trace& all, std::size_t i, const models::Agents& base, std::uint64_t seed,
                  std::int64_t& divergences) {
  const trace::Trace one = subset(all, {i});
  const models::Agents agents = fitted_agents(all, base);
  trace::TraceWorkloadConfig config;
  config.fit_agents = false;
  policies::RecordedK policy(1, true);
  const trace::TraceWorkload workload(one, std::move(config));
  const Simulated s = simulate(workload, agents, policy, 1, seed);
  divergences += policy.divergences();
  Prediction p{s.latency_s, 0, s.cost_usd};
  const auto& m = all.tasks[i].measured;
  if (m && m->sequential) {
    p.naive_s = m->sequential->seconds();
  } else {
    policies::Sequential alone;
    p.naive_s = simulate(workload, agents, alone, 1, seed).latency_s;
  }
  return p;
}

// Run i predicted from the training tasks only (its own recorded tokens kept): latencies from
// the models fitted to them, with the session's speed where known; recorded verdicts and k, or
// (modelled) verdicts at their match rate and k drawn from their choices. The naive estimate is
// the target alone on the same world.
Prediction predict(const trace::Trace& all, std::size_t i, const Training& tr, bool modelled,
                   const models::Agents& base, const FidelityOptions& options) {
  if (tr.tasks.empty()) return {};
  const trace::Trace one = subset(all, {i});
  const trace::Trace train = subset(all, tr.tasks);
  auto fit = std::make_shared<trace::LatencyFit>(trace::fit_latency(train));
  if (tr.session_speed) {
    std::vector<std::size_t> same;
    for (std::size_t j = 0; j < train.tasks.size(); ++j)
      if (trace::recording_session(train.tasks[j]) == trace::recording_session(all.tasks[i])) same.push_back(j);
    fit->session = trace::session_factor(*fit, train, same);
  }
  trace::TraceWorkloadConfig config;
  config.fit_agents = false;
  config.fitted_latency = true;
  config.latency_fit = fit;
  std::unique_ptr<sim::DepthPolicy> policy;
  if (modelled) {
    config.modelled_verdicts = true;
    config.match_rate = trace::match_rate(train, *trace::make_match_rule("exact"));
    std::vector<int> ks;
    std::vector<sim::Time> delays;
    for (const auto& t : train.tasks)
      for (const auto& round : t.rounds) ks.push_back(static_cast<int>(round.k));
    for (double s : fit->predictor_s) delays.push_back(sim::Time::from_seconds(s));
    policy = std::make_unique<policies::DrawnK>(std::move(ks), std::move(delays), options.seed);
  } else {
    policy = std::make_unique<policies::RecordedK>(1, true);
  }
  const models::Agents agents = fitted_agents(train, base);
  Prediction p;
  const trace::TraceWorkload workload(one, std::move(config));
  p.simulated_s = simulate(workload, agents, *policy, options.draws, options.seed).latency_s;
  policies::Sequential alone;
  p.naive_s = simulate(workload, agents, alone, options.draws, options.seed).latency_s;
  return p;
}

void add(FidelityMode& mode, const Prediction& p) {
  mode.simulated_s.push_back(p.simulated_s);
  mode.naive_s.push_back(p.naive_s);
}

// The spread of the same task's runs in different sessions (FidelityReport::noise_floor).
void noise_floor(FidelityReport& report) {
  std::map<std::string, std::vector<const FidelityRun*>> by_task;
  for (const auto& run : report.runs) by_task[run.task].push_back(&run);
  double spread = 0;
  for (const auto& [task, runs] : by_task) {
    std::set<std::string> in;
    for (const auto* r : runs) in.insert(r->session);
    if (in.size() < 2) continue;
    double mean = 0;
    for (const auto* r : runs) mean += r->measured_s;
    mean /= static_cast<double>(runs.size());
    for (const auto* r : runs) spread += std::abs(r->measured_s / mean - 1);
    report.noise_floor_runs += static_cast<std::int64_t>(runs.size());
  }
  if (report.noise_floor_runs > 0) report.noise_floor = 100 * spread / static_cast<double>(report.noise_floor_runs);
}

// Runs a mode could not predict (nothing to learn from: NaN) are left out of its figures.
void summarise(FidelityMode& m, const std::vector<FidelityRun>& runs) {
  double measured = 0, simulated = 0, naive = 0, abs_err = 0, abs_naive = 0, n = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (std::isnan(m.simulated_s[i])) continue;
    measured += runs[i].measured_s;
    simulated += m.simulated_s[i];
    naive += m.naive_s[i];
    abs_err += std::abs(m.simulated_s[i] / runs[i].measured_s - 1);
    abs_naive += std::abs(m.naive_s[i] / runs[i].measured_s - 1);
    ++n;
  }
  if (n == 0 || measured <= 0) return;
  m.mean_error = simulated / measured - 1;
  m.naive_mean_error = naive / measured - 1;
  m.mape = 100 * abs_err / n;
  m.naive_mape = 100 * abs_naive / n;
}

}  // namespace

const FidelityMode* FidelityReport::mode(const std::string& name) const {
  for (const auto& m : modes)
    if (m.name == name) return &m;
  return nullptr;
}

models::Agents agents_of_model(const std::string& model) {
  const models::ModelInfo* info = models::Catalogue::builtin().find(model);
  if (!info) throw sim::InputError("--model", 0, 0, "", "unknown model '" + model + "'");
  models::Agents agents;
  for (auto& a : agents) {
    a.model = info->name;
    a.price = info->price;
    a.latency = info->latency;
    a.output = {models::TokenDistribution{}};
  }
  return agents;
}

FidelityReport fidelity(const trace::Trace& all, const FidelityOptions& options) {
  const models::Agents base = agents_of_model(options.model);
  if (options.draws < 1) throw sim::InputError("--draws", 0, 0, "", "must be >= 1");

  FidelityReport report;
  std::vector<std::size_t> measured;  // tasks with a measured time
  std::set<std::string> sessions;
  for (std::size_t i = 0; i < all.tasks.size(); ++i) {
    const trace::Task& t = all.tasks[i];
    if (!t.measured || !t.measured->latency || t.measured->latency->seconds() <= 0) continue;
    measured.push_back(i);
    FidelityRun run;
    run.task_id = t.task_id;
    run.session = trace::recording_session(t);
    run.task = task_of(t);
    run.steps = static_cast<int>(t.steps.size());
    run.rounds = static_cast<int>(t.rounds.size());
    run.measured_s = t.measured->latency->seconds();
    run.dsp_cost_usd = dsp_cost(t, base.front().price);
    report.runs.push_back(run);
    sessions.insert(run.session);
  }
  if (report.runs.empty())
    throw sim::InputError(all.file, 0, 0, "measured.latency_s",
                          "no task has a measured latency, so there is nothing to compare the simulation with "
                          "(a synthetic trace, or recorded runs without their simulation logs)");

  // What each held-out mode may learn from, for task i of the trace.
  const auto loto = [&](std::size_t i) {
    Training tr{{}, true};
    for (std::size_t j = 0; j < all.tasks.size(); ++j)
      if (task_of(all.tasks[j]) != task_of(all.tasks[i])) tr.tasks.push_back(j);
    return tr;
  };
  const auto lofo = [&](std::size_t i) {
    Training tr{{}, false};
    for (std::size_t j = 0; j < all.tasks.size(); ++j)
      if (trace::recording_session(all.tasks[j]) != trace::recording_session(all.tasks[i])) tr.tasks.push_back(j);
    return tr;
  };

  FidelityMode replayed{"replay", "the run's own latencies, verdicts and k (a check of the planner)", {}, {}};
  FidelityMode held{"loto", "leave one task out: fitted latencies; recorded verdicts and k", {}, {}};
  FidelityMode modelled{"loto_modelled", "leave one task out: fitted latencies, modelled verdicts and k", {}, {}};
  FidelityMode folder{"lofo", "leave one folder out: fitted latencies; recorded verdicts and k", {}, {}};
  for (std::size_t r = 0; r < measured.size(); ++r) {
    const std::size_t i = measured[r];
    const Prediction p = replay(all, i, base, options.seed, report.divergences);
    report.runs[r].replay_cost_usd = p.cost_usd;
    add(replayed, p);
    add(held, predict(all, i, loto(i), false, base, options));
    add(modelled, predict(all, i, loto(i), true, base, options));
    if (sessions.size() > 1) add(folder, predict(all, i, lofo(i), false, base, options));
  }
  report.modes = {replayed, held, modelled};
  if (sessions.size() > 1) report.modes.push_back(folder);  // one session: no folder to leave out
  for (auto& m : report.modes) summarise(m, report.runs);
  noise_floor(report);
  return report;
}

}  // namespace specsim::runner
