#include "models/agent_model.hpp"

#include <algorithm>
#include <cmath>

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

ScriptedCall AgentModel::draw(int step, int call_index, int prior_output, sim::RandomStream& rng) const {
  const TokenDistribution& d = output[std::min<std::size_t>(static_cast<std::size_t>(call_index), output.size() - 1)];
  // Noise is drawn only where a sigma asks for it: constant models cost no random draws (the
  // match draws, made before any call's, never shift).
  int out = to_tokens(d.mean);
  if (d.sigma > 0)
    out = std::max(d.mean > 0 ? 1 : 0, to_tokens(d.mean * std::exp(d.sigma * rng.normal() - 0.5 * d.sigma * d.sigma)));
  const double z_latency = latency.draws() ? rng.normal() : 0.0;
  const int in = to_tokens(input_base + input_per_step * step) + prior_output;
  const CallTiming t = latency.timing(in, out, z_latency);
  return ScriptedCall{t.total, t.first_token, sim::CallTokens{in, out, out}};
}

AgentModel decode_agent(const sim::ConfigNode& node, const Catalogue& catalogue) {
  // endpoint, prompt, action and tools describe the agent in a live run: models/live decodes them.
  node.expect_keys({"model", "style", "calls_per_step", "input_tokens", "output_tokens",
                    "cached_fraction", "latency", "price", "endpoint", "prompt", "action", "tools"});
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
  if (auto out = node.find("output_tokens")) {
    if (out->is_sequence()) {
      for (const auto& item : out->items()) a.output.push_back(decode_tokens(item));
      if (a.output.size() != static_cast<std::size_t>(a.calls_per_step))
        out->fail("has " + std::to_string(a.output.size()) + " entries but a step makes " +
                  std::to_string(a.calls_per_step) + " calls");
    } else {
      a.output.push_back(decode_tokens(*out));
    }
  } else {
    a.output.push_back(TokenDistribution{});
  }
  if (auto f = node.find("cached_fraction")) {
    a.cached_fraction = f->as<double>();
    if (a.cached_fraction < 0 || a.cached_fraction > 1) f->fail("must be in [0, 1]");
  }
  if (auto latency = node.find("latency")) a.latency = decode_latency(*latency, a.latency);
  if (auto price = node.find("price")) a.price = decode_price(*price, a.price);
  return a;
}

}  // namespace specsim::models
