// `specsim advise RESULTS [--value-of-time USD] [--slo-p95 S | --slo-p99 S] [--budget USD]`: the best
// policy and setting of a run (.h5 or .json) or a sweep folder under the objective its scenario
// states, or the one given here.
#include <iostream>
#include <memory>
#include <optional>

#include "sim/exit_code.hpp"
#include "tools/runner/advice.hpp"
#include "tools/specsim/commands.hpp"

namespace specsim::cli {

namespace {

struct AdviseArgs {
  std::string results;
  std::optional<double> value_of_time, slo_p95, slo_p99, budget;
};

int advise(const AdviseArgs& args) {
  analysis::Objective given;
  given.value_of_time_usd_per_s = args.value_of_time;
  if (args.slo_p95) given.slo = analysis::LatencySlo{0.95, *args.slo_p95};
  if (args.slo_p99) given.slo = analysis::LatencySlo{0.99, *args.slo_p99};
  given.budget_usd_per_episode = args.budget;
  std::cout << runner::format_advice(runner::advise(args.results, given));
  return sim::ExitCode::ok;
}

}  // namespace

void add_advise_command(CLI::App& app, SetAction set_action) {
  auto args = std::make_shared<AdviseArgs>();
  auto* cmd = app.add_subcommand("advise", "The best policy and setting of a run or sweep under an objective");
  cmd->add_option("results", args->results, "A run's .h5 or .json, or a sweep folder")->required();
  cmd->add_option("--value-of-time", args->value_of_time, "Dollars a second of latency is worth")
      ->check(CLI::Range(0.0, 1e6));
  auto* p95 = cmd->add_option("--slo-p95", args->slo_p95, "Latency SLO: p95 at most this many seconds")
                  ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--slo-p99", args->slo_p99, "Latency SLO: p99 at most this many seconds")
      ->check(CLI::Range(0.0, 1e9))
      ->excludes(p95);
  cmd->add_option("--budget", args->budget, "Budget: dollars per episode at most")->check(CLI::Range(0.0, 1e9));
  cmd->callback([set_action, args] { set_action([args] { return advise(*args); }); });
}

}  // namespace specsim::cli
