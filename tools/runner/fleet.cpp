#include "tools/runner/fleet.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <set>

#include "analysis/episode_metrics.hpp"
#include "models/limited_backend.hpp"
#include "models/sim_backend.hpp"
#include "sim/input_error.hpp"
#include "sim/ordered_pool.hpp"
#include "sim/planner.hpp"
#include "sim/random.hpp"
#include "tools/runner/experiment.hpp"

namespace specsim::runner {

namespace {

using models::LimitUsage;

using analysis::FleetReplication;

// A session slot: runs one task at a time. Its policy stays with the slot from task to task, so
// a learning policy learns from the tasks its slot served (one learner per worker of a service).
struct Slot {
  Slot(const Scenario& s, const policies::PolicySpec& spec, sim::SimClock& clock, models::SharedLimits& limits,
       const models::ServedEndpoints& endpoints, std::array<int, sim::kAgents> limit_of_agent,
       const sim::PlannerConfig& config)
      : policy(spec.make(policies::PolicyEnv{s.seed, spec.label})),
        world(s.agents, *s.workload, clock, s.seed, s.max_steps, &endpoints),
        limited(world, limits, limit_of_agent, s.seed),
        planner(config, clock, limited, *policy, &world, spec.looks_ahead ? &world : nullptr) {}
  std::unique_ptr<policies::Policy> policy;
  models::SimBackend world;
  models::LimitedBackend limited;
  sim::Planner planner;
  FleetTask task;
  int user = -1;
};

class FleetSim final : public sim::EventHandler {
 public:
  FleetSim(const Scenario& s, const FleetSpec& fleet, const policies::PolicySpec& spec, int replication)
      : s_(s), fleet_(fleet), spec_(spec), replication_(replication), limits_(fleet_.limits, clock_), endpoints_(s.agents, clock_),
        meter_(s.agents, s.billing), arrivals_rng_(s.seed, "fleet-arrivals", static_cast<std::uint64_t>(replication)) {
    config_ = planner_config(s);
    config_.meter = &meter_;
    config_.record_episodes = 0;
    for (int a = 0; a < sim::kAgents; ++a)
      limit_of_agent_[static_cast<std::size_t>(a)] = limits_.limit_of(s.agents[static_cast<std::size_t>(a)].model);
  }

  FleetReplication run() {
    window_start_ = fleet_.warmup;
    if (fleet_.duration) clock_.schedule(*fleet_.duration, this, kWindowEnd);
    if (window_start_ > sim::Time::zero()) clock_.schedule(window_start_, this, kWindowStart);
    else snapshot(start_usage_);
    if (fleet_.arrivals.kind == Arrivals::Kind::closed) {
      for (int u = 0; u < fleet_.arrivals.users; ++u) {
        think_rng_.emplace_back(s_.seed, "fleet-think", static_cast<std::uint64_t>(replication_) * kReplicationStride + static_cast<std::uint64_t>(u));
        user_next(u);
      }
    } else {
      open_next();
    }
    while (!(active_ == 0 && arrivals_over_ && window_closed_)) {
      clock_.run_until([this] { return any_done() || (active_ == 0 && arrivals_over_ && window_closed_); });
      end_finished();
    }
    return finish();
  }

  void on_event(std::uint64_t arg) override {
    if (arg == kWindowStart) return snapshot(start_usage_);
    if (arg == kWindowEnd) return close_window();
    if (arg == kOpenArrival) {
      start_task(-1);
      return open_next();
    }
    start_task(static_cast<int>(arg - kUserBase));
  }

 private:
  static constexpr std::uint64_t kWindowStart = 0, kWindowEnd = 1, kOpenArrival = 2, kUserBase = 3;

  bool may_arrive(sim::Time at) const {
    if (fleet_.tasks && started_ >= *fleet_.tasks) return false;
    return !fleet_.duration || at <= *fleet_.duration;
  }

  // Schedules the next open arrival (Poisson or from the file), or ends the arrivals.
  void open_next() {
    const std::int64_t i = started_;
    sim::Time at;
    if (fleet_.arrivals.kind == Arrivals::Kind::poisson) {
      last_open_ += sim::Time::from_seconds(-std::log1p(-arrivals_rng_.uniform()) / fleet_.arrivals.rate_per_s);
      at = last_open_;
    } else if (static_cast<std::size_t>(i) < fleet_.arrivals.times.size()) {
      at = fleet_.arrivals.times[static_cast<std::size_t>(i)];
    } else {
      return arrivals_end();
    }
    if (!may_arrive(at)) return arrivals_end();
    clock_.schedule(at, this, kOpenArrival);
  }

