#pragma once
// Prices in dollars per 1M tokens, and the rule for billing cancelled calls.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>

#include "sim/call.hpp"
#include "sim/config_node.hpp"

namespace specsim::models {

struct Price {
  double input = 0, cached_input = 0, output = 0;  // $ per 1M tokens

  // `cached_fraction` of the input is served from the provider's prompt cache.
  double cost(double input_tokens, double output_tokens, double cached_fraction) const {
    return (input_tokens * ((1 - cached_fraction) * input + cached_fraction * cached_input) +
            output_tokens * output) * 1e-6;
  }
};

// A price; with `base` (a catalogue entry, an agent's model), absent fields keep its values, so
// `price: {input: 2.0}` overrides the input price alone. Without, input and output are required.
Price decode_price(const sim::ConfigNode& node, const std::optional<Price>& base);

// How a call cancelled while running is billed (a call cancelled while queued is never billed).
enum class Billing { input_only, full, none, prorated };

Billing decode_billing(const sim::ConfigNode& node);
const char* name(Billing billing);

// The tokens a call is billed for, given its status and the rule.
inline sim::CallTokens billed_tokens(const sim::CallRecord& call, Billing billing) {
  sim::CallTokens t = call.tokens;
  switch (call.status) {
    case sim::CallStatus::finished:
      // Each recorded attempt sent the prompt; only the last one generated output.
      if (call.attempts > 1)
        t.input = static_cast<std::int32_t>(std::min<std::int64_t>(std::int64_t{t.input} * call.attempts, INT32_MAX));
      return t;
    case sim::CallStatus::cancelled:
      switch (billing) {
        case Billing::input_only: t.output = 0; return t;
        case Billing::full: t.output = t.planned_output; return t;
        case Billing::none: return {};
        case Billing::prorated: return t;
      }
      return t;
    default: return {};
  }
}

}  // namespace specsim::models
