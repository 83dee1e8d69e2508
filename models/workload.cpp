#include "models/workload.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "models/trace/trace_workload.hpp"
#include "sim/registry.hpp"

namespace specsim::models {

int StepsDistribution::draw(sim::RandomStream& rng) const {
  switch (kind) {
    case Kind::fixed: return n;
    case Kind::uniform: return static_cast<int>(rng.uniform_int(min, max));
    case Kind::geometric: {
      // Steps >= 1 with the given mean: P(stop after each step) = 1 / mean.
      const double u = rng.uniform();
      const double q = 1.0 - 1.0 / mean;
      return q <= 0 ? 1 : 1 + static_cast<int>(std::min(std::floor(std::log1p(-u) / std::log(q)), 1e6));
    }
  }
  return n;
}

namespace {

const sim::Registry<StepsDistribution>& steps_distributions() {
  static const sim::Registry<StepsDistribution> registry{"steps distribution", {
      {"fixed", [](const sim::ConfigNode& node) {
         node.expect_keys({"kind", "n"});
         StepsDistribution d;
         d.n = node.get_int("n", 1, 10'000'000);
         return d;
       }},
      {"uniform", [](const sim::ConfigNode& node) {
         node.expect_keys({"kind", "min", "max"});
         StepsDistribution d;
         d.kind = StepsDistribution::Kind::uniform;
         d.min = node.get_int("min", 1, 10'000'000);
         d.max = node.get_int("max", d.min, 10'000'000);
         return d;
       }},
      {"geometric", [](const sim::ConfigNode& node) {
         node.expect_keys({"kind", "mean"});
         StepsDistribution d;
         d.kind = StepsDistribution::Kind::geometric;
         d.mean = node.get<double>("mean");
         if (d.mean < 1) node.at("mean").fail("must be >= 1");
         return d;
       }},
  }};
  return registry;
}

}  // namespace

StepsDistribution decode_steps(const sim::ConfigNode& node) {
  StepsDistribution d;
  if (node.is_scalar()) {
    const long long n = node.as<long long>();
    if (n < 1 || n > 10'000'000) node.fail("must be in [1, 10000000]");
    d.n = static_cast<int>(n);
    return d;
  }
  return steps_distributions().decode(node.at("kind"), node);
}

void make_script(const Workload& workload, const Agents& agents, std::uint64_t seed, std::int64_t episode,
                 int max_steps, EpisodeScript& out) {
  const WorldStreams streams(seed, episode);
  workload.script(episode, max_steps, agents, streams, out);
  if (const ConfidenceModel* confidence = workload.confidence_model()) {
    sim::RandomStream confidence_rng = streams.of("confidence");
    confidence->draw(confidence_rng, out);
  }
  if (const EnvironmentModel* environment = workload.environment_model()) {
    sim::RandomStream environment_rng = streams.of("environment");
    environment->draw(environment_rng, out);
  }
}

// Each agent from its own stream, call after call (a call reads the earlier ones' outputs of its
// step). An agent with no noise and a prompt that does not grow draws no random number and makes
// the same calls at every step: its step is drawn once and repeated.
void draw_path_calls(const Agents& agents, const WorldStreams& streams, EpisodeScript& script) {
  for (auto agent : {sim::Agent::target, sim::Agent::approx}) {
    const AgentModel& a = agents[static_cast<std::size_t>(sim::index(agent))];
    const bool repeat = a.constant() && a.input_per_step == 0;
    sim::RandomStream rng = streams.calls_of(agent);
    auto& list = script.calls_of(agent);
    for (int s = 0; s < (repeat ? 1 : script.steps); ++s) {
      int prior = 0;
      for (int c = 0; c < a.calls_per_step; ++c) {
        list.push_back(a.draw(s, c, prior, rng));
        prior += list.back().tokens.output;
      }
      if (!repeat) script.end_step(agent);
    }
    if (repeat) script.repeat_first_step(agent, a.calls_per_step);
  }
}

void SyntheticWorkload::script(std::int64_t, int max_steps, const Agents& agents,
                               const WorldStreams& streams, EpisodeScript& out) const {
  out.clear();
  sim::RandomStream plan = streams.of("world");
  const int planned = steps_.draw(plan);
  out.steps = std::min(planned, max_steps);
  out.ends_with_terminate = planned <= max_steps;
  sim::RandomStream verdicts = streams.of("match");
  match_->draw(out.steps, verdicts, out);
  out.index_runs();
  draw_path_calls(agents, streams, out);
  if (top_k_) {
    sim::RandomStream ranks = streams.of("top-k");
    top_k_->draw(ranks, out);
  }
}

void TopKCurve::draw(sim::RandomStream& rng, EpisodeScript& script) const {
  script.rank.resize(script.match.size());
  for (std::size_t s = 0; s < script.match.size(); ++s) {
    std::int8_t rank = script.match[s] ? 0 : -1;
    for (int r = 1; rank < 0 && r < candidates; ++r)
      if (rng.bernoulli(catch_rate)) rank = static_cast<std::int8_t>(r);
    script.rank[s] = rank;
  }
}

std::unique_ptr<Workload> decode_synthetic_workload(const sim::ConfigNode& node) {
  node.expect_keys({"kind", "steps", "match", "top_k", "confidence", "environment"});
  std::optional<TopKCurve> top_k;
  if (auto n = node.find("top_k")) {
    n->expect_keys({"candidates", "catch"});
    top_k = TopKCurve{n->get_int("candidates", 1, 64), n->get_probability("catch")};
  }
  auto confidence = node.has("confidence") ? decode_confidence_model(node.at("confidence")) : nullptr;
  std::optional<EnvironmentModel> environment;
  if (auto n = node.find("environment")) environment = decode_environment(*n);
  return std::make_unique<SyntheticWorkload>(decode_steps(node.at("steps")), decode_match_model(node.at("match")),
                                             top_k, std::move(confidence), std::move(environment));
}

}  // namespace specsim::models

namespace specsim::models {

std::unique_ptr<Workload> decode_workload(const sim::ConfigNode& node) {
  static const sim::Registry<std::unique_ptr<Workload>> registry{"workload kind", {
      {"synthetic", decode_synthetic_workload},
      {"trace", trace::decode_trace_workload},
  }};
  node.expect_map();
  return registry.decode(node.at("kind"), node);
}

}  // namespace specsim::models
