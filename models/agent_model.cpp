#include "models/agent_model.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>

#include "sim/registry.hpp"

namespace specsim::models {

namespace {

TokenDistribution decode_tokens(const sim::ConfigNode& node) {
  if (node.is_scalar()) {
    TokenDistribution d{node.as<double>(), 0};
    if (d.mean < 0) node.fail("must be >= 0");
    return d;
  }
  node.expect_keys({"mean", "sigma"});
  return TokenDistribution{node.get_nonneg("mean"), node.get_nonneg("sigma", 0.0)};
}

int to_tokens(double x) { return static_cast<int>(std::lrint(std::min(x, 1e9))); }

// One distribution for every call of a step, or a list with one per call.
std::vector<TokenDistribution> decode_per_call(const sim::ConfigNode& node, int calls_per_step) {
  if (!node.is_sequence()) return {decode_tokens(node)};
  std::vector<TokenDistribution> per_call;
  for (const auto& item : node.items()) per_call.push_back(decode_tokens(item));
  if (per_call.size() != static_cast<std::size_t>(calls_per_step))
    node.fail("has " + std::to_string(per_call.size()) + " entries but a step makes " +
              std::to_string(calls_per_step) + " calls");
  return per_call;
}

// A draw from `d`: its mean, or with a sigma a lognormal of that mean (at least 1 token when
// the mean is positive). Noise is drawn only where a sigma asks for it: constant models cost no
// random draws (the match draws, made before any call's, never shift).
int draw_tokens(const TokenDistribution& d, sim::RandomStream& rng) {
  if (d.sigma <= 0) return to_tokens(d.mean);
  return std::max(d.mean > 0 ? 1 : 0, to_tokens(d.mean * std::exp(d.sigma * rng.normal() - 0.5 * d.sigma * d.sigma)));
}

const TokenDistribution& of_call(const std::vector<TokenDistribution>& per_call, int call_index) {
  return per_call[std::min<std::size_t>(static_cast<std::size_t>(call_index), per_call.size() - 1)];
}

}  // namespace

int calls_per_style(const sim::ConfigNode& style_node) {
  using R = sim::Registry<int>;
  static const R registry{"agent style", {
      {"direct", R::constant(1)},
      {"cot", R::constant(1)},
      {"react", R::constant(2)},
      {"debate", R::constant(5)},
  }};
  return registry.decode(style_node);
}

int AgentModel::prompt_tokens(int step, int prior_output) const {
  return to_tokens(input_base + input_per_step * step) + prior_output;
}

ScriptedCall AgentModel::draw(int step, int call_index, int prior_output, sim::RandomStream& rng) const {
  // Noise is drawn only where a sigma asks for it: constant models cost no random draws (the
  // match draws, made before any call's, never shift).
  const std::int64_t visible = draw_tokens(of_call(output, call_index), rng);
  const double z_latency = latency.draws() ? rng.normal() : 0.0;
  // Reasoning tokens are generated (and billed) as output, before the visible answer; drawn
  // last, so agents without them draw what they always drew.
  const std::int64_t hidden = reasoning.empty() ? 0 : draw_tokens(of_call(reasoning, call_index), rng);
  const int in = prompt_tokens(step, prior_output);
  const auto clamp = [](std::int64_t v) { return static_cast<int>(std::min<std::int64_t>(v, INT32_MAX)); };
  // A top-K guess is the step's last call (a ReAct A thinks once, then lists its candidates).
  const std::int64_t k = candidates > 1 && call_index + 1 == calls_per_step ? candidates : 1;
  if (pricing == sim::GuessPricing::per_candidate) {
    // K calls at once, one per candidate: each takes one call's time; all K are billed.
    const int out = clamp(visible + hidden);
    const CallTiming t = latency.timing(in, out, z_latency);
    return ScriptedCall{t.total, t.first_token, sim::CallTokens{clamp(k * in), clamp(k * out), clamp(k * out)}};
  }
  // One call writes the K answers after one reasoning: its time and bill come from all of them.
  const int out = clamp(k * visible + hidden);
  const CallTiming t = latency.timing(in, out, z_latency);
  return ScriptedCall{t.total, t.first_token, sim::CallTokens{in, out, out}};
}

AgentModel decode_agent(const sim::ConfigNode& node, const Catalogue& catalogue) {
  // endpoint, prompt, action and tools describe the agent in a live run: models/live decodes them.
  node.expect_keys({"model", "style", "calls_per_step", "input_tokens", "output_tokens", "reasoning_tokens",
                    "cached_fraction", "cache_write_fraction", "latency", "price", "endpoint", "prompt", "action",
                    "tools"});
  AgentModel a;
  const ModelInfo& info = catalogue.get(node.at("model"));
  a.model = info.name;
  a.price = info.price;
  a.latency = info.latency;
  a.style = node.get<std::string>("style", "direct");
  a.calls_per_step = node.has("style") ? calls_per_style(node.at("style")) : 1;
  a.calls_per_step = node.get_int("calls_per_step", 1, 100, a.calls_per_step);

  if (auto in = node.find("input_tokens")) {
    in->expect_keys({"base", "per_step"});
    a.input_base = in->get_nonneg("base");
    a.input_per_step = in->get_nonneg("per_step", 0.0);
  }
  if (auto out = node.find("output_tokens")) a.output = decode_per_call(*out, a.calls_per_step);
  else a.output.push_back(TokenDistribution{});
  if (auto r = node.find("reasoning_tokens")) a.reasoning = decode_per_call(*r, a.calls_per_step);
  a.cache.read = node.get_real("cached_fraction", 0, 1, 0.0);
  a.cache.write = node.get_real("cache_write_fraction", 0, 1, 0.0);
  if (a.cache.read + a.cache.write > 1)
    node.at("cache_write_fraction").fail("plus cached_fraction must be at most 1, got " +
                                         std::to_string(a.cache.read + a.cache.write));
  if (auto latency = node.find("latency")) a.latency = decode_latency(*latency, a.latency);
  if (auto price = node.find("price")) a.price = decode_price(*price, a.price);
  return a;
}

}  // namespace specsim::models
