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
#include "sim/exit_code.hpp"
#include "sim/files.hpp"
#include "sim/input_error.hpp"
#include "tools/specsim/experiment.hpp"
#include "tools/specsim/scenario.hpp"
#include "tools/specsim/sweep.hpp"
#include "tools/specsim/trace_commands.hpp"
#include "tools/specsim/trace_replay.hpp"

#include <csignal>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

namespace specsim::app {

namespace {

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
  return sim::ExitCode::ok;
}

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop = true; }

struct SweepArgs {
  std::string file, out;
  int jobs = 0;
  std::string shard;
  std::optional<std::int64_t> episodes;
  bool quiet = false;
  std::vector<std::string> merge_dirs;
};

int sweep_command(const SweepArgs& args) {
  SweepSpec spec = load_sweep(args.file);
  if (args.episodes) spec.episodes = *args.episodes;
  SweepOptions options;
  options.out_dir = args.out;
  options.jobs = args.jobs > 0 ? args.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.progress = !args.quiet;
  if (!args.shard.empty()) {
    const auto slash = args.shard.find('/');
    char* end = nullptr;
    const long i = std::strtol(args.shard.c_str(), &end, 10);
    const long n = slash == std::string::npos ? 0 : std::strtol(args.shard.c_str() + slash + 1, nullptr, 10);
    if (slash == std::string::npos || end != args.shard.c_str() + slash || n < 1 || i < 1 || i > n)
      throw sim::InputError("--shard", 0, 0, "", "expected I/N with 1 <= I <= N, got '" + args.shard + "'");
    options.shard = static_cast<int>(i);
    options.shards = static_cast<int>(n);
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t left = run_sweep(spec, options, g_stop);
  if (left > 0) {
    std::cerr << "specsim: sweep interrupted with " << left << " runs left; run the same command again to resume\n";
    return sim::ExitCode::interrupted;
  }
  if (!args.quiet)
    std::cout << fmt::format("sweep {}: done in {:.1f} s; summary: {}/summary.csv and {}/summary.h5\n", spec.name,
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), args.out, args.out);
  return sim::ExitCode::ok;
}

// The plotting scripts live in analysis/specsim_plots, found next to the build folder or in the
// source tree this binary was built from.
std::string plots_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  for (const auto& candidate : {exe.parent_path() / ".." / "analysis", std::filesystem::path(SPECSIM_SOURCE_DIR) / "analysis"})
    if (std::filesystem::exists(candidate / "specsim_plots" / "__main__.py")) return candidate.lexically_normal().string();
  throw std::runtime_error("cannot find the plotting scripts (analysis/specsim_plots)");
}

int plot_command(const std::string& results, const std::string& out, const std::string& only) {
  if (!std::filesystem::exists(results)) throw sim::InputError(results, 0, 0, "", "no such result file or sweep folder");
  const char* env_python = std::getenv("SPECSIM_PYTHON");
  const std::string python = env_python ? env_python : "/usr/bin/python3";  // Debian's, which has h5py
  const std::string pythonpath = plots_dir();
  std::vector<std::string> argv{python, "-m", "specsim_plots", results, "-o", out};
  if (!only.empty()) {
    argv.push_back("--only");
    argv.push_back(only);
  }
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("cannot start the plotting scripts");
  if (pid == 0) {
    setenv("PYTHONPATH", pythonpath.c_str(), 1);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(python.c_str(), args.data());
    std::fprintf(stderr, "specsim: cannot run %s\n", python.c_str());
    _exit(sim::ExitCode::internal);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : sim::ExitCode::internal;
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

  SweepArgs sweep;
  auto* sweep_cmd = app.add_subcommand("sweep", "Run a parameter sweep: one result file per run, a merged summary");
  sweep_cmd->require_subcommand(0, 1);
  sweep_cmd->add_option("sweep", sweep.file, "Sweep YAML file");
  sweep_cmd->add_option("-o,--output", sweep.out, "Output folder")->required();
  sweep_cmd->add_option("--jobs", sweep.jobs, "Runs in parallel (default: all cores)")->check(CLI::NonNegativeNumber);
  sweep_cmd->add_option("--shard", sweep.shard, "Run only the I-th of N disjoint parts: I/N");
  sweep_cmd->add_option("--episodes", sweep.episodes, "Override every run's episodes")->check(CLI::PositiveNumber);
  sweep_cmd->add_flag("-q,--quiet", sweep.quiet, "No progress, no summary line");
  auto* merge_cmd = sweep_cmd->add_subcommand("merge", "Merge the output folders of a sweep's shards into -o");
  merge_cmd->add_option("dirs", sweep.merge_dirs, "Shard output folders")->required();
  merge_cmd->fallthrough();  // -o and -q belong to `sweep`

  std::string plot_results, plot_out, plot_only;
  auto* plot_cmd = app.add_subcommand("plot", "Draw the figures of a run's result file or a sweep's folder");
  plot_cmd->add_option("results", plot_results, "Result file (.h5) or sweep folder")->required();
  plot_cmd->add_option("-o,--output", plot_out, "Folder for the figures (PNG and PDF)")->required();
  plot_cmd->add_option("--only", plot_only, "Draw one figure (fail if its data are missing)");

  CommandAction trace_action;  // set while parsing when a `trace` subcommand is given
  const SetAction set_trace_action = [&trace_action](CommandAction action) { trace_action = std::move(action); };
  add_trace_replay_commands(*add_trace_commands(app, set_trace_action), set_trace_action);

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
    return sim::ExitCode::bad_input;
  }

  try {
    if (*run_cmd) return run_command(run);
    if (trace_action) return trace_action();
    if (*merge_cmd) {
      merge_sweeps(sweep.merge_dirs, sweep.out);
      if (!sweep.quiet) std::cout << "merged into " << sweep.out << "\n";
      return sim::ExitCode::ok;
    }
    if (*sweep_cmd) {
      if (sweep.file.empty()) throw sim::InputError("", 0, 0, "", "specsim sweep needs a sweep file (or: sweep merge DIR... -o OUT)");
      return sweep_command(sweep);
    }
    if (*plot_cmd) return plot_command(plot_results, plot_out, plot_only);
  } catch (const sim::InputError& e) {
    std::cerr << "specsim: error: " << e.what() << "\n";
    return sim::ExitCode::bad_input;
  } catch (const std::exception& e) {
    std::cerr << "specsim: internal error: " << e.what() << "\n";
    return sim::ExitCode::internal;
  }
  return sim::ExitCode::ok;
}

}  // namespace specsim::app
