#include "tools/runner/live_run.hpp"

#include <fmt/format.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <ostream>
#include <set>

#include "analysis/episode_metrics.hpp"
#include "models/live/http_client.hpp"
#include "models/live/live_backend.hpp"
#include "models/live/live_recorder.hpp"
#include "models/trace/trace_writer.hpp"
#include "sim/input_error.hpp"
#include "sim/planner.hpp"
#include "sim/wall_clock.hpp"
#include "tools/runner/experiment.hpp"

namespace specsim::runner {

namespace live = models::live;

namespace {

const live::LiveSettings& settings_of(const Scenario& s) {
  if (!s.live)
    throw sim::InputError(s.file, 0, 0, "agents", "the scenario names no endpoint: give each agent an endpoint and add a live: section");
  return *s.live;
}

// One episode of one lane in flight: its own backend and planner; the policy is the lane's
// (learning) or the episode's own (every other kind).
struct Active {
  Active(const Scenario& s, const live::LiveSettings& settings, live::HttpClient& client, std::array<int, sim::kAgents> endpoints,
         sim::Clock& clock, sim::DepthPolicy& policy, std::int64_t e, std::size_t l)
      : backend(settings, client, endpoints, clock),
        planner(planner_config(s), clock, backend, policy),
        episode(e), lane(l), start(clock.now()) {}
  live::LiveBackend backend;
  sim::Planner planner;
  std::unique_ptr<sim::DepthPolicy> own_policy;  // kept alive for the planner (non-learning lanes)
  std::int64_t episode;
  std::size_t lane;
  sim::Time start;
};

// Agents on the same base URL with the same key share one endpoint, and so its limits.
std::array<int, sim::kAgents> add_endpoints(const live::LiveSettings& settings, live::HttpClient& client) {
  std::array<int, sim::kAgents> ids{};
  std::map<std::pair<std::string, std::string>, int> seen;
  for (int a = 0; a < sim::kAgents; ++a) {
    const auto& ep = settings.agents[static_cast<std::size_t>(a)].endpoint;
    const auto key = std::pair{ep.base_url, ep.api_key_env};
    const auto it = seen.find(key);
    ids[static_cast<std::size_t>(a)] = it != seen.end() ? it->second : (seen[key] = client.add_endpoint(ep));
  }
  return ids;
}

std::string eta(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "?";
  if (seconds < 120) return fmt::format("{:.0f} s", seconds);
  return fmt::format("{:.0f} min", seconds / 60);
}

}  // namespace

std::int64_t live_episodes(const Scenario& scenario, const LiveRunOptions& options) {
  const auto tasks = live::read_tasks(settings_of(scenario).tasks_file);
  const auto n = static_cast<std::int64_t>(tasks.size());
  if (options.episodes && *options.episodes > n)
    throw sim::InputError(settings_of(scenario).tasks_file, 0, 0, "--episodes",
                          fmt::format("{} episodes asked for, but the tasks file has {} tasks", *options.episodes, n));
  return options.episodes.value_or(n);
}

LiveRunResult run_live(const Scenario& scenario, const LiveRunOptions& options, sim::RunObserver& sink) {
  const live::LiveSettings& settings = settings_of(scenario);
  const std::vector<live::LiveTask> tasks = live::read_tasks(settings.tasks_file);
  const std::int64_t episodes = live_episodes(scenario, options);
  const std::vector<policies::PolicySpec> specs = lane_specs(scenario);
  for (const auto& spec : specs)
    if (spec.looks_ahead)
      throw sim::InputError(scenario.file, 0, 0, "policies", "policy '" + spec.label + "' needs a look-ahead into the world, which a live run has not");
  // A gate reads A's confidence, which a live run has only from the endpoint's log-probabilities.
  const bool logprobs = settings.agents[static_cast<std::size_t>(sim::index(sim::Agent::approx))].logprobs;
  for (const auto& spec : specs)
    if (!logprobs && spec.label.find("+gate(") != std::string::npos)
      throw sim::InputError(scenario.file, 0, 0, "agents.approx.endpoint.logprobs",
                            "policy '" + spec.label + "' gates by A's confidence: set logprobs: true on A's endpoint");
  if (options.concurrency < 1) throw sim::InputError("", 0, 0, "--concurrency", "must be >= 1");

  const auto t0 = std::chrono::steady_clock::now();
  sim::WallClock clock;
  live::HttpClient client(clock, settings.client);
  clock.set_io(&client);
  const auto endpoints = add_endpoints(settings, client);

  sim::RunInfo info = run_info(scenario);
  info.episodes = episodes;
  sim::ObserverFanout out;
  out.add(sink);
  out.on_run_start(info);

  LiveRunResult result;
  result.episodes_planned = episodes;
  std::deque<std::pair<std::int64_t, std::size_t>> pending;  // (episode, lane), in episode order
  for (std::int64_t e = 0; e < episodes; ++e)
    for (std::size_t l = 0; l < specs.size(); ++l) pending.emplace_back(e, l);
  const std::size_t total_jobs = pending.size();
  std::vector<std::unique_ptr<sim::DepthPolicy>> learning(specs.size());  // a learning lane's one instance
  std::vector<bool> lane_busy(specs.size(), false);
  std::vector<std::optional<sim::LearningStats>> learned(specs.size());  // a learning lane's totals
  std::set<std::int64_t> started;
  std::map<std::int64_t, std::vector<std::optional<sim::EpisodeRun>>> finished;
  std::vector<std::unique_ptr<Active>> active;
  std::map<std::int64_t, models::trace::Task> recorded;  // by episode, so the file is in task order
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
      const policies::PolicyEnv env{scenario.seed, spec.label, /*wall_clock=*/true, scenario.objective.value_of_time_usd_per_s};
      if (spec.learns) {
        if (!learning[lane]) learning[lane] = spec.make(env);
        policy = learning[lane].get();
        lane_busy[lane] = true;
      } else {
        own = spec.make(env);
        policy = own.get();
      }
      auto job = std::make_unique<Active>(scenario, settings, client, endpoints, clock, *policy, e, lane);
      job->own_policy = std::move(own);
      started.insert(e);
      finished[e].resize(specs.size());
      const auto& task = tasks[static_cast<std::size_t>(e)];
      job->planner.begin_episode(sim::EpisodeTask{e, task.id, task.text});
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
    *options.progress << fmt::format("\rlive: {}/{} episode runs done, {} in flight, {} calls running, ${:.4f} spent, ETA {}   ",
                                     jobs_done, total_jobs, active.size(), client.running(), result.spent_usd,
                                     last ? "0 s" : eta(rate * static_cast<double>(left) / std::max(1, options.concurrency)))
                      << (last ? "\n" : "") << std::flush;
  };

