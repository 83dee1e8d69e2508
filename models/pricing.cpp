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

}  // namespace specsim::models
