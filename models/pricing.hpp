#pragma once
// Prices in dollars per 1M tokens (with long-context tiers and prompt-cache reads and writes),
// and the rule for billing cancelled calls.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/call.hpp"
#include "sim/config_node.hpp"

namespace specsim::models {

// The shares of a call's prompt that the provider's prompt cache serves (`read`, billed at the
// cached-input price) and stores (`write`, billed at the cache-write price); the rest is
// billed at the input price. read + write <= 1.
struct CacheShares {
  double read = 0, write = 0;
};

struct TokenPrices {  // $ per 1M tokens
  double input = 0, cached_input = 0, output = 0;
  double cache_write = 0;  // a provider without a cache-write charge: the input price

  // Dollars per 1M prompt tokens for a prompt with these cache shares.
  double input_rate(CacheShares cache) const {
    return (1 - cache.read - cache.write) * input + cache.read * cached_input + cache.write * cache_write;
  }
};

// Prompts longer than `above_input_tokens` are billed at these prices, all their tokens (input
// and output) alike, as the providers bill long-context requests.
struct LongContextTier {
  std::int64_t above_input_tokens = 0;
  TokenPrices prices;
};

struct Price : TokenPrices {                  // the standard tier
  std::vector<LongContextTier> long_context;  // ascending thresholds

  // The prices of a call whose prompt has `prompt_tokens` tokens.
  const TokenPrices& tier(std::int64_t prompt_tokens) const {
    const TokenPrices* p = this;
    for (const LongContextTier& t : long_context)
      if (prompt_tokens > t.above_input_tokens) p = &t.prices;
    return *p;
  }
  // Dollars for the `billed` tokens of a call whose prompt has `prompt_tokens` tokens (each of
  // its attempts sent that prompt). Reasoning tokens are among the output tokens.
  double cost(const sim::CallTokens& billed, std::int64_t prompt_tokens, CacheShares cache) const {
    const TokenPrices& p = tier(prompt_tokens);
    return cost_at(billed, p.input_rate(cache), p.output);
  }
  // The same at given rates ($ per 1M prompt and output tokens): what a meter that worked the
  // rates out once prices each call with.
  static double cost_at(const sim::CallTokens& billed, double input_rate, double output_rate) {
    return (static_cast<double>(billed.input) * input_rate + static_cast<double>(billed.output) * output_rate) * 1e-6;
  }
};

// A price; with `base` (a catalogue entry, an agent's model), absent fields keep its values, so
// `price: {input: 2.0}` overrides the input price alone (the long-context tiers stay; a
// `long_context` list replaces them). Without, input and output are required.
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

// An environment call's price (sim::Agent::environment): a tool bills a request once it is sent,
// so a call cancelled while running pays its whole price, whatever the billing rule for LLM
// calls; one cancelled before it started pays nothing.
inline double environment_cost(const sim::CallRecord& call) {
  const bool sent = call.status != sim::CallStatus::queued && call.status != sim::CallStatus::cancelled_queued;
  return sent ? call.price_usd : 0.0;
}

}  // namespace specsim::models
