#include "tools/specsim/experiment.hpp"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "analysis/episode_metrics.hpp"
#include "models/sim_backend.hpp"
#include "policies/basic_policies.hpp"
#include "sim/planner.hpp"

namespace specsim::app {

namespace {

struct ChunkResult {
  std::vector<analysis::EpisodeMetrics> episodes;
  std::vector<analysis::CallRow> calls;
  std::vector<analysis::RoundRow> rounds;
  std::vector<analysis::LearningRow> learning;
  std::optional<policies::LearningStats> learning_delta;
  std::vector<std::int64_t> k_counts;  // rounds by chosen k
  std::int64_t steps = 0;
};

// One episode of a learning policy, from the change of its cumulative counters.
analysis::LearningRow learning_row(std::int64_t episode, const policies::LearningStats& d,
                                   const policies::LearningStats& now, double mean_k) {
  analysis::LearningRow row{};
  row.episode = episode;
  row.predictions = static_cast<std::int32_t>(d.predictions);
  row.evaluated = static_cast<std::int32_t>(d.evaluated);
  row.accuracy = d.evaluated > 0 ? static_cast<double>(d.hits) / static_cast<double>(d.evaluated) : 0.0;
  row.mae = d.evaluated > 0 ? d.abs_error / static_cast<double>(d.evaluated) : 0.0;
  row.mean_k = mean_k;
  row.training_jobs = static_cast<std::int32_t>(now.jobs_completed);
  row.staleness = d.predictions > 0 ? d.staleness / static_cast<double>(d.predictions) : 0.0;
  return row;
}

sim::PlannerConfig planner_config(const Scenario& s) {
  sim::PlannerConfig c;
  c.max_steps = s.max_steps;
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

// One policy instance with its own clock, world and planner.
class Lane {
 public:
  Lane(const Scenario& s, const policies::PolicySpec& spec)
      : scenario_(s), policy_(spec.make(policies::PolicyEnv{s.seed, spec.label})),
        backend_(s.agents, *s.workload, clock_, s.seed, s.max_steps),
        planner_(planner_config(s), clock_, backend_, *policy_, &backend_, spec.looks_ahead ? &backend_ : nullptr) {}

  ChunkResult run(std::int64_t first, std::int64_t count) {
    ChunkResult r;
    r.episodes.reserve(static_cast<std::size_t>(count));
    const policies::LearningStats* learning = policy_->learning();
    const policies::LearningStats chunk_start = learning ? *learning : policies::LearningStats{};
    for (std::int64_t e = first; e < first + count; ++e) {
      const policies::LearningStats before = learning ? *learning : policies::LearningStats{};
      const sim::EpisodeRun& run = planner_.run_episode(e);
      r.episodes.push_back(analysis::measure_episode(run, scenario_.agents, scenario_.billing));
      r.steps += run.steps;
      for (const sim::RoundRecord& round : run.rounds) {
        if (r.k_counts.size() <= static_cast<std::size_t>(round.k)) r.k_counts.resize(static_cast<std::size_t>(round.k) + 1, 0);
        ++r.k_counts[static_cast<std::size_t>(round.k)];
      }
      if (learning) r.learning.push_back(learning_row(e, *learning - before, *learning, r.episodes.back().mean_k));
      if (e < scenario_.record_episodes) {
        auto calls = analysis::call_rows(run, scenario_.agents, scenario_.billing);
        r.calls.insert(r.calls.end(), calls.begin(), calls.end());
        auto rounds = analysis::round_rows(run);
        r.rounds.insert(r.rounds.end(), rounds.begin(), rounds.end());
      }
    }
    if (learning) r.learning_delta = *learning - chunk_start;
    return r;
  }

 private:
  const Scenario& scenario_;
  sim::SimClock clock_;
  std::unique_ptr<policies::Policy> policy_;
  models::SimBackend backend_;
  sim::Planner planner_;
};

class Scheduler {
 public:
  Scheduler(const Scenario& s, std::vector<policies::PolicySpec> lanes, const RunOptions& o)
      : scenario_(s), specs_(std::move(lanes)), chunk_(o.chunk_episodes),
        chunks_((s.episodes + o.chunk_episodes - 1) / o.chunk_episodes),
        window_(std::max<std::int64_t>(2, o.threads)), persistent_(specs_.size()),
        next_chunk_(specs_.size(), 0) {}

  // Runs tasks until none is left; called by each worker thread (or inline with one thread).
  void work() {
    while (true) {
      std::size_t lane = 0;
      std::int64_t chunk = 0;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return failed_ || finished_all() || pick(lane, chunk); });
        if (failed_ || finished_all()) return;
        started_[{chunk, lane}] = true;
      }
      try {
        ChunkResult r = run_task(lane, chunk);
        std::lock_guard lock(mutex_);
        results_[{chunk, lane}] = std::move(r);
        if (specs_[lane].learns) ++next_chunk_[lane];
      } catch (...) {
        std::lock_guard lock(mutex_);
        if (!error_) error_ = std::current_exception();
        failed_ = true;
      }
      ready_.notify_all();
    }
  }

