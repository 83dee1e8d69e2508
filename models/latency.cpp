#include "models/latency.hpp"

#include <algorithm>
#include <cmath>

#include "sim/registry.hpp"

namespace specsim::models {

namespace {
// A call lasts at most this long (116 days): extreme settings (a decode rate of 1e-9 tokens/s)
// saturate instead of overflowing simulated time.
constexpr double kMaxCallSeconds = 1e7;
sim::Time bounded(double seconds) { return sim::Time::from_seconds(std::min(seconds, kMaxCallSeconds)); }
}  // namespace

CallTiming LatencyModel::timing(int input_tokens, int output_tokens, double jitter) const {
  if (kind == Kind::exponential) {
    // P(Z > z) is uniform for a standard normal Z, so -mean ln P(Z > z) is exponential.
    const double tail = 0.5 * std::erfc(jitter / std::sqrt(2.0));
    return {bounded(-fixed_s * std::log(tail)), sim::Time::zero()};
  }
  if (kind == Kind::served) {  // alone on the endpoint: its rates at concurrency 1
    const ServingRates r = profile.at(1);
    const sim::Time first = bounded(input_tokens / r.prefill_tps);
    return {first + bounded(output_tokens / r.decode_tps), first};
  }
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

namespace {

LatencyModel decode_fixed(const sim::ConfigNode& node, LatencyModel m) {
  node.expect_keys({"kind", "seconds", "jitter_sigma"});
  m.kind = LatencyModel::Kind::fixed;
  m.fixed_s = node.get_seconds("seconds").seconds();
  m.jitter_sigma = node.get_nonneg("jitter_sigma", 0.0);
  if (m.jitter_sigma > 5) node.at("jitter_sigma").fail("must be at most 5");
  return m;
}

LatencyModel decode_exponential(const sim::ConfigNode& node, LatencyModel m) {
  node.expect_keys({"kind", "mean_s"});
  m.kind = LatencyModel::Kind::exponential;
  m.fixed_s = node.get_seconds("mean_s").seconds();
  if (m.fixed_s <= 0) node.at("mean_s").fail("must be > 0");
  m.jitter_sigma = 0;
  return m;
}

LatencyModel decode_served(const sim::ConfigNode& node, LatencyModel m) {
  node.expect_keys({"kind", "profile"});
  m.kind = LatencyModel::Kind::served;
  m.profile = decode_profile(node.at("profile"));
  m.jitter_sigma = 0;
  return m;
}

// Unset fields keep the base's values (for an agent: its model's, from the catalogue).
LatencyModel decode_tokens(const sim::ConfigNode& node, LatencyModel m) {
  node.expect_keys({"kind", "ttft_s", "prefill_tokens_per_s", "decode_tokens_per_s", "jitter_sigma"});
  m.kind = LatencyModel::Kind::tokens;
  m.ttft_s = node.get_seconds("ttft_s", sim::Time::from_seconds(m.ttft_s)).seconds();
  m.prefill_tokens_per_s = node.get_nonneg("prefill_tokens_per_s", m.prefill_tokens_per_s);
  m.decode_tokens_per_s = node.get_nonneg("decode_tokens_per_s", m.decode_tokens_per_s);
  m.jitter_sigma = node.get_nonneg("jitter_sigma", m.jitter_sigma);
  if (m.jitter_sigma > 5) node.at("jitter_sigma").fail("must be at most 5");
  return m;
}

// The decoders take the base model as well as the node, so the registry holds them as values.
using LatencyDecoder = LatencyModel (*)(const sim::ConfigNode&, LatencyModel);

const sim::Registry<LatencyDecoder>& latency_kinds() {
  using R = sim::Registry<LatencyDecoder>;
  static const R registry{"latency kind", {
      {"fixed", R::constant(decode_fixed)},
      {"tokens", R::constant(decode_tokens)},
      {"exponential", R::constant(decode_exponential)},
      {"served", R::constant(decode_served)},
  }};
  return registry;
}

}  // namespace

LatencyModel decode_latency(const sim::ConfigNode& node, const LatencyModel& base) {
  const auto kind = node.find("kind");
  if (!kind) return decode_tokens(node, base);  // the default kind
  return latency_kinds().decode(*kind)(node, base);
}

}  // namespace specsim::models