  const auto stopped = [&] { return options.stop && options.stop->load(); };
  start_jobs();
  while (!active.empty()) {
    clock.run_until([&] {
      if (stopped()) return true;
      for (const auto& a : active)
        if (a->planner.episode_done()) return true;
      return false;
    });
    if (stopped()) {  // the backends' destructors cancel every call in flight
      active.clear();
      result.completed = false;
      return result;
    }
    for (std::size_t i = 0; i < active.size();) {
      Active& a = *active[i];
      if (!a.planner.episode_done()) {
        ++i;
        continue;
      }
      const sim::EpisodeRun& run = a.planner.end_episode();
      result.spent_usd += analysis::measure_episode(run, scenario.agents, scenario.billing).cost_usd;
      result.calls += static_cast<std::int64_t>(run.calls.size());
      if (!options.trace_file.empty() && a.lane == 0)
        if (auto task = live::record_task(tasks[static_cast<std::size_t>(a.episode)], run, a.backend.calls(), a.start,
                                          settings.terminate, specs[a.lane].label))
          recorded.emplace(a.episode, std::move(*task));
      finished[a.episode][a.lane] = run;
      if (specs[a.lane].learns) lane_busy[a.lane] = false;
      if (run.learning_total) learned[a.lane] = *run.learning_total;
      active.erase(active.begin() + static_cast<std::ptrdiff_t>(i));
      ++jobs_done;
    }
    deliver_ready();
    start_jobs();
    progress(false);
  }
  progress(true);
  deliver_ready();
  out.on_run_end();
  if (!options.trace_file.empty() && !recorded.empty()) {
    result.trace_written = true;
    models::trace::Trace trace;
    for (auto& [e, task] : recorded) trace.tasks.push_back(std::move(task));
    models::trace::write_trace(trace, options.trace_file);
  }
  for (std::size_t l = 0; l < specs.size(); ++l)
    if (learned[l] && learned[l]->predictions > 0)
      result.learning.push_back({specs[l].label, learned[l]->prediction_wall_s / static_cast<double>(learned[l]->predictions) * 1e3,
                                 learned[l]->predictions, learned[l]->jobs_completed});
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace specsim::runner
