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
  std::cout << fmt::format("{:<{}}  {:<9} {:<10} {:>8} {:>8} {:>8} {:>8} {:>6} {:>9} {:>8} {:>6}  {}\n", "model", width,
                           "provider", "status", "input $", "cached $", "write $", "output $", "ttft s", "prefill/s",
                           "decode/s", "jitter", "notes");
  for (const auto& [name, m] : catalogue.models()) {
    const auto& l = m.latency;
    const auto& p = m.price;
    const std::string speed =
        l.kind == models::LatencyModel::Kind::fixed
            ? fmt::format("{:>6} {:>9} {:>8}", fmt::format("{:.2f}", l.fixed_s), "fixed", "-")
            : fmt::format("{:>6.2f} {:>9.0f} {:>8.0f}", l.ttft_s, l.prefill_tokens_per_s, l.decode_tokens_per_s);
    std::string notes;
    const auto note = [&notes](const std::string& n) { notes += (notes.empty() ? "" : "; ") + n; };
    if (m.reasoning) note("reasoning billed as output");
    for (const models::LongContextTier& t : p.long_context)
      note(fmt::format("prompts over {}k tokens: {:g} / {:g} / {:g}", t.above_input_tokens / 1000, t.prices.input,
                       t.prices.cached_input, t.prices.output));
    if (!m.shutdown.empty()) note((m.status == models::ModelStatus::retired ? "shut down " : "shuts down ") + m.shutdown);
    if (!m.replacement.empty()) note("successor " + m.replacement);
    if (!m.read.empty()) note("read " + m.read);
    std::cout << fmt::format("{:<{}}  {:<9} {:<10} {:>8.3f} {:>8.4g} {:>8.3f} {:>8.3f} {} {:>6.2f}  {}\n", name, width,
                             m.provider, models::name(m.status), p.input, p.cached_input, p.cache_write, p.output, speed,
                             l.jitter_sigma, notes);
  }
  std::cout << "prices: $ per 1M tokens (list prices: input, cache hit, cache write, output; long-context tiers as "
               "input / cached / output; sources in models/catalogue.yaml); speeds: time to first token, prefill and "
               "decode tokens per second, lognormal jitter sigma.\n";
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
