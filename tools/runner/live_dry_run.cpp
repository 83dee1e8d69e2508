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

// The endpoints' `max_in_flight`, as the fleet's shared limits (models/shared_limits.hpp): the
// live client's slots are the same first-come queue, one per endpoint, shared by every episode.
struct Slots {
  std::vector<models::LimitSpec> specs;
  std::array<int, sim::kAgents> limit_of_agent{-1, -1};
};

Slots slots_of(const models::live::LiveSettings& settings) {
  Slots slots;
  const auto endpoint = models::live::endpoint_of_agents(settings);
  std::map<int, int> limit_of_endpoint;
  for (std::size_t a = 0; a < endpoint.size(); ++a) {
    const models::live::EndpointConfig& ep = settings.agents[a].endpoint;  // the same limits on a shared one (decode_live)
    if (ep.max_in_flight <= 0) continue;
    if (!limit_of_endpoint.count(endpoint[a])) {
      limit_of_endpoint[endpoint[a]] = static_cast<int>(slots.specs.size());
      models::LimitSpec spec;
      spec.name = ep.base_url;
      spec.max_in_flight = ep.max_in_flight;
      slots.specs.push_back(spec);
    }
    slots.limit_of_agent[a] = limit_of_endpoint[endpoint[a]];
  }
  return slots;
}

// Every episode on its own simulated backend over the run's one clock, shared endpoints and slots.
class SimulatedWorld final : public EpisodeWorld {
 public:
  explicit SimulatedWorld(const Scenario& s, Slots slots)
      : s_(s), endpoints_(s.agents, clock_), limit_of_agent_(slots.limit_of_agent), limits_(std::move(slots.specs), clock_) {}
  sim::SimClock& clock() { return clock_; }

  std::unique_ptr<ScheduledEpisode> make(std::int64_t, std::size_t, sim::DepthPolicy& policy) override {
    return std::make_unique<Episode>(s_, clock_, endpoints_, limits_, limit_of_agent_, policy);
  }

 private:
  struct Episode final : ScheduledEpisode {
    Episode(const Scenario& s, sim::SimClock& clock, const models::ServedEndpoints& endpoints, models::SharedLimits& limits,
            std::array<int, sim::kAgents> limit_of_agent, sim::DepthPolicy& policy)
        : world(s.agents, *s.workload, clock, s.seed, s.max_steps, &endpoints),
          limited(world, limits, limit_of_agent, s.seed),
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
  SimulatedWorld world(scenario, slots_of(*scenario.live));
  schedule.concurrency = options.concurrency;
  schedule.max_cost_usd = options.max_cost_usd;
  schedule.stop = options.stop;
  return run_schedule(scenario, tasks, schedule, world.clock(), world, sink);
}

}  // namespace specsim::runner
