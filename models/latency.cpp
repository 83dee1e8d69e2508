#include "models/latency.hpp"

#include <cmath>

namespace specsim::models {

CallTiming LatencyModel::timing(int input_tokens, int output_tokens, double jitter) const {
  const double factor = jitter_sigma > 0 ? std::exp(jitter_sigma * jitter - 0.5 * jitter_sigma * jitter_sigma) : 1.0;
  if (kind == Kind::fixed) {
    const sim::Time total = sim::Time::from_seconds(fixed_s * factor);
    return {total, sim::Time::zero()};
  }
  const double prefill = prefill_tokens_per_s > 0 ? input_tokens / prefill_tokens_per_s : 0.0;
  const double decode = decode_tokens_per_s > 0 ? output_tokens / decode_tokens_per_s : 0.0;
  const double first = (ttft_s + prefill) * factor;
  return {sim::Time::from_seconds(first + decode * factor), sim::Time::from_seconds(first)};
}

LatencyModel decode_latency(const sim::ConfigNode& node, const LatencyModel& base) {
  LatencyModel m = base;
  const std::string kind = node.get<std::string>("kind", "tokens");
  if (kind == "fixed") {
    node.expect_keys({"kind", "seconds", "jitter_sigma"});
    m.kind = LatencyModel::Kind::fixed;
    m.fixed_s = node.get_nonneg("seconds");
    m.jitter_sigma = node.get_nonneg("jitter_sigma", 0.0);
    return m;
  }
  if (kind != "tokens") node.at("kind").fail("unknown latency kind '" + kind + "' (expected fixed or tokens)");
  node.expect_keys({"kind", "ttft_s", "prefill_tokens_per_s", "decode_tokens_per_s", "jitter_sigma"});
  m.kind = LatencyModel::Kind::tokens;
  m.ttft_s = node.get_nonneg("ttft_s", m.ttft_s);
  m.prefill_tokens_per_s = node.get_nonneg("prefill_tokens_per_s", m.prefill_tokens_per_s);
  m.decode_tokens_per_s = node.get_nonneg("decode_tokens_per_s", m.decode_tokens_per_s);
  m.jitter_sigma = node.get_nonneg("jitter_sigma", m.jitter_sigma);
  return m;
}

}  // namespace specsim::models
