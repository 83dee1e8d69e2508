#include "tools/runner/experiment.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>

#include "analysis/episode_metrics.hpp"
#include "analysis/sinks/h5_sink.hpp"
#include "analysis/sinks/summary_sink.hpp"
#include "models/episode_scripts.hpp"
#include "models/sim_backend.hpp"
#include "policies/basic_policies.hpp"
#include "sim/input_error.hpp"
#include "sim/ordered_pool.hpp"
#include "sim/planner.hpp"

namespace specsim::runner {

sim::PlannerConfig planner_config(const Scenario& s) {
  sim::PlannerConfig c;
  c.max_steps = s.max_steps;
  c.semantics = s.semantics;
  for (const auto& [model, limit] : s.concurrency) {
    const int pool = static_cast<int>(c.pool_capacity.size());
    bool used = false;
    for (int a = 0; a < sim::kAgents; ++a) {
      if (s.agents[static_cast<std::size_t>(a)].model == model) {
        c.pool_of_agent[static_cast<std::size_t>(a)] = pool;
        used = true;
      }
    }
    if (used) c.pool_capacity.push_back(limit);
  }
  return c;
}

namespace {

// One policy instance with its own clock, simulated world and planner.
// Its planner prices each round's calls as the round closes and keeps the calls and rounds only
// of the episodes the result file records, so an episode's result is a few hundred bytes.
class Lane {
 public:
  Lane(const Scenario& s, const policies::PolicySpec& spec)
      : file_(s.file), label_(spec.label), policy_(spec.make(policies::PolicyEnv{s.seed, spec.label, false, s.objective.value_of_time_usd_per_s})),
        endpoints_(s.agents, clock_), backend_(s.agents, *s.workload, clock_, s.seed, s.max_steps, &endpoints_), meter_(s.agents, s.billing),
        planner_(metered_config(s, meter_), clock_, backend_, *policy_, &backend_, spec.looks_ahead ? &backend_ : nullptr) {}

  // `scripts`, if not null, holds the episodes' worlds. `runs` may hold records of an earlier
  // chunk: each episode's is copied over one of them, into storage it already has.
  std::vector<sim::EpisodeRun> run(std::int64_t first, std::int64_t count, const models::EpisodeScripts* scripts,
                                   std::vector<sim::EpisodeRun> runs = {}) {
    backend_.share_scripts(scripts);
    runs.resize(static_cast<std::size_t>(count));
    for (std::int64_t e = first; e < first + count; ++e) {
      sim::EpisodeRun& run = runs[static_cast<std::size_t>(e - first)];
      run = planner_.run_episode(e);
      if (clock_.now().saturated() || run.latency.saturated())
        throw sim::InputError(file_, 0, 0, "", "episode " + std::to_string(e) + " of " + label_ +
                                                   " takes the simulated clock past 292 years (int64 nanoseconds): "
                                                   "shorten the calls, max_steps or the episodes of a learning policy");
    }
    return runs;
  }

 private:
  static sim::PlannerConfig metered_config(const Scenario& s, const analysis::PriceMeter& meter) {
    sim::PlannerConfig c = planner_config(s);
    c.meter = &meter;
    c.record_episodes = s.record_episodes;
    return c;
  }

  std::string file_, label_;
  sim::SimClock clock_;
  std::unique_ptr<policies::Policy> policy_;
  models::ServedEndpoints endpoints_;  // an episode's own calls share them (k guesses in flight at once)
  models::SimBackend backend_;
  analysis::PriceMeter meter_;
  sim::Planner planner_;
};

// Each lane's result vectors once their chunk is consumed, for a later chunk of the lane: an
// episode's record copied over a used one keeps its storage (its k counts), where a new record
// allocates it, once per episode. At most a window of chunks per lane waits here.
class SpareRuns {
 public:
  explicit SpareRuns(std::size_t lanes) : spare_(lanes) {}
  std::vector<sim::EpisodeRun> take(std::size_t lane) {
    std::lock_guard lock(mutex_);
    auto& spare = spare_[lane];
    if (spare.empty()) return {};
    std::vector<sim::EpisodeRun> runs = std::move(spare.back());
    spare.pop_back();
    return runs;
  }
  void give(std::size_t lane, std::vector<sim::EpisodeRun>&& runs) {
    std::lock_guard lock(mutex_);
    spare_[lane].push_back(std::move(runs));
  }

 private:
  std::mutex mutex_;
  std::vector<std::vector<std::vector<sim::EpisodeRun>>> spare_;
};

// Each chunk's scripts, made by the first of its tasks that asks and shared by its lanes until the
// chunk is consumed; then their storage serves a later chunk.
class ChunkScripts {
 public:
  explicit ChunkScripts(const Scenario& s) : scenario_(s) {}

  const models::EpisodeScripts& get(std::int64_t chunk, std::int64_t first, std::int64_t count) {
    Entry* entry;
    {
      std::lock_guard lock(mutex_);
      auto& slot = chunks_[chunk];
      if (!slot) {
        slot = std::make_unique<Entry>();
        if (!spare_.empty()) {
          slot->scripts = std::move(spare_.back());
          spare_.pop_back();
        }
      }
      entry = slot.get();
    }
    std::call_once(entry->made, [&] {
      entry->scripts.make(*scenario_.workload, scenario_.agents, scenario_.seed, scenario_.max_steps, first, count);
    });
    return entry->scripts;
  }
  void drop(std::int64_t chunk) {
    std::lock_guard lock(mutex_);
    const auto it = chunks_.find(chunk);
    if (it == chunks_.end()) return;
    spare_.push_back(std::move(it->second->scripts));
    chunks_.erase(it);
  }

