#include "tools/specsim/cli.hpp"

#include <H5public.h>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <Eigen/Core>
#include <boost/version.hpp>
#include <filesystem>
#include <iostream>
#include <thread>

#include "analysis/report.hpp"
#include "analysis/result_file.hpp"
#include "sim/files.hpp"
#include "sim/input_error.hpp"
#include "tools/specsim/experiment.hpp"
#include "tools/specsim/scenario.hpp"

namespace specsim::app {

namespace {

constexpr int kExitOk = 0, kExitInternal = 1, kExitBadInput = 2;

std::string version_line() { return fmt::format("specsim {} (git {})", SPECSIM_VERSION, SPECSIM_GIT_REVISION); }

std::string library_versions() {
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  return fmt::format("hdf5 {}.{}.{}; boost {}.{}.{}; eigen {}.{}.{}; yaml-cpp 0.7; fmt {}", maj, min, rel,
                     BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100, EIGEN_WORLD_VERSION,
                     EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, FMT_VERSION);
}

void ensure_parent(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
}

struct RunArgs {
  std::string scenario, h5, json;
  std::optional<std::uint64_t> seed;
  std::optional<std::int64_t> episodes;
  int threads = 0;
  bool quiet = false;
};

int run_command(const RunArgs& args) {
  Scenario scenario = load_scenario(args.scenario);
  if (args.seed) scenario.seed = *args.seed;
  if (args.episodes) scenario.episodes = *args.episodes;

  RunOptions options;
  options.threads = args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  std::unique_ptr<analysis::ResultFile> file;
  if (!args.h5.empty()) {
    ensure_parent(args.h5);
    file = std::make_unique<analysis::ResultFile>(
        args.h5,
        std::map<std::string, std::string>{{"scenario_name", scenario.name},
                                           {"scenario_file", scenario.file},
                                           {"scenario_yaml", scenario.text},
                                           {"episodes", std::to_string(scenario.episodes)},
                                           {"specsim_version", SPECSIM_VERSION},
                                           {"git_revision", SPECSIM_GIT_REVISION},
                                           {"libraries", library_versions()}},
        scenario.seed, policy_infos(scenario));
  }
  const RunOutcome outcome = run_experiment(scenario, options, file.get());
  if (file) {
    file->write_summary(outcome.rows);
    file->commit();
  }
  if (!args.json.empty()) {
    ensure_parent(args.json);
    sim::write_file_atomically(args.json, analysis::summary_json(scenario.name, scenario.seed, outcome.rows));
  }
  if (!args.quiet) {
    std::cout << fmt::format("scenario {} — {} episodes, seed {}, {} threads\n", scenario.name, scenario.episodes,
                             scenario.seed, options.threads)
              << analysis::format_table(outcome.rows);
    if (file) std::cout << "results: " << args.h5 << "\n";
    if (!args.json.empty()) std::cout << "summary: " << args.json << "\n";
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"specsim: a discrete-event simulator for speculative planning of LLM agents"};
  app.set_version_flag("--version", version_line());
  app.require_subcommand(1);

  RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Run a scenario: summary table, HDF5 results, JSON summary");
  run_cmd->add_option("scenario", run.scenario, "Scenario YAML file")->required();
  run_cmd->add_option("-o,--output", run.h5, "HDF5 result file to write");
  run_cmd->add_option("--json", run.json, "JSON summary file to write");
  run_cmd->add_option("--seed", run.seed, "Override the scenario's seed");
  run_cmd->add_option("--threads", run.threads, "Worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--episodes", run.episodes, "Override the number of episodes")->check(CLI::PositiveNumber);
  run_cmd->add_flag("-q,--quiet", run.quiet, "Print nothing on success");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }

  try {
    if (*run_cmd) return run_command(run);
  } catch (const sim::InputError& e) {
    std::cerr << "specsim: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "specsim: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitOk;
}

}  // namespace specsim::app
