#include "tools/runner/live_dry_run.hpp"

#include <map>

#include "models/limited_backend.hpp"
#include "models/shared_limits.hpp"
#include "models/sim_backend.hpp"
#include "models/served_endpoint.hpp"
#include "sim/clock.hpp"
#include "tools/runner/experiment.hpp"

namespace specsim::runner {

namespace {

// The endpoints' limits as the fleet's shared limits (models/shared_limits.hpp), one per
// endpoint (per model there, with `limits_scope: model`), shared by every episode:
// `max_in_flight` is the same first-come queue as the live client's slots, and
// `requests_per_minute` and `tokens_per_minute` the client's own pacing (Pacing::client: its
// buckets, and a call's estimate taken as it starts).
struct Limits {
  std::vector<models::LimitSpec> specs;
  std::array<int, sim::kAgents> limit_of_agent{-1, -1};
};

Limits limits_of(const models::live::LiveSettings& settings) {
  Limits limits;
  const auto endpoint = models::live::endpoint_of_agents(settings);
  std::map<int, int> limit_of_endpoint;
  for (std::size_t a = 0; a < endpoint.size(); ++a) {
    const models::live::EndpointConfig& ep = settings.agents[a].endpoint;  // the same limits on a shared one (decode_live)
    if (!models::live::has_limits(ep)) continue;
    if (!limit_of_endpoint.count(endpoint[a])) {
      limit_of_endpoint[endpoint[a]] = static_cast<int>(limits.specs.size());
      models::LimitSpec spec;
      spec.name = models::live::limits_name(settings, a);
      spec.max_in_flight = ep.max_in_flight;
      spec.requests_per_min = ep.requests_per_minute;
      spec.tokens_per_min = ep.tokens_per_minute;
      spec.pacing = models::Pacing::client;
      spec.requests_burst = ep.requests_burst;
      spec.tokens_burst = ep.tokens_burst;
      limits.specs.push_back(spec);
    }
    limits.limit_of_agent[a] = limit_of_endpoint[endpoint[a]];
  }
  return limits;
}

// The live client's estimate of a call's tokens: its prompt and its output cap. Live, the prompt
// is its text's characters over four; here it is the agent's modelled prompt.
models::LimitedBackend::TokenEstimate estimate_of(const Scenario& s) {
  std::array<std::int64_t, sim::kAgents> cap{};
  for (std::size_t a = 0; a < cap.size(); ++a) cap[a] = s.live->agents[a].max_tokens.value_or(0);
  return [&agents = s.agents, cap](const sim::CallRequest& r) {
    const auto a = static_cast<std::size_t>(sim::index(r.agent));
    return agents[a].prompt_tokens(r.step, r.prior_output) + cap[a];
  };
}

// Every episode on its own simulated backend over the run's one clock, shared endpoints and slots.
class SimulatedWorld final : public EpisodeWorld {
 public:
  explicit SimulatedWorld(const Scenario& s, Limits limits)
      : s_(s), endpoints_(s.agents, clock_), limit_of_agent_(limits.limit_of_agent), limits_(std::move(limits.specs), clock_) {}
  sim::SimClock& clock() { return clock_; }
  std::vector<LimitWaits> limit_waits() const {
    std::vector<LimitWaits> waits;
    for (std::size_t i = 0; i < limits_.specs().size(); ++i) {
      const models::LimitUsage u = limits_.usage(static_cast<int>(i));
      waits.push_back({limits_.specs()[i].name, u.requests, sim::Time::from_ns(u.wait_ns)});
    }
    return waits;
  }

  std::unique_ptr<ScheduledEpisode> make(std::int64_t, std::size_t, sim::DepthPolicy& policy) override {
    return std::make_unique<Episode>(s_, clock_, endpoints_, limits_, limit_of_agent_, policy);
  }

 private:
  struct Episode final : ScheduledEpisode {
    Episode(const Scenario& s, sim::SimClock& clock, const models::ServedEndpoints& endpoints, models::SharedLimits& limits,
            std::array<int, sim::kAgents> limit_of_agent, sim::DepthPolicy& policy)
        : world(s.agents, *s.workload, clock, s.seed, s.max_steps, &endpoints),
          limited(world, limits, limit_of_agent, s.seed, estimate_of(s)),
          planner_(planner_config(s), clock, limited, policy) {}
    sim::Planner& planner() override { return planner_; }
    models::SimBackend world;
    models::LimitedBackend limited;
    sim::Planner planner_;
  };

  const Scenario& s_;
  sim::SimClock clock_;
  models::ServedEndpoints endpoints_;
  std::array<int, sim::kAgents> limit_of_agent_;
  models::SharedLimits limits_;
};

}  // namespace

ScheduleResult simulate_live(const Scenario& scenario, const LiveRunOptions& options, sim::RunObserver& sink) {
  ScheduleOptions schedule;
  schedule.episodes = live_episodes(scenario, options);  // first: it checks the scenario has a live: section
  const std::vector<models::live::LiveTask> tasks = models::live::read_tasks(scenario.live->tasks_file);
  SimulatedWorld world(scenario, limits_of(*scenario.live));
  schedule.concurrency = options.concurrency;
  schedule.max_cost_usd = options.max_cost_usd;
  schedule.stop = options.stop;
  ScheduleResult result = run_schedule(scenario, tasks, schedule, world.clock(), world, sink);
  result.limit_waits = world.limit_waits();
  return result;
}

}  // namespace specsim::runner