 private:
  struct Entry {
    std::once_flag made;
    models::EpisodeScripts scripts;
  };
  const Scenario& scenario_;
  std::mutex mutex_;
  std::map<std::int64_t, std::unique_ptr<Entry>> chunks_;
  std::vector<models::EpisodeScripts> spare_;
};

}  // namespace

std::vector<policies::PolicySpec> lane_specs(const Scenario& scenario) {
  std::vector<policies::PolicySpec> lanes = scenario.policies;
  for (const auto& p : lanes)
    if (p.kind == "sequential") return lanes;
  policies::PolicySpec seq;
  seq.kind = "sequential";
  seq.label = "(baseline)";
  seq.make = [](const policies::PolicyEnv&) { return std::make_unique<policies::Sequential>(); };
  lanes.push_back(seq);
  return lanes;
}

sim::RunInfo run_info(const Scenario& scenario) {
  sim::RunInfo info;
  info.name = scenario.name;
  info.seed = scenario.seed;
  info.episodes = scenario.episodes;
  const auto specs = lane_specs(scenario);
  info.baseline = specs.size();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const bool hidden = i >= scenario.policies.size();
    info.lanes.push_back({specs[i].label, specs[i].kind, specs[i].config, hidden});
    if (specs[i].kind == "sequential" && info.baseline == specs.size()) info.baseline = i;
  }
  return info;
}

bool run_experiment(const Scenario& scenario, const RunOptions& options, sim::RunObserver& sink) {
  const std::vector<policies::PolicySpec> specs = lane_specs(scenario);
  const std::int64_t chunk = options.chunk_episodes;
  const std::int64_t chunks = (scenario.episodes + chunk - 1) / chunk;
  std::vector<bool> sequential;
  for (const auto& s : specs) sequential.push_back(s.learns);
  // A learning lane keeps its instance (and its simulated timeline) from chunk to chunk. Its
  // training jobs run inline, on the pool thread that runs the lane: a worker of its own would
  // overlap a job only with the few steps planned before its completion event, and its hand-off
  // costs more than that (docs/performance.md, "Training inline in simulated runs").
  std::vector<std::unique_ptr<Lane>> persistent(specs.size());
  ChunkScripts scripts(scenario);
  SpareRuns spare(specs.size());

  const auto run = [&](std::size_t lane, std::int64_t c) {
    const std::int64_t first = c * chunk;
    const std::int64_t count = std::min(chunk, scenario.episodes - first);
    const models::EpisodeScripts& shared = scripts.get(c, first, count);
    if (!specs[lane].learns) return Lane(scenario, specs[lane]).run(first, count, &shared, spare.take(lane));
    if (!persistent[lane]) persistent[lane] = std::make_unique<Lane>(scenario, specs[lane]);
    return persistent[lane]->run(first, count, &shared, spare.take(lane));
  };
  sim::ObserverFanout out;
  out.add(sink);
  out.on_run_start(run_info(scenario));
  const auto consume = [&](std::int64_t c, std::vector<std::vector<sim::EpisodeRun>>& results) {
    scripts.drop(c);  // every lane has run the chunk
    for (std::size_t i = 0; i < results.front().size(); ++i)
      for (std::size_t lane = 0; lane < results.size(); ++lane) out.deliver(lane, results[lane][i]);
    for (std::size_t lane = 0; lane < results.size(); ++lane) spare.give(lane, std::move(results[lane]));
  };
  sim::PoolOptions pool;
  pool.threads = options.threads;
  pool.window = std::max(2, options.threads);
  pool.stop = options.stop;
  if (sim::run_ordered<std::vector<sim::EpisodeRun>>(chunks, sequential, pool, run, consume) < chunks) return false;
  out.on_run_end();
  return true;
}

namespace {

RunOutcome run_with(const Scenario& scenario, const RunOptions& options, analysis::SummarySink& summary,
                    sim::RunObserver& sink) {
  const auto t0 = std::chrono::steady_clock::now();
  RunOutcome outcome;
  outcome.completed = run_experiment(scenario, options, sink);
  outcome.rows = summary.rows();
  outcome.simulated_steps = summary.simulated_steps();
  outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return outcome;
}

}  // namespace

RunOutcome run_summary(const Scenario& scenario, const RunOptions& options) {
  analysis::SummarySink summary(scenario.agents, scenario.billing, scenario.objective);
  return run_with(scenario, options, summary, summary);
}

RunOutcome run_to_file(const Scenario& scenario, const RunOptions& options, const std::string& h5_path,
                       const std::map<std::string, std::string>& attributes) {
  analysis::SummarySink summary(scenario.agents, scenario.billing, scenario.objective);
  analysis::H5Sink file(h5_path, attributes, summary, scenario.agents, scenario.billing, scenario.record_episodes);
  sim::ObserverFanout sinks;
  sinks.add(summary);
  sinks.add(file);
  return run_with(scenario, options, summary, sinks);
}

}  // namespace specsim::runner
