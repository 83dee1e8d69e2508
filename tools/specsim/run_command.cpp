// `specsim run SCENARIO.yaml [-o FILE.h5] [--json FILE] [--csv FILE]`: every policy of the
// scenario over the same episodes; prints the summary table.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "analysis/report.hpp"
#include "analysis/sinks/csv_sink.hpp"
#include "analysis/sinks/h5_sink.hpp"
#include "analysis/sinks/json_sink.hpp"
#include "analysis/sinks/summary_sink.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/provenance.hpp"
#include "sim/exit_code.hpp"
#include "tools/specsim/commands.hpp"

namespace specsim::cli {

namespace {

struct RunArgs {
  std::string scenario, h5, json, csv;
  std::optional<std::uint64_t> seed;
  std::optional<std::int64_t> episodes;
  int threads = 0;
  bool quiet = false;
};

int run(const RunArgs& args) {
  runner::Scenario scenario = runner::load_scenario(args.scenario);
  if (args.seed) scenario.seed = *args.seed;
  if (args.episodes) scenario.episodes = *args.episodes;
  runner::RunOptions options;
  options.threads = args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  analysis::SummarySink summary(scenario.agents, scenario.billing);
  sim::ObserverFanout sinks;
  sinks.add(summary);
  std::unique_ptr<sim::RunObserver> h5, json, csv;
  if (!args.h5.empty()) {
    ensure_parent(args.h5);
    h5 = std::make_unique<analysis::H5Sink>(
        args.h5, runner::provenance(scenario.name, scenario.file, scenario.text, scenario.episodes), summary,
        scenario.agents, scenario.billing, scenario.record_episodes);
    sinks.add(*h5);
  }
  if (!args.json.empty()) {
    ensure_parent(args.json);
    json = std::make_unique<analysis::JsonSink>(args.json, summary);
    sinks.add(*json);
  }
  if (!args.csv.empty()) {
    ensure_parent(args.csv);
    csv = std::make_unique<analysis::CsvSink>(args.csv, summary);
    sinks.add(*csv);
  }
  runner::run_experiment(scenario, options, sinks);

  if (args.quiet) return sim::ExitCode::ok;
  std::cout << fmt::format("scenario {} — {} episodes, seed {}, {} threads\n", scenario.name, scenario.episodes,
                           scenario.seed, options.threads)
            << analysis::format_table(summary.rows());
  if (h5) std::cout << "results: " << args.h5 << "\n";
  if (json) std::cout << "summary: " << args.json << "\n";
  if (csv) std::cout << "summary: " << args.csv << "\n";
  return sim::ExitCode::ok;
}

}  // namespace

void add_run_command(CLI::App& app, SetAction set_action) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run a scenario: summary table, HDF5 results, JSON summary");
  cmd->add_option("scenario", args->scenario, "Scenario YAML file")->required();
  cmd->add_option("-o,--output", args->h5, "HDF5 result file to write");
  cmd->add_option("--json", args->json, "JSON summary file to write");
  cmd->add_option("--csv", args->csv, "CSV summary file to write (one line per policy)");
  cmd->add_option("--seed", args->seed, "Override the scenario's seed");
  cmd->add_option("--threads", args->threads, "Worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--episodes", args->episodes, "Override the number of episodes")->check(CLI::PositiveNumber);
  cmd->add_flag("-q,--quiet", args->quiet, "Print nothing on success");
  cmd->callback([set_action, args] { set_action([args] { return run(*args); }); });
}

}  // namespace specsim::cli
