// `specsim run SCENARIO.yaml [-o FILE.h5] [--json FILE] [--csv FILE]`: every policy of the
// scenario over the same episodes; prints the summary table.
#include <fmt/format.h>

#include <chrono>
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
#include "tools/runner/output_paths.hpp"
#include "tools/runner/provenance.hpp"
#include "sim/exit_code.hpp"
#include "tools/specsim/commands.hpp"
#include "tools/specsim/stop_signals.hpp"

namespace specsim::cli {

namespace {

struct RunArgs {
  std::string scenario, h5, json, csv;
  std::optional<std::uint64_t> seed;
  std::optional<std::int64_t> episodes;
  int threads = 0;
  bool quiet = false;
};

// Diverged jobs are discarded, so the figures stay finite, but the policy learned less than its
// settings promise: say so, on stderr, even with --quiet.
void warn_diverged_training(const std::vector<analysis::SummaryRow>& rows) {
  for (const auto& r : rows)
    if (r.learner && r.learner->diverged_jobs > 0)
      std::cerr << fmt::format(
          "specsim: warning: {}: {} of {} training jobs diverged (weights not finite) and were discarded; "
          "lower its learning rate\n",
          r.label, r.learner->diverged_jobs, r.learner->training_jobs);
}

int run(const RunArgs& args) {
  const runner::Scenario scenario = runner::load_scenario(args.scenario, {args.seed, args.episodes});
  print_warnings(scenario.warnings);
  runner::OutputPaths outputs;
  outputs.input(runner::input_files(scenario), "scenario");
  outputs.file(args.h5, "-o");
  outputs.file(args.json, "--json");
  outputs.file(args.csv, "--csv");
  outputs.check();
  runner::RunOptions options;
  options.threads = args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.stop = &install_stop_signals();

  analysis::SummarySink summary(scenario.agents, scenario.billing, scenario.objective);
  sim::ObserverFanout sinks;
  sinks.add(summary);
  OutputFolders folders;
  sim::CommitGroup files;  // the outputs land together or not at all
  for (const auto& out : outputs.files) {
    folders.add(out.path);
    sim::remove_stale_temporaries(out.path);
  }
  std::unique_ptr<sim::RunObserver> h5, json, csv;
  if (!args.h5.empty()) {
    h5 = std::make_unique<analysis::H5Sink>(
        args.h5, runner::provenance(scenario.name, scenario.file, scenario.text, scenario.episodes), summary,
        scenario.agents, scenario.billing, scenario.record_episodes, &files);
    sinks.add(*h5);
  }
  if (!args.json.empty()) {
    json = std::make_unique<analysis::JsonSink>(args.json, summary, &files);
    sinks.add(*json);
  }
  if (!args.csv.empty()) {
    csv = std::make_unique<analysis::CsvSink>(args.csv, summary, &files);
    sinks.add(*csv);
  }
  const auto started = std::chrono::steady_clock::now();
  if (!runner::run_experiment(scenario, options, sinks)) {
    std::cerr << "specsim: run interrupted; nothing written\n";
    return stopped_exit_code();
  }
  files.commit();
  folders.keep();
  warn_diverged_training(summary.rows());
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (args.quiet) return sim::ExitCode::ok;
  std::cout << fmt::format("scenario {} — {} episodes, seed {}, {} threads\n", scenario.name, scenario.episodes,
                           scenario.seed, options.threads)
            << analysis::format_table(summary.rows(), scenario.objective);
  // Every lane's steps, the hidden baseline's included, over the wall time of the whole run
  // (outputs written): the figure to compare with another simulator on the same machine.
  const auto steps = summary.simulated_steps();
  std::cout << fmt::format("simulated {} steps in {:.3f} s wall time: {:.3g} steps/s on {} threads\n", steps, wall_s,
                           wall_s > 0 ? static_cast<double>(steps) / wall_s : 0.0, options.threads);
  if (!args.h5.empty()) std::cout << "results: " << args.h5 << "\n";
  if (!args.json.empty()) std::cout << "summary: " << args.json << "\n";
  if (!args.csv.empty()) std::cout << "summary: " << args.csv << "\n";
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
  cmd->add_option("--seed", args->seed, "Override the scenario's seed")->check(seed_check());
  cmd->add_option("--threads", args->threads, "Worker threads (default: all cores)")->check(workers_check());
  cmd->add_option("--episodes", args->episodes, "Override the number of episodes")->check(episodes_check());
  cmd->add_flag("-q,--quiet", args->quiet, "Print nothing on success");
  cmd->callback([set_action, args] { set_action([args] { return run(*args); }); });
}

}  // namespace specsim::cli