  // A closed user thinks, then starts its next task (if the run still takes tasks).
  void user_next(int u) {
    auto& rng = think_rng_[static_cast<std::size_t>(u)];
    const double think = fleet_.arrivals.think.seconds();
    const sim::Time at = clock_.now() + sim::Time::from_seconds(think > 0 ? -think * std::log1p(-rng.uniform()) : 0.0);
    if (!may_arrive(at)) {
      if (--users_left_ == 0) arrivals_end();
      return;
    }
    clock_.schedule(at, this, kUserBase + static_cast<std::uint64_t>(u));
  }

  void arrivals_end() {
    if (arrivals_over_) return;
    arrivals_over_ = true;
    if (!fleet_.duration) close_window();  // the window ends at the last arrival
  }

  void start_task(int user) {
    if (!may_arrive(clock_.now())) {  // a closed user's start that the task count overtook
      if (user >= 0 && --users_left_ == 0) arrivals_end();
      return;
    }
    Slot& slot = take_slot();
    slot.user = user;
    slot.task = FleetTask{};
    slot.task.episode = static_cast<std::int64_t>(replication_) * kReplicationStride + started_;
    slot.task.replication = replication_;
    slot.task.arrival = clock_.now();
    ++started_;
    ++active_;
    slot.planner.begin_episode(sim::EpisodeTask{slot.task.episode, {}, {}});
    if (fleet_.tasks && started_ == *fleet_.tasks) arrivals_end();
  }

  // The clock stops whenever a session's episode is done, to end it.
  bool any_done() const {
    for (std::size_t i = 0; i < slots_.size(); ++i)
      if (busy_[i] && slots_[i]->planner.episode_done()) return true;
    return false;
  }

  Slot& take_slot() {
    if (free_.empty()) {
      free_.insert(static_cast<int>(slots_.size()));
      slots_.push_back(std::make_unique<Slot>(s_, spec_, clock_, limits_, endpoints_, limit_of_agent_, config_));
      busy_.push_back(false);
    }
    const int i = *free_.begin();
    free_.erase(free_.begin());
    busy_[static_cast<std::size_t>(i)] = true;
    return *slots_[static_cast<std::size_t>(i)];
  }

  // Ends every session whose episode finished, in slot order.
  void end_finished() {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (!busy_[i] || !slots_[i]->planner.episode_done()) continue;
      Slot& slot = *slots_[i];
      const sim::EpisodeRun& run = slot.planner.end_episode();
      if (!run.error.empty())
        throw sim::InputError(s_.file, 0, 0, "fleet", "episode " + std::to_string(run.episode) + " failed: " + run.error);
      FleetTask t = slot.task;
      t.latency = run.latency;
      t.steps = run.steps;
      t.cost_usd = run.metrics->cost_usd;
      t.waited = slot.limited.waited();
      t.rejections = slot.limited.rejections();
      if (clock_.now().saturated())
        throw sim::InputError(s_.file, 0, 0, "fleet", "the fleet's simulated clock passed 292 years: shorten the run");
      tasks_.push_back(t);
      busy_[i] = false;
      free_.insert(static_cast<int>(i));
      --active_;
      if (slot.user >= 0) {
        if (t.latency == sim::Time::zero() && fleet_.arrivals.think == sim::Time::zero() && fleet_.duration)
          throw sim::InputError(s_.file, 0, 0, "fleet.arrivals.think_s",
                                "tasks take no time and users do not think: the clock would never reach duration_s");
        user_next(slot.user);
      }
    }
  }

  void snapshot(std::vector<LimitUsage>& into) {
    into.clear();
    for (std::size_t l = 0; l < fleet_.limits.size(); ++l) into.push_back(limits_.usage(static_cast<int>(l)));
  }

  void close_window() {
    if (window_closed_) return;
    window_closed_ = true;
    window_end_ = clock_.now();
    if (window_end_ <= window_start_)
      throw sim::InputError(s_.file, 0, 0, "fleet.warmup_s", "the warm-up lasts past the last arrival: no task is measured");
    snapshot(end_usage_);
  }

