#pragma once
// How long a call takes: time to first token + input tokens / prefill rate + output tokens /
// decode rate, scaled by a multiplicative lognormal jitter (mean 1); or a constant (`fixed`),
// or exponentially distributed (`exponential`), for validation against closed forms (queueing
// checks of a fleet need memoryless call times), or `served` by a self-hosted endpoint whose
// rates fall with the requests in flight on it (models/served_endpoint.hpp); `timing` then gives
// the call's time alone on the endpoint.
#include "models/serving_profile.hpp"
#include "sim/config_node.hpp"
#include "sim/time.hpp"

namespace specsim::models {

struct CallTiming {
  sim::Time total;        // from start to last token
  sim::Time first_token;  // when output starts streaming (for prorated billing of cancels)
};

struct LatencyModel {
  enum class Kind { fixed, tokens, exponential, served };
  Kind kind = Kind::tokens;
  double fixed_s = 0;  // fixed: the duration; exponential: the mean
  double ttft_s = 0;
  double prefill_tokens_per_s = 0;  // 0: prefill time folded into ttft
  double decode_tokens_per_s = 0;   // 0: decoding takes no time
  double jitter_sigma = 0;
  ServingProfile profile;  // served

  // `jitter` is a standard normal draw; the factor is exp(sigma z - sigma^2 / 2), of mean 1.
  // An exponential call turns the same draw into its duration (through the normal's tail).
  CallTiming timing(int input_tokens, int output_tokens, double jitter) const;
  bool draws() const { return jitter_sigma > 0 || kind == Kind::exponential; }
};

// Decodes `latency: {kind: fixed, seconds: 1}`, `{kind: exponential, mean_s: 1}`, `{kind: served,
// profile: [...]}` or `{kind: tokens, ttft_s: ...}`; keys that are
// absent keep the values of `base` (the catalogue's figures for the model).
LatencyModel decode_latency(const sim::ConfigNode& node, const LatencyModel& base);

}  // namespace specsim::models
