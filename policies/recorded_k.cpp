#include "policies/recorded_k.hpp"

namespace specsim::policies {

Decision RecordedK::choose_k(const RoundContext& context) {
  if (const auto round = context.look_ahead ? context.look_ahead->recorded_round(context.step) : std::nullopt)
    return {round->k, predictor_latency_ ? round->predictor_latency : sim::Time::zero()};
  ++divergences_;
  return {fallback_k_, sim::Time::zero()};
}

PolicySpec decode_recorded_k(const sim::ConfigNode& node) {
  node.expect_keys({"kind", "label", "fallback_k", "predictor_latency"});
  const int fallback = node.get_int("fallback_k", 0, 1000, 1);
  const bool latency = node.get<bool>("predictor_latency", true);
  PolicySpec spec;
  spec.kind = "recorded_k";
  spec.looks_ahead = true;
  spec.label = node.get<std::string>("label", "recorded_k");
  spec.make = [fallback, latency](const PolicyEnv&) { return std::make_unique<RecordedK>(fallback, latency); };
  return spec;
}

}  // namespace specsim::policies
