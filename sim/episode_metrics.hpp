#pragma once
// One episode's figures (shared/DESIGN.md §3). The engine declares them so that a planner can
// add up an episode's calls as its rounds close (with a CallMeter's prices) and
// keep no call of an episode nobody records; analysis/episode_metrics.hpp computes the same
// figures from a recorded episode's calls.
#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <vector>

#include "sim/call.hpp"

namespace specsim::sim {

struct EpisodeMetrics {
  std::int64_t episode = 0;
  std::int32_t steps = 0, rounds = 0;
  std::int32_t terminated = 0;
  double latency_s = 0;
  double cost_usd = 0;
  double unnecessary_cost_usd = 0;  // calls whose output is not on the committed path
  double speculation_cost_usd = 0;  // A's matched guesses: the price of the speed-up
  std::int32_t calls_target = 0, calls_approx = 0, calls_cancelled = 0;
  std::int64_t input_tokens_target = 0, output_tokens_target = 0;  // billed
  std::int64_t input_tokens_approx = 0, output_tokens_approx = 0;
  double concurrency_mean = 0;
  std::int32_t concurrency_peak = 0;
  double mean_k = 0;  // over the episode's rounds
  std::int32_t k_cut_rounds = 0;  // rounds whose chosen k was cut to the steps left before max_steps
  // Environment calls (tools the steps' actions call): how many, what they cost (in cost_usd
  // too), how many ran ahead on a guess, and what those on no committed action cost (in
  // unnecessary_cost_usd too).
  std::int32_t calls_environment = 0, environment_ahead_calls = 0;
  double environment_cost_usd = 0, environment_wasted_cost_usd = 0;

  bool operator==(const EpisodeMetrics&) const = default;  // exactly: the same tallies, priced the same way
};

// Dollars for `input` prompt and `output` tokens at rates in $ per 1M tokens.
inline double dollars(std::int64_t input, std::int64_t output, double input_rate, double output_rate) {
  return (static_cast<double>(input) * input_rate + static_cast<double>(output) * output_rate) * 1e-6;
}

// An environment call's price: a tool bills a request once it is sent, so a call cancelled while
// running pays its whole price, whatever the billing rule for LLM calls; one cancelled before it
// started pays nothing.
inline double environment_cost(const CallRecord& call) {
  const bool sent = call.status != CallStatus::queued && call.status != CallStatus::cancelled_queued;
  return sent ? call.price_usd : 0.0;
}

// Integer sums over some closed LLM calls of one agent at one price tier: what pricing them
// needs. Integers add up exactly in any order, so a set of calls costs the same however it was
// gathered (by round, by node, by episode), and is priced once (docs/performance.md "engine9").
struct TokenTally {
  std::int32_t calls = 0, cancelled = 0;  // cancelled: while running or while queued
  std::int64_t input = 0, output = 0;     // billed, by the call's status and the billing rule

  TokenTally& operator+=(const TokenTally& o) {
    calls += o.calls;
    cancelled += o.cancelled;
    input += o.input;
    output += o.output;
    return *this;
  }
};

// The agents' prices as the planner meters with them: per agent, its price tiers' rates (worked
// out once, cache shares included) and the prompt length above which each applies, and how a
// call cancelled while running is billed. A models-side meter fills them in
// (analysis::PriceMeter).
class CallMeter {
 public:
  // Which output of a call cancelled while running is billed.
  enum class CancelledOutput : std::uint8_t { none, generated, planned };

  int tiers(Agent agent) const { return static_cast<int>(tiers_[static_cast<std::size_t>(index(agent))].size()); }
  // The tier of a call whose prompt has `prompt` tokens (0: the standard prices): the last whose
  // threshold it is over, as models::Price::tier picks it.
  int tier(Agent agent, std::int64_t prompt) const {
    const auto& tiers = tiers_[static_cast<std::size_t>(index(agent))];
    int t = 0;
    for (std::size_t i = 1; i < tiers.size(); ++i)
      if (prompt > tiers[i].above_input_tokens) t = static_cast<int>(i);
    return t;
  }
  // Adds a closed LLM call's billed tokens (each attempt's prompt; a cancelled call's by the
  // billing rule; a failed one's none) and counts to `t`.
  void add(const CallRecord& call, TokenTally& t) const {
    ++t.calls;
    if (call.status == CallStatus::finished) {
      t.input += std::min<std::int64_t>(std::int64_t{call.tokens.input} * call.attempts, INT32_MAX);
      t.output += call.tokens.output;
    } else if (call.status == CallStatus::cancelled) {
      ++t.cancelled;
      if (cancelled_input_) t.input += call.tokens.input;
      t.output += cancelled_output_ == CancelledOutput::planned     ? call.tokens.planned_output
                  : cancelled_output_ == CancelledOutput::generated ? call.tokens.output
                                                                    : 0;
    } else if (call.status == CallStatus::cancelled_queued) {
      ++t.cancelled;
    }
  }
  double cost(Agent agent, int tier, const TokenTally& t) const {
    const Rates& r = tiers_[static_cast<std::size_t>(index(agent))][static_cast<std::size_t>(tier)];
    return dollars(t.input, t.output, r.input, r.output);
  }

 protected:
  struct Rates {
    std::int64_t above_input_tokens = 0;  // the tier applies to longer prompts (not read for tier 0)
    double input = 0, output = 0;         // $ per 1M prompt and output tokens
  };
  CallMeter() = default;
  ~CallMeter() = default;
  std::array<std::vector<Rates>, kAgents> tiers_;  // by tier, the standard one first
  bool cancelled_input_ = true;
  CancelledOutput cancelled_output_ = CancelledOutput::none;
};

// Closed calls as the episode's figures need them: each LLM agent's tallies by price tier and
// role, and the environment calls' figures, added call by call in call order (their prices are
// dollars already). Pricing the tallies gives an episode's LLM cost as the price of its billed
// tokens, one product per agent, tier and role, not a running sum of each call's.
class CallTotals {
 public:
  CallTotals() = default;
  explicit CallTotals(const CallMeter& meter);

  // The tally of the agent's calls at the tier with the role (pending counts as committed: it is
  // neither wasted nor speculation).
  TokenTally& at(Agent agent, int tier, CallRole role) {
    const int slot = role == CallRole::wasted ? 2 : role == CallRole::speculation ? 1 : 0;
    return tallies_[static_cast<std::size_t>(base_[static_cast<std::size_t>(index(agent))] + tier * 3 + slot)];
  }
  // A closed call, its role final.
  void add(const CallRecord& call) {
    if (call.agent == Agent::environment) return add_environment(call);
    meter_->add(call, at(call.agent, meter_->tier(call.agent, call.tokens.input), call.role));
  }
  void clear();
  // Sets the figures the calls give: counts, billed tokens, costs.
  void figures(EpisodeMetrics& m) const;

 private:
  void add_environment(const CallRecord& call);
  const TokenTally* tier_tallies(Agent agent, int tier) const {  // committed, speculation, wasted
    return &tallies_[static_cast<std::size_t>(base_[static_cast<std::size_t>(index(agent))] + tier * 3)];
  }
  const CallMeter* meter_ = nullptr;
  std::array<int, kAgents> base_{};  // each agent's first tally
  std::vector<TokenTally> tallies_;  // by agent, then tier * 3 + (committed, speculation, wasted)
  EpisodeMetrics environment_;       // its environment fields only
};

}  // namespace specsim::sim