  // The chunk's results for every lane, in lane order; waits until all are in.
  std::vector<ChunkResult> take(std::int64_t chunk) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return failed_ || complete(chunk); });
    if (failed_) std::rethrow_exception(error_);
    std::vector<ChunkResult> out;
    for (std::size_t l = 0; l < specs_.size(); ++l) {
      auto it = results_.find({chunk, l});
      out.push_back(std::move(it->second));
      results_.erase(it);
      started_.erase({chunk, l});
    }
    consumed_ = chunk + 1;
    ready_.notify_all();
    return out;
  }

  // The single-threaded path: the chunk's tasks, in lane order, on the calling thread.
  void run_inline(std::int64_t chunk) {
    for (std::size_t l = 0; l < specs_.size(); ++l) {
      results_[{chunk, l}] = run_task(l, chunk);
      if (specs_[l].learns) ++next_chunk_[l];
    }
  }

  void fail(std::exception_ptr e) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = e;
    failed_ = true;
    ready_.notify_all();
  }

  std::int64_t chunks() const { return chunks_; }

 private:
  using Key = std::pair<std::int64_t, std::size_t>;  // (chunk, lane)

  bool finished_all() const { return consumed_ >= chunks_; }
  bool complete(std::int64_t chunk) const {
    for (std::size_t l = 0; l < specs_.size(); ++l)
      if (!results_.count({chunk, l})) return false;
    return true;
  }
  // The first task in (chunk, lane) order that may run now.
  bool pick(std::size_t& lane, std::int64_t& chunk) const {
    for (std::int64_t c = consumed_; c < std::min(chunks_, consumed_ + window_); ++c)
      for (std::size_t l = 0; l < specs_.size(); ++l) {
        if (started_.count({c, l})) continue;
        if (specs_[l].learns && next_chunk_[l] != c) continue;  // learning lanes run in order
        lane = l;
        chunk = c;
        return true;
      }
    return false;
  }

  ChunkResult run_task(std::size_t lane, std::int64_t chunk) {
    const std::int64_t first = chunk * chunk_;
    const std::int64_t count = std::min(chunk_, scenario_.episodes - first);
    if (specs_[lane].learns) {
      if (!persistent_[lane]) persistent_[lane] = std::make_unique<Lane>(scenario_, specs_[lane]);
      return persistent_[lane]->run(first, count);
    }
    return Lane(scenario_, specs_[lane]).run(first, count);
  }

  const Scenario& scenario_;
  std::vector<policies::PolicySpec> specs_;
  const std::int64_t chunk_, chunks_, window_;
  std::vector<std::unique_ptr<Lane>> persistent_;
  std::vector<std::int64_t> next_chunk_;

  std::mutex mutex_;
  std::condition_variable ready_;
  std::map<Key, bool> started_;
  std::map<Key, ChunkResult> results_;
  std::int64_t consumed_ = 0;
  bool failed_ = false;
  std::exception_ptr error_;
};

}  // namespace

std::vector<analysis::PolicyInfo> policy_infos(const Scenario& scenario) {
  std::vector<analysis::PolicyInfo> infos;
  for (const auto& p : scenario.policies) infos.push_back({p.label, p.kind, p.config});
  return infos;
}

RunOutcome run_experiment(const Scenario& scenario, const RunOptions& options, analysis::ResultFile* out) {
  const auto t0 = std::chrono::steady_clock::now();
  // Lanes: the scenario's policies, plus a hidden sequential baseline when none is listed.
  std::vector<policies::PolicySpec> lanes = scenario.policies;
  std::size_t baseline = lanes.size();
  for (std::size_t i = 0; i < lanes.size(); ++i)
    if (lanes[i].kind == "sequential") baseline = std::min(baseline, i);
  if (baseline == lanes.size()) {
    policies::PolicySpec seq;
    seq.kind = "sequential";
    seq.label = "(baseline)";
    seq.make = [](const policies::PolicyEnv&) { return std::make_unique<policies::Sequential>(); };
    lanes.push_back(seq);
  }

  std::vector<analysis::PolicyAccumulator> acc;
  for (const auto& p : scenario.policies) acc.emplace_back(p.kind, p.label);

  Scheduler scheduler(scenario, lanes, options);
  std::vector<std::thread> workers;
  const int threads = std::max(1, options.threads);
  RunOutcome outcome;
  try {
    if (threads > 1)
      for (int t = 0; t < threads; ++t) workers.emplace_back([&] { scheduler.work(); });
    for (std::int64_t c = 0; c < scheduler.chunks(); ++c) {
      if (threads == 1) scheduler.run_inline(c);
      std::vector<ChunkResult> results = scheduler.take(c);
      for (std::size_t l = 0; l < scenario.policies.size(); ++l) {
        const ChunkResult& r = results[l];
        for (std::size_t i = 0; i < r.episodes.size(); ++i) acc[l].add(r.episodes[i], results[baseline].episodes[i]);
        acc[l].add_k_counts(r.k_counts);
        if (r.learning_delta) acc[l].add_learning(*r.learning_delta);
        if (out) {
          out->add_episodes(l, r.episodes);
          out->add_calls(l, r.calls);
          out->add_rounds(l, r.rounds);
          if (!r.learning.empty()) out->add_learning(l, r.learning);
        }
      }
      for (const auto& r : results) outcome.simulated_steps += r.steps;
    }
  } catch (...) {
    scheduler.fail(std::current_exception());
    for (auto& w : workers) w.join();
    throw;
  }
  for (auto& w : workers) w.join();
  for (const auto& a : acc) outcome.rows.push_back(a.row());
  outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return outcome;
}

}  // namespace specsim::app