  FleetReplication finish() {
    FleetReplication r;
    r.window = window_end_ - window_start_;
    for (std::size_t l = 0; l < end_usage_.size(); ++l) r.usage.push_back(end_usage_[l] - start_usage_[l]);
    std::sort(tasks_.begin(), tasks_.end(), [](const FleetTask& a, const FleetTask& b) { return a.episode < b.episode; });
    for (FleetTask& t : tasks_) {
      t.measured = t.arrival >= window_start_ && t.arrival <= window_end_;
      const sim::Time from = max(t.arrival, window_start_), to = min(t.arrival + t.latency, window_end_);
      if (to > from) r.in_flight_ns += (to - from).ns();
    }
    r.tasks = std::move(tasks_);
    return r;
  }

  const Scenario& s_;
  const FleetSpec& fleet_;
  const policies::PolicySpec& spec_;
  int replication_;
  sim::SimClock clock_;
  models::SharedLimits limits_;
  models::ServedEndpoints endpoints_;  // the self-hosted endpoints every session calls
  analysis::PriceMeter meter_;
  sim::PlannerConfig config_;
  std::array<int, sim::kAgents> limit_of_agent_{-1, -1};
  sim::RandomStream arrivals_rng_;
  std::vector<sim::RandomStream> think_rng_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<bool> busy_;
  std::set<int> free_;  // lowest first: which slot serves the next task does not depend on hashing
  std::int64_t started_ = 0;
  int active_ = 0;
  int users_left_ = fleet_.arrivals.users;  // closed users that may still start a task
  bool arrivals_over_ = false, window_closed_ = false;
  sim::Time last_open_, window_start_, window_end_;
  std::vector<LimitUsage> start_usage_, end_usage_;
  std::vector<FleetTask> tasks_;
};

}  // namespace

FleetResult run_fleet(const Scenario& scenario, const FleetOptions& options) {
  if (!scenario.fleet)
    throw sim::InputError(scenario.file, 0, 0, "fleet", "the scenario has no fleet: block (arrivals, tasks or duration_s)");
  const FleetSpec& fleet = *scenario.fleet;
  const auto& specs = scenario.policies;
  FleetResult result;
  result.scenario = scenario.name;
  result.seed = scenario.seed;
  result.load_unit = fleet.arrivals.kind == Arrivals::Kind::closed ? "users" : "tasks/s";
  std::vector<FleetSpec> points;
  if (fleet.loads.empty()) points.push_back(fleet);
  for (double load : fleet.loads) points.push_back(at_load(fleet, load));
  const auto reps = static_cast<std::int64_t>(fleet.replications);

  // One chunk per (load, replication); every policy of it is a lane.
  std::vector<std::vector<std::vector<FleetReplication>>> done(points.size(), std::vector<std::vector<FleetReplication>>(specs.size()));
  const auto run = [&](std::size_t lane, std::int64_t chunk) {
    return FleetSim(scenario, points[static_cast<std::size_t>(chunk / reps)], specs[lane], static_cast<int>(chunk % reps)).run();
  };
  const auto consume = [&](std::int64_t chunk, std::vector<FleetReplication>& results) {
    for (std::size_t lane = 0; lane < results.size(); ++lane)
      done[static_cast<std::size_t>(chunk / reps)][lane].push_back(std::move(results[lane]));
  };
  sim::PoolOptions pool;
  pool.threads = options.threads;
  pool.window = std::max(2, options.threads);
  pool.stop = options.stop;
  const auto chunks = static_cast<std::int64_t>(points.size()) * reps;
  if (sim::run_ordered<FleetReplication>(chunks, std::vector<bool>(specs.size(), false), pool, run, consume) < chunks) {
    result.completed = false;
    return result;
  }
  for (std::size_t p = 0; p < points.size(); ++p) {
    FleetPoint point;
    for (std::size_t lane = 0; lane < specs.size(); ++lane) {
      point.rows.push_back(analysis::fleet_row(specs[lane].label, specs[lane].kind, fleet.limits, done[p][lane]));
      std::vector<FleetTask> tasks;
      for (auto& r : done[p][lane]) tasks.insert(tasks.end(), r.tasks.begin(), r.tasks.end());
      point.tasks.push_back(std::move(tasks));
    }
    point.load = fleet.loads.empty() ? point.rows.front().arrival_rate_per_s : fleet.loads[p];
    result.points.push_back(std::move(point));
  }
  return result;
}

}  // namespace specsim::runner
