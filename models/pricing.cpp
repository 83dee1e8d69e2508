#include "models/pricing.hpp"

#include <algorithm>
#include <climits>

#include "sim/registry.hpp"

namespace specsim::models {

Price decode_price(const sim::ConfigNode& node, const std::optional<Price>& base) {
  node.expect_keys({"input", "cached_input", "output"});
  // Dollars per million tokens; beyond $10,000 a price is a typo, and sums of it overflow nothing.
  constexpr double kMaxPrice = 1e4;
  Price p;
  if (base) {
    p.input = node.get_real("input", 0, kMaxPrice, base->input);
    p.output = node.get_real("output", 0, kMaxPrice, base->output);
    p.cached_input = node.get_real("cached_input", 0, kMaxPrice, base->cached_input);
    return p;
  }
  p.input = node.get_real("input", 0, kMaxPrice);
  p.output = node.get_real("output", 0, kMaxPrice);
  p.cached_input = node.get_real("cached_input", 0, kMaxPrice, p.input);
  return p;
}

Billing decode_billing(const sim::ConfigNode& node) {
  using R = sim::Registry<Billing>;
  static const R registry{"billing rule", {
      {"input_only", R::constant(Billing::input_only)},
      {"full", R::constant(Billing::full)},
      {"none", R::constant(Billing::none)},
      {"prorated", R::constant(Billing::prorated)},
  }};
  return registry.decode(node);
}

const char* name(Billing billing) {
  switch (billing) {
    case Billing::input_only: return "input_only";
    case Billing::full: return "full";
    case Billing::none: return "none";
    case Billing::prorated: return "prorated";
  }
  return "?";
}

sim::CallTokens billed_tokens(const sim::CallRecord& call, Billing billing) {
  sim::CallTokens t = call.tokens;
  switch (call.status) {
    case sim::CallStatus::finished:
      // Each recorded attempt sent the prompt; only the last one generated output.
      t.input = static_cast<std::int32_t>(std::min<std::int64_t>(std::int64_t{t.input} * std::max<int>(call.attempts, 1), INT32_MAX));
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
