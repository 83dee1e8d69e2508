#include "tools/runner/live_run.hpp"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>

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

// The live run's episodes: each on a backend of its own over the run's one HTTP client.
class LiveWorld final : public EpisodeWorld {
 public:
  LiveWorld(const Scenario& s, live::HttpClient& client, std::array<int, sim::kAgents> endpoints, sim::Clock& clock,
            const std::vector<live::LiveTask>& tasks, const std::string& trace_file)
      : s_(s), client_(client), endpoints_(endpoints), clock_(clock), tasks_(tasks), trace_file_(trace_file),
        specs_(lane_specs(s)) {}

  std::unique_ptr<ScheduledEpisode> make(std::int64_t, std::size_t, sim::DepthPolicy& policy) override {
    return std::make_unique<Episode>(s_, client_, endpoints_, clock_, policy);
  }
  // The first lane's episodes are recorded, by episode, so that the file is in task order.
  void ended(ScheduledEpisode& episode, std::int64_t e, std::size_t lane, const sim::EpisodeRun& run) override {
    if (trace_file_.empty() || lane != 0) return;
    const auto& ep = static_cast<Episode&>(episode);
    if (auto task = live::record_task(tasks_[static_cast<std::size_t>(e)], run, ep.backend.calls(), ep.start,
                                      s_.live->terminate, specs_[lane].label))
      recorded_.emplace(e, std::move(*task));
  }
  std::size_t calls_running() const override { return client_.running(); }

  // Writes the recording; false when no episode committed a step.
  bool write_trace() {
    if (trace_file_.empty() || recorded_.empty()) return false;
    models::trace::Trace trace;
    for (auto& [e, task] : recorded_) trace.tasks.push_back(std::move(task));
    models::trace::write_trace(trace, trace_file_);
    return true;
  }

 private:
  struct Episode final : ScheduledEpisode {
    Episode(const Scenario& s, live::HttpClient& client, std::array<int, sim::kAgents> endpoints, sim::Clock& clock,
            sim::DepthPolicy& policy)
        : backend(*s.live, client, endpoints, clock), planner_(planner_config(s), clock, backend, policy), start(clock.now()) {}
    sim::Planner& planner() override { return planner_; }
    live::LiveBackend backend;
    sim::Planner planner_;
    sim::Time start;
  };

  const Scenario& s_;
  live::HttpClient& client_;
  std::array<int, sim::kAgents> endpoints_;
  sim::Clock& clock_;
  const std::vector<live::LiveTask>& tasks_;
  std::string trace_file_;
  std::vector<policies::PolicySpec> specs_;
  std::map<std::int64_t, models::trace::Task> recorded_;
};

// The client's endpoints, one per distinct endpoint of the agents (live::endpoint_of_agents); by agent.
std::array<int, sim::kAgents> add_endpoints(const live::LiveSettings& settings, live::HttpClient& client) {
  const std::array<int, sim::kAgents> shared = live::endpoint_of_agents(settings);
  std::array<int, sim::kAgents> ids{};
  std::map<int, int> added;  // shared endpoint -> the client's
  for (std::size_t a = 0; a < ids.size(); ++a) {
    const auto it = added.find(shared[a]);
    ids[a] = it != added.end() ? it->second : (added[shared[a]] = client.add_endpoint(settings.agents[a].endpoint));
  }
  return ids;
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
  const std::array<int, sim::kAgents> endpoints = add_endpoints(settings, client);
  LiveWorld world(scenario, client, endpoints, clock, tasks, options.trace_file);
  ScheduleOptions schedule;
  schedule.episodes = episodes;
  schedule.concurrency = options.concurrency;
  schedule.max_cost_usd = options.max_cost_usd;
  schedule.wall_clock = true;
  schedule.progress = options.progress;
  schedule.stop = options.stop;

  LiveRunResult result;
  static_cast<ScheduleResult&>(result) = run_schedule(scenario, tasks, schedule, clock, world, sink);
  if (!result.completed) return result;
  result.trace_written = world.write_trace();
  std::set<int> reported;  // the client's endpoints, each once
  for (std::size_t a = 0; a < endpoints.size(); ++a)
    if (live::has_limits(settings.agents[a].endpoint) && reported.insert(endpoints[a]).second) {
      const live::EndpointWaits w = client.waits(endpoints[a]);
      result.limit_waits.push_back({live::limits_name(settings, a), w.calls, w.waited});
    }
  for (std::size_t l = 0; l < specs.size(); ++l)
    if (const auto& learned = result.learned[l]; learned && learned->predictions > 0)
      result.learning.push_back({specs[l].label, learned->prediction_wall_s / static_cast<double>(learned->predictions) * 1e3,
                                 learned->predictions, learned->jobs_completed});
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace specsim::runner
