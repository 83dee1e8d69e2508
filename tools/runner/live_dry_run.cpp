#include "tools/runner/live_dry_run.hpp"

#include "models/sim_backend.hpp"
#include "models/served_endpoint.hpp"
#include "sim/clock.hpp"
#include "tools/runner/experiment.hpp"

namespace specsim::runner {

namespace {

// Every episode on its own simulated backend over the run's one clock and shared endpoints.
class SimulatedWorld final : public EpisodeWorld {
 public:
  explicit SimulatedWorld(const Scenario& s) : s_(s), endpoints_(s.agents, clock_) {}
  sim::SimClock& clock() { return clock_; }

  std::unique_ptr<ScheduledEpisode> make(std::int64_t, std::size_t, sim::DepthPolicy& policy) override {
    return std::make_unique<Episode>(s_, clock_, endpoints_, policy);
  }

 private:
  struct Episode final : ScheduledEpisode {
    Episode(const Scenario& s, sim::SimClock& clock, const models::ServedEndpoints& endpoints, sim::DepthPolicy& policy)
        : world(s.agents, *s.workload, clock, s.seed, s.max_steps, &endpoints), planner_(planner_config(s), clock, world, policy) {}
    sim::Planner& planner() override { return planner_; }
    models::SimBackend world;
    sim::Planner planner_;
  };

  const Scenario& s_;
  sim::SimClock clock_;
  models::ServedEndpoints endpoints_;
};

}  // namespace

ScheduleResult simulate_live(const Scenario& scenario, const LiveRunOptions& options, sim::RunObserver& sink) {
  ScheduleOptions schedule;
  schedule.episodes = live_episodes(scenario, options);  // first: it checks the scenario has a live: section
  const std::vector<models::live::LiveTask> tasks = models::live::read_tasks(scenario.live->tasks_file);
  SimulatedWorld world(scenario);
  schedule.concurrency = options.concurrency;
  schedule.max_cost_usd = options.max_cost_usd;
  schedule.stop = options.stop;
  return run_schedule(scenario, tasks, schedule, world.clock(), world, sink);
}

}  // namespace specsim::runner
