#include "models/pricing.hpp"

namespace specsim::models {

Price decode_price(const sim::ConfigNode& node) {
  node.expect_keys({"input", "cached_input", "output"});
  Price p;
  p.input = node.get_nonneg("input");
  p.output = node.get_nonneg("output");
  p.cached_input = node.get_nonneg("cached_input", p.input);
  return p;
}

Billing decode_billing(const sim::ConfigNode& node) {
  const std::string s = node.as<std::string>();
  if (s == "input_only") return Billing::input_only;
  if (s == "full") return Billing::full;
  if (s == "none") return Billing::none;
  if (s == "prorated") return Billing::prorated;
  node.fail("unknown billing rule '" + s + "' (expected input_only, full, none or prorated)");
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
    case sim::CallStatus::finished: return t;
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
