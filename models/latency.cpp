#include "models/latency.hpp"

#include <algorithm>
#include <cmath>

namespace specsim::models {

namespace {
// A call lasts at most this long (116 days): extreme settings (a decode rate of 1e-9 tokens/s)
// saturate instead of overflowing simulated time.
constexpr double kMaxCallSeconds = 1e7;
sim::Time bounded(double seconds) { return sim::Time::from_seconds(std::min(seconds, kMaxCallSeconds)); }
}  // namespace

CallTiming LatencyModel::timing(int input_tokens, int output_tokens, double jitter) const {
  const double factor = jitter_sigma > 0 ? std::exp(jitter_sigma * jitter - 0.5 * jitter_sigma * jitter_sigma) : 1.0;
  if (kind == Kind::fixed) {
    const sim::Time total = bounded(fixed_s * factor);
    return {total, sim::Time::zero()};
  }
  const double prefill = prefill_tokens_per_s > 0 ? input_tokens / prefill_tokens_per_s : 0.0;
  const double decode = decode_tokens_per_s > 0 ? output_tokens / decode_tokens_per_s : 0.0;
  const double first = (ttft_s + prefill) * factor;
  return {bounded(first + decode * factor), bounded(first)};
}

LatencyModel decode_latency(const sim::ConfigNode& node, const LatencyModel& base) {
  LatencyModel m = base;
  const std::string kind = node.get<std::string>("kind", "tokens");
  if (kind == "fixed") {
    node.expect_keys({"kind", "seconds", "jitter_sigma"});
    m.kind = LatencyModel::Kind::fixed;
    m.fixed_s = node.get_seconds("seconds").seconds();
    m.jitter_sigma = node.get_nonneg("jitter_sigma", 0.0);
    if (m.jitter_sigma > 5) node.at("jitter_sigma").fail("must be at most 5");
    return m;
  }
  if (kind != "tokens") node.at("kind").fail("unknown latency kind '" + kind + "' (expected fixed or tokens)");
  node.expect_keys({"kind", "ttft_s", "prefill_tokens_per_s", "decode_tokens_per_s", "jitter_sigma"});
  m.kind = LatencyModel::Kind::tokens;
  m.ttft_s = node.get_seconds("ttft_s", sim::Time::from_seconds(m.ttft_s)).seconds();
  m.prefill_tokens_per_s = node.get_nonneg("prefill_tokens_per_s", m.prefill_tokens_per_s);
  m.decode_tokens_per_s = node.get_nonneg("decode_tokens_per_s", m.decode_tokens_per_s);
  m.jitter_sigma = node.get_nonneg("jitter_sigma", m.jitter_sigma);
  if (m.jitter_sigma > 5) node.at("jitter_sigma").fail("must be at most 5");
  return m;
}

}  // namespace specsim::models
