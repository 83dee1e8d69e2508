#include "policies/cost_aware.hpp"

#include <stdexcept>

#include "policies/dsp_policy.hpp"

namespace specsim::policies {

CostAware::CostAware(CostAwareConfig config, const PolicyEnv& env)
    : config_(config),
      usd_per_s_(config.usd_per_s ? *config.usd_per_s : env.value_of_time_usd_per_s.value_or(-1)),
      matches_(config.learning_rate) {
  if (usd_per_s_ < 0) throw std::invalid_argument("cost_aware needs usd_per_s or the scenario's objective value_of_time_usd_per_s");
}

StepEconomics CostAware::economics(const RoundContext& context) const {
  StepEconomics e;
  e.match_probability = matches_.probability(DspPolicy::features(context, config_.k_max));
  e.approx_s = approx_.finished_steps > 0 ? approx_.finished_s / approx_.finished_steps : 0;
  e.target_s = target_.finished_steps > 0 ? target_.finished_s / target_.finished_steps : 0;
  e.approx_usd = approx_.steps > 0 ? approx_.usd / approx_.steps : 0;
  // Until a T step has gone to waste, price one as a whole step.
  e.wasted_target_usd = target_.wasted_steps > 0 ? target_.wasted_usd / target_.wasted_steps
                        : target_.steps > 0     ? target_.usd / target_.steps
                                                : 0;
  return e;
}

Decision CostAware::choose_k(const RoundContext& context) {
  round_context_ = context;
  if (usd_per_s_ == 0) return {0, sim::Time::zero()};
  if (approx_.finished_steps == 0 || target_.finished_steps == 0) return {config_.k_max, sim::Time::zero()};
  return {best_depth(economics(context), usd_per_s_, config_.k_max), sim::Time::zero()};
}

void CostAware::on_round_end(const RoundOutcome& outcome) {
  if (outcome.failed) return;
  // Each verified guess, observed at its own step as DSP's states per guess are.
  const int verified = outcome.k > 0 ? outcome.matched + outcome.mismatch : 0;
  RoundContext c = round_context_;
  for (int j = 0; j < verified; ++j) {
    c.step = outcome.start_step + j;
    c.features = c.feature_source ? c.feature_source->features(c.step) : std::span<const double>{};
    if (c.features.size() != round_context_.features.size()) c.features = round_context_.features;
    matches_.learn(DspPolicy::features(c, config_.k_max), j < outcome.matched);
  }
  const auto add = [](Seen& seen, const sim::AgentRoundTally& t) {
    seen.steps += t.steps;
    seen.finished_steps += t.finished_steps;
    seen.finished_s += t.finished_time.seconds();
    seen.usd += t.cost_usd;
    seen.wasted_steps += t.wasted_steps;
    seen.wasted_usd += t.wasted_cost_usd;
  };
  add(approx_, outcome.agents[sim::index(sim::Agent::approx)]);
  add(target_, outcome.agents[sim::index(sim::Agent::target)]);
}

PolicySpec decode_cost_aware(const sim::ConfigNode& node) {
  node.expect_keys({"kind", "label", "usd_per_s", "k_max", "learning_rate"});
  CostAwareConfig c;
  if (node.has("usd_per_s")) c.usd_per_s = node.get_real("usd_per_s", 0, 1e12, 0);
  c.k_max = node.get_int("k_max", 1, 1000, c.k_max);
  c.learning_rate = node.get_real("learning_rate", 1e-9, 100, c.learning_rate);
  PolicySpec spec;
  spec.kind = "cost_aware";
  spec.learns = true;
  spec.needs_value_of_time = !c.usd_per_s;
  std::string knobs = c.usd_per_s ? "usd_per_s=" + node.get<std::string>("usd_per_s") : "objective";
  for (const char* key : {"k_max", "learning_rate"})
    if (node.has(key)) knobs += std::string(",") + key + "=" + node.get<std::string>(key);
  spec.label = node.get<std::string>("label", "cost_aware(" + knobs + ")");
  spec.make = [c](const PolicyEnv& env) { return std::make_unique<CostAware>(c, env); };
  return spec;
}

}  // namespace specsim::policies
