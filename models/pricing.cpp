#include "models/pricing.hpp"

#include <algorithm>
#include <climits>

#include "sim/registry.hpp"

namespace specsim::models {

namespace {

// Dollars per million tokens; beyond $10,000 a price is a typo, and sums of it overflow nothing.
constexpr double kMaxPrice = 1e4;

// The fields of `node` over `base`: absent ones keep base's values.
TokenPrices decode_prices(const sim::ConfigNode& node, const TokenPrices& base) {
  TokenPrices p;
  p.input = node.get_real("input", 0, kMaxPrice, base.input);
  p.output = node.get_real("output", 0, kMaxPrice, base.output);
  p.cached_input = node.get_real("cached_input", 0, kMaxPrice, base.cached_input);
  p.cache_write = node.get_real("cache_write", 0, kMaxPrice, base.cache_write);
  return p;
}

// Tiers in ascending order of their thresholds; a tier's absent prices are the standard tier's.
std::vector<LongContextTier> decode_tiers(const sim::ConfigNode& node, const TokenPrices& standard) {
  if (!node.is_sequence()) node.fail("must be a list of {above_input_tokens, input, cached_input, cache_write, output}");
  std::vector<LongContextTier> tiers;
  for (const sim::ConfigNode& item : node.items()) {
    item.expect_keys({"above_input_tokens", "input", "cached_input", "cache_write", "output"});
    LongContextTier t;
    t.above_input_tokens = item.get_int_min("above_input_tokens", 1);
    if (!tiers.empty() && t.above_input_tokens <= tiers.back().above_input_tokens)
      item.at("above_input_tokens").fail("must be above the previous tier's (" +
                                         std::to_string(tiers.back().above_input_tokens) + ")");
    t.prices = decode_prices(item, standard);
    tiers.push_back(t);
  }
  return tiers;
}

}  // namespace

Price decode_price(const sim::ConfigNode& node, const std::optional<Price>& base) {
  node.expect_keys({"input", "cached_input", "cache_write", "output", "long_context"});
  Price p;
  if (base) {
    static_cast<TokenPrices&>(p) = decode_prices(node, *base);
    p.long_context = base->long_context;
  } else {
    p.input = node.get_real("input", 0, kMaxPrice);
    p.output = node.get_real("output", 0, kMaxPrice);
    // Without a discount or a surcharge, cached and written prompt tokens cost the input price.
    p.cached_input = node.get_real("cached_input", 0, kMaxPrice, p.input);
    p.cache_write = node.get_real("cache_write", 0, kMaxPrice, p.input);
  }
  if (auto tiers = node.find("long_context")) p.long_context = decode_tiers(*tiers, p);
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
