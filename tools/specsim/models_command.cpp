// `specsim models [SCENARIO.yaml]`: the model catalogue as a table (the built-in one, or with a
// scenario's `models:` additions and overrides), prices in $ per 1M tokens.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "models/catalogue.hpp"
#include "sim/config_node.hpp"
#include "sim/exit_code.hpp"
#include "tools/specsim/commands.hpp"

namespace specsim::cli {

namespace {

int list_models(const std::string& scenario) {
  models::Catalogue catalogue = models::Catalogue::builtin();
  if (!scenario.empty()) {
    const sim::ConfigNode root = sim::ConfigNode::load_file(scenario);
    if (root.is_map())
      if (auto extra = root.find("models")) catalogue.merge(*extra);
  }
  std::size_t width = 5;
  for (const auto& [name, _] : catalogue.models()) width = std::max(width, name.size());
  std::cout << fmt::format("{:<{}}  {:<10} {:>9} {:>9} {:>9} {:>7} {:>10} {:>9} {:>6}\n", "model", width, "provider",
                           "input $", "cached $", "output $", "ttft s", "prefill/s", "decode/s", "jitter");
  for (const auto& [name, m] : catalogue.models()) {
    const auto& l = m.latency;
    const std::string speed =
        l.kind == models::LatencyModel::Kind::fixed
            ? fmt::format("{:>7} {:>10} {:>9}", fmt::format("{:.2f}", l.fixed_s), "fixed", "-")
            : fmt::format("{:>7.2f} {:>10.0f} {:>9.0f}", l.ttft_s, l.prefill_tokens_per_s, l.decode_tokens_per_s);
    std::cout << fmt::format("{:<{}}  {:<10} {:>9.3f} {:>9.3f} {:>9.3f} {} {:>6.2f}\n", name, width, m.provider,
                             m.price.input, m.price.cached_input, m.price.output, speed, l.jitter_sigma);
  }
  std::cout << "prices: $ per 1M tokens (list prices; sources and dates in models/catalogue.yaml); speeds: "
               "time to first token, prefill and decode tokens per second, lognormal jitter sigma.\n";
  return sim::ExitCode::ok;
}

}  // namespace

void add_models_command(CLI::App& app, SetAction set_action) {
  auto scenario = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("models", "List the model catalogue: prices and speeds");
  cmd->add_option("scenario", *scenario, "A scenario whose `models:` add to or override the catalogue");
  cmd->callback([set_action, scenario] { set_action([scenario] { return list_models(*scenario); }); });
}

}  // namespace specsim::cli
