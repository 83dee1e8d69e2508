#include "analysis/objective.hpp"

namespace specsim::analysis {

std::string LatencySlo::name() const { return quantile > 0.98 ? "p99" : "p95"; }

Objective decode_objective(const sim::ConfigNode& node) {
  node.expect_keys({"value_of_time_usd_per_s", "slo", "budget_usd_per_episode"});
  Objective o;
  if (node.has("value_of_time_usd_per_s")) o.value_of_time_usd_per_s = node.get_real("value_of_time_usd_per_s", 0, 1e6);
  if (auto slo = node.find("slo")) {
    slo->expect_keys({"p95", "p99"});
    if (slo->has("p95") == slo->has("p99")) slo->fail("give one latency quantile: {p95: SECONDS} or {p99: SECONDS}");
    const bool p99 = slo->has("p99");
    o.slo = LatencySlo{p99 ? 0.99 : 0.95, slo->get_real(p99 ? "p99" : "p95", 0, 1e9)};
  }
  if (node.has("budget_usd_per_episode")) o.budget_usd_per_episode = node.get_real("budget_usd_per_episode", 0, 1e9);
  return o;
}

Objective objective_of_scenario_text(const std::string& text, const std::string& name) {
  const sim::ConfigNode root = sim::ConfigNode::load_string(text, name);
  if (!root.is_map()) return {};
  const auto node = root.find("objective");
  return node ? decode_objective(*node) : Objective{};
}

}  // namespace specsim::analysis
