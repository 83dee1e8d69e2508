// `specsim fleet SCENARIO.yaml [-o FILE.h5] [--json FILE]`: the scenario's `fleet:` block, many
// sessions on one simulated clock sharing its limits, at each of its loads; prints one table
// per load.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "analysis/fleet_report.hpp"
#include "sim/exit_code.hpp"
#include "sim/files.hpp"
#include "tools/runner/fleet.hpp"
#include "tools/runner/output_paths.hpp"
#include "tools/runner/provenance.hpp"
#include "tools/specsim/commands.hpp"
#include "tools/specsim/stop_signals.hpp"

namespace specsim::cli {

namespace {

struct FleetArgs {
  std::string scenario, h5, json;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  bool quiet = false;
};

int run(const FleetArgs& args) {
  const runner::Scenario scenario = runner::load_scenario(args.scenario, {args.seed, std::nullopt});
  print_warnings(scenario.warnings);
  runner::OutputPaths outputs;
  outputs.input(runner::input_files(scenario), "scenario");
  outputs.file(args.h5, "-o");
  outputs.file(args.json, "--json");
  outputs.check();
  runner::FleetOptions options;
  options.threads = args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.stop = &install_stop_signals();
  const runner::FleetResult result = runner::run_fleet(scenario, options);
  if (!result.completed) {
    std::cerr << "specsim: fleet run interrupted; nothing written\n";
    return stopped_exit_code();
  }
  OutputFolders folders;
  sim::CommitGroup files;  // the outputs land together or not at all
  for (const auto& out : outputs.files) {
    folders.add(out.path);
    sim::remove_stale_temporaries(out.path);
  }
  if (!args.h5.empty())
    analysis::write_fleet_h5(args.h5, runner::provenance(scenario.name, scenario.file, scenario.text, 0), result, &files);
  if (!args.json.empty()) sim::write_file_atomically(args.json, analysis::fleet_json(result).dump(2) + "\n", &files);
  files.commit();
  folders.keep();
  if (args.quiet) return sim::ExitCode::ok;
  std::cout << fmt::format("fleet {} — seed {}, {} replications, {} threads\n", scenario.name, scenario.seed,
                           scenario.fleet->replications, options.threads)
            << analysis::format_fleet_table(result);
  if (!args.h5.empty()) std::cout << "results: " << args.h5 << "\n";
  if (!args.json.empty()) std::cout << "summary: " << args.json << "\n";
  return sim::ExitCode::ok;
}

}  // namespace

void add_fleet_command(CLI::App& app, SetAction set_action) {
  auto args = std::make_shared<FleetArgs>();
  auto* cmd = app.add_subcommand("fleet", "Run a scenario's fleet: many sessions sharing provider limits, at each load");
  cmd->add_option("scenario", args->scenario, "Scenario YAML file with a fleet: block")->required();
  cmd->add_option("-o,--output", args->h5, "HDF5 result file to write (tables fleet, fleet_limits, fleet_tasks)");
  cmd->add_option("--json", args->json, "JSON summary file to write");
  cmd->add_option("--seed", args->seed, "Override the scenario's seed")->check(seed_check());
  cmd->add_option("--threads", args->threads, "Worker threads (default: all cores)")->check(workers_check());
  cmd->add_flag("-q,--quiet", args->quiet, "Print nothing on success");
  cmd->callback([set_action, args] { set_action([args] { return run(*args); }); });
}

}  // namespace specsim::cli
