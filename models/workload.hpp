#pragma once
// A workload writes each episode's script: synthetic (drawn from models) or a recorded trace.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/agent_model.hpp"
#include "models/confidence_model.hpp"
#include "models/environment.hpp"
#include "models/episode_script.hpp"
#include "models/match_model.hpp"
#include "sim/config_node.hpp"
#include "sim/random.hpp"

namespace specsim::models {

using Agents = std::array<AgentModel, sim::kAgents>;  // indexed by sim::index(Agent)

// The random streams of an episode's world, one per part: (seed, part, episode). Changing one
// part of a world (the match model, an agent's model) leaves every other part's draws as they
// were, so that runs which differ in one part replay otherwise the same episodes (common random
// numbers: a sweep over the match rate or over A's model keeps T's calls). The parts: "world"
// (the plan: its steps), "match" (verdicts), "calls-target" and "calls-approx" (the committed
// path's calls), "top-k", "confidence", "environment" and "predictor" (a trace's fitted
// prediction latency); calls off the path draw from the backend's "offpath" stream.
class WorldStreams {
 public:
  WorldStreams(std::uint64_t seed, std::int64_t episode) : seed_(seed), episode_(static_cast<std::uint64_t>(episode)) {}
  sim::RandomStream of(std::string_view part) const { return sim::RandomStream(seed_, part, episode_); }
  // The committed path's calls of `agent`.
  sim::RandomStream calls_of(sim::Agent agent) const { return of(agent == sim::Agent::target ? "calls-target" : "calls-approx"); }

 private:
  std::uint64_t seed_, episode_;
};

class Workload {
 public:
  virtual ~Workload() = default;
  virtual void script(std::int64_t episode, int max_steps, const Agents& agents,
                      const WorldStreams& streams, EpisodeScript& out) const = 0;
  // A workload may know the agents better than the scenario does (a trace's fitted models).
  virtual void adapt_agents(Agents& /*agents*/) const {}
  // The files it was read from, so that no output of a run overwrites them.
  virtual std::vector<std::string> files() const { return {}; }
  // A's confidence in its guesses, when the workload models it (else none, or recorded by script()).
  virtual const ConfidenceModel* confidence_model() const { return nullptr; }
  // The tools its actions call, when the workload models them (else none, or recorded by script()).
  virtual const EnvironmentModel* environment_model() const { return nullptr; }
};

// Episode `episode`'s script, drawn from its world's streams (WorldStreams), with A's modelled
// confidence and the modelled environment calls: what every policy of a run replays for that
// episode.
void make_script(const Workload& workload, const Agents& agents, std::uint64_t seed, std::int64_t episode,
                 int max_steps, EpisodeScript& out);

// Draws the committed path's calls for script.steps steps from the agents' models, each agent's
// from its own stream.
void draw_path_calls(const Agents& agents, const WorldStreams& streams, EpisodeScript& script);

// Plan length of a synthetic task: fixed, uniform or geometric.
struct StepsDistribution {
  enum class Kind { fixed, uniform, geometric };
  Kind kind = Kind::fixed;
  int n = 10, min = 1, max = 10;
  double mean = 10;
  int draw(sim::RandomStream& rng) const;
};
StepsDistribution decode_steps(const sim::ConfigNode& node);

// Top-K guesses in a synthetic world: a step the top guess misses is caught by each further
// candidate with probability `catch_rate`, so p(K) = 1 - (1 - p(1)) (1 - catch_rate)^(K - 1),
// where p(1) is the match model's. `candidates` bounds the ranks drawn.
struct TopKCurve {
  int candidates = 1;
  double catch_rate = 0;
  // Fills script.rank from script.match, drawing the misses' ranks from `rng`.
  void draw(sim::RandomStream& rng, EpisodeScript& script) const;
};

class SyntheticWorkload final : public Workload {
 public:
  SyntheticWorkload(StepsDistribution steps, std::unique_ptr<MatchModel> match, std::optional<TopKCurve> top_k = {},
                    std::unique_ptr<ConfidenceModel> confidence = nullptr,
                    std::optional<EnvironmentModel> environment = std::nullopt)
      : steps_(steps), match_(std::move(match)), top_k_(top_k), confidence_(std::move(confidence)),
        environment_(std::move(environment)) {}
  void script(std::int64_t episode, int max_steps, const Agents& agents, const WorldStreams& streams,
              EpisodeScript& out) const override;
  const ConfidenceModel* confidence_model() const override { return confidence_.get(); }
  const EnvironmentModel* environment_model() const override { return environment_ ? &*environment_ : nullptr; }

 private:
  StepsDistribution steps_;
  std::unique_ptr<MatchModel> match_;
  std::optional<TopKCurve> top_k_;
  std::unique_ptr<ConfidenceModel> confidence_;
  std::optional<EnvironmentModel> environment_;
};

std::unique_ptr<Workload> decode_synthetic_workload(const sim::ConfigNode& node);

// Chooses the workload by `kind` (synthetic; recorded traces plug in here).
std::unique_ptr<Workload> decode_workload(const sim::ConfigNode& node);

}  // namespace specsim::models
