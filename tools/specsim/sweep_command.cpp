// `specsim sweep SWEEP.yaml -o DIR [--jobs N] [--shard I/N]` and `specsim sweep merge DIR... -o OUT`.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "sim/exit_code.hpp"
#include "sim/input_error.hpp"
#include "tools/runner/sweep.hpp"
#include "tools/specsim/commands.hpp"

namespace specsim::cli {

namespace {

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

void parse_shard(const std::string& shard, runner::SweepOptions& options) {
  const auto slash = shard.find('/');
  char* end = nullptr;
  const long i = std::strtol(shard.c_str(), &end, 10);
  const long n = slash == std::string::npos ? 0 : std::strtol(shard.c_str() + slash + 1, nullptr, 10);
  if (slash == std::string::npos || end != shard.c_str() + slash || n < 1 || i < 1 || i > n)
    throw sim::InputError("--shard", 0, 0, "", "expected I/N with 1 <= I <= N, got '" + shard + "'");
  options.shard = static_cast<int>(i);
  options.shards = static_cast<int>(n);
}

int sweep(const SweepArgs& args) {
  if (args.file.empty()) throw sim::InputError("", 0, 0, "", "specsim sweep needs a sweep file (or: sweep merge DIR... -o OUT)");
  runner::SweepSpec spec = runner::load_sweep(args.file);
  if (args.episodes) spec.episodes = *args.episodes;
  runner::SweepOptions options;
  options.out_dir = args.out;
  options.jobs = args.jobs > 0 ? args.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.progress = !args.quiet;
  if (!args.shard.empty()) parse_shard(args.shard, options);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t left = runner::run_sweep(spec, options, g_stop);
  if (left > 0) {
    std::cerr << "specsim: sweep interrupted with " << left << " runs left; run the same command again to resume\n";
    return sim::ExitCode::interrupted;
  }
  if (!args.quiet)
    std::cout << fmt::format("sweep {}: done in {:.1f} s; summary: {}/summary.csv and {}/summary.h5\n", spec.name,
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), args.out, args.out);
  return sim::ExitCode::ok;
}

int merge(const SweepArgs& args) {
  runner::merge_sweeps(args.merge_dirs, args.out);
  if (!args.quiet) std::cout << "merged into " << args.out << "\n";
  return sim::ExitCode::ok;
}

}  // namespace

void add_sweep_command(CLI::App& app, SetAction set_action) {
  auto args = std::make_shared<SweepArgs>();
  auto* cmd = app.add_subcommand("sweep", "Run a parameter sweep: one result file per run, a merged summary");
  cmd->require_subcommand(0, 1);
  cmd->add_option("sweep", args->file, "Sweep YAML file");
  cmd->add_option("-o,--output", args->out, "Output folder")->required();
  cmd->add_option("--jobs", args->jobs, "Runs in parallel (default: all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--shard", args->shard, "Run only the I-th of N disjoint parts: I/N");
  cmd->add_option("--episodes", args->episodes, "Override every run's episodes")->check(CLI::PositiveNumber);
  cmd->add_flag("-q,--quiet", args->quiet, "No progress, no summary line");
  auto* merge_cmd = cmd->add_subcommand("merge", "Merge the output folders of a sweep's shards into -o");
  merge_cmd->add_option("dirs", args->merge_dirs, "Shard output folders")->required();
  merge_cmd->fallthrough();  // -o and -q belong to `sweep`
  // One action for both: `merge` is known by whether its subcommand was given.
  cmd->callback([set_action, args, merge_cmd] {
    if (*merge_cmd) set_action([args] { return merge(*args); });
    else set_action([args] { return sweep(*args); });
  });
}

}  // namespace specsim::cli
