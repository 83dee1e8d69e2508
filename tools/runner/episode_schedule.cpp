#include "tools/runner/episode_schedule.hpp"

#include <fmt/format.h>

#include <chrono>
#include <deque>
#include <map>
#include <ostream>
#include <set>

#include "analysis/episode_metrics.hpp"
#include "tools/runner/experiment.hpp"

namespace specsim::runner {

namespace {

struct Active {
  std::unique_ptr<sim::DepthPolicy> own_policy;  // a non-learning lane's, outliving its planner
  std::unique_ptr<ScheduledEpisode> run;
  std::int64_t episode;
  std::size_t lane;
};

std::string eta(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "?";
  if (seconds < 120) return fmt::format("{:.0f} s", seconds);
  return fmt::format("{:.0f} min", seconds / 60);
}

}  // namespace

ScheduleResult run_schedule(const Scenario& scenario, const std::vector<models::live::LiveTask>& tasks,
                            const ScheduleOptions& options, sim::Clock& clock, EpisodeWorld& world, sim::RunObserver& sink) {
  const std::vector<policies::PolicySpec> specs = lane_specs(scenario);
  const auto t0 = std::chrono::steady_clock::now();
  const sim::Time start = clock.now();
  sim::RunInfo info = run_info(scenario);
  info.episodes = options.episodes;
  sim::ObserverFanout out;
  out.add(sink);
  out.on_run_start(info);

  ScheduleResult result;
  result.episodes_planned = options.episodes;
  result.learned.resize(specs.size());
  std::deque<std::pair<std::int64_t, std::size_t>> pending;  // (episode, lane), in episode order
  for (std::int64_t e = 0; e < options.episodes; ++e)
    for (std::size_t l = 0; l < specs.size(); ++l) pending.emplace_back(e, l);
  const std::size_t total_jobs = pending.size();
  std::vector<std::unique_ptr<sim::DepthPolicy>> learning(specs.size());  // a learning lane's one instance
  std::vector<bool> lane_busy(specs.size(), false);
  std::set<std::int64_t> started;
  std::map<std::int64_t, std::vector<std::optional<sim::EpisodeRun>>> finished;
  std::vector<Active> active;
  std::size_t jobs_done = 0;

  const auto start_jobs = [&] {
    for (auto it = pending.begin(); it != pending.end() && static_cast<int>(active.size()) < options.concurrency;) {
      const auto [e, lane] = *it;
      if (!started.count(e) && options.max_cost_usd && result.spent_usd >= *options.max_cost_usd) {
        result.stopped_by_cap = true;  // no new episode: drop every job of the episodes not begun
        std::erase_if(pending, [&](const auto& job) { return !started.count(job.first); });
        return;
      }
      const policies::PolicySpec& spec = specs[lane];
      if (spec.learns && lane_busy[lane]) {
        ++it;
        continue;
      }
      std::unique_ptr<sim::DepthPolicy> own;
      sim::DepthPolicy* policy = nullptr;
      const policies::PolicyEnv env{scenario.seed, spec.label, options.wall_clock, scenario.objective.value_of_time_usd_per_s};
      if (spec.learns) {
        if (!learning[lane]) learning[lane] = spec.make(env);
        policy = learning[lane].get();
        lane_busy[lane] = true;
      } else {
        own = spec.make(env);
        policy = own.get();
      }
      Active job{std::move(own), world.make(e, lane, *policy), e, lane};
      started.insert(e);
      finished[e].resize(specs.size());
      const auto& task = tasks[static_cast<std::size_t>(e)];
      job.run->planner().begin_episode(sim::EpisodeTask{e, task.id, task.text});
      active.push_back(std::move(job));
      it = pending.erase(it);
    }
  };

  const auto deliver_ready = [&] {
    while (!finished.empty()) {
      auto& [e, runs] = *finished.begin();
      for (const auto& r : runs)
        if (!r) return;
      bool ok = true;
      for (std::size_t l = 0; l < runs.size(); ++l)
        if (!runs[l]->error.empty()) {
          ok = false;
          result.failed.push_back({e, tasks[static_cast<std::size_t>(e)].id, specs[l].label, runs[l]->error});
        }
      if (ok) {
        for (std::size_t l = 0; l < runs.size(); ++l) out.deliver(l, *runs[l]);
        ++result.episodes_reported;
      }
      finished.erase(finished.begin());
    }
  };

  const auto progress = [&](bool last) {
    if (!options.progress) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::size_t left = pending.size() + active.size();
    const double rate = jobs_done > 0 ? elapsed / static_cast<double>(jobs_done) : -1;
    *options.progress << fmt::format("\r{}: {}/{} episode runs done, {} in flight, {} calls running, ${:.4f} spent, ETA {}   ",
                                     options.what, jobs_done, total_jobs, active.size(), world.calls_running(), result.spent_usd,
                                     last ? "0 s" : eta(rate * static_cast<double>(left) / std::max(1, options.concurrency)))
                      << (last ? "\n" : "") << std::flush;
  };

  const auto stopped = [&] { return options.stop && options.stop->load(); };
  start_jobs();
  while (!active.empty()) {
    clock.run_until([&] {
      if (stopped()) return true;
      for (const auto& a : active)
        if (a.run->planner().episode_done()) return true;
      return false;
    });
    if (stopped()) {
      active.clear();
      result.completed = false;
      return result;
    }
    for (std::size_t i = 0; i < active.size();) {
      Active& a = active[i];
      if (!a.run->planner().episode_done()) {
        ++i;
        continue;
      }
      const sim::EpisodeRun& run = a.run->planner().end_episode();
      result.spent_usd += analysis::measure_episode(run, scenario.agents, scenario.billing).cost_usd;
      result.calls += static_cast<std::int64_t>(run.calls.size());
      world.ended(*a.run, a.episode, a.lane, run);
      finished[a.episode][a.lane] = run;
      if (specs[a.lane].learns) lane_busy[a.lane] = false;
      if (run.learning_total) result.learned[a.lane] = *run.learning_total;
      active.erase(active.begin() + static_cast<std::ptrdiff_t>(i));
      ++jobs_done;
    }
    deliver_ready();
    start_jobs();
    progress(false);
  }
  progress(true);
  deliver_ready();
  result.elapsed = clock.now() - start;
  out.on_run_end();
  return result;
}

}  // namespace specsim::runner
