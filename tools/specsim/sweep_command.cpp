// `specsim sweep SWEEP.yaml -o DIR [--jobs N] [--shard I/N]` and `specsim sweep merge DIR... -o OUT`.
#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>

#include "sim/exit_code.hpp"
#include "sim/input_error.hpp"
#include "tools/runner/output_paths.hpp"
#include "tools/runner/sweep.hpp"
#include "tools/specsim/commands.hpp"
#include "tools/specsim/stop_signals.hpp"

namespace specsim::cli {

namespace {

struct SweepArgs {
  std::string file, out;
  int jobs = 0;
  std::string shard;
  std::optional<std::int64_t> episodes;
  bool quiet = false;
  std::vector<std::string> merge_dirs;
};

// A whole decimal number in [1, kMaxShards], or nothing.
constexpr int kMaxShards = 1'000'000;
std::optional<int> shard_number(std::string_view s) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 1 || v > kMaxShards) return std::nullopt;
  return v;
}

void parse_shard(const std::string& shard, runner::SweepOptions& options) {
  const auto slash = shard.find('/');
  const auto i = shard_number(std::string_view(shard).substr(0, slash));
  const auto n = slash == std::string::npos ? std::nullopt : shard_number(std::string_view(shard).substr(slash + 1));
  if (!i || !n || *i > *n)
    throw sim::InputError("", 0, 0, "--shard", "expected I/N with 1 <= I <= N <= " + std::to_string(kMaxShards) + ", got '" + shard + "'");
  options.shard = *i;
  options.shards = *n;
}

// A sweep writes its folder's summary files and runs/; it must not overwrite what it reads.
void check_outputs(const runner::SweepSpec& spec, const std::string& out) {
  runner::OutputPaths outputs;
  outputs.input(spec.file, "sweep");
  outputs.input(spec.base_file, "base");
  outputs.folder(out, "-o");
  for (const char* name : {"summary.csv", "summary.h5", "sweep.json"}) outputs.file(out + "/" + name, "-o");
  outputs.check();
}

int sweep(const SweepArgs& args) {
  if (args.file.empty()) throw sim::InputError("", 0, 0, "", "specsim sweep needs a sweep file (or: sweep merge DIR... -o OUT)");
  runner::SweepSpec spec = runner::load_sweep(args.file);
  print_warnings(spec.warnings);
  if (args.episodes) spec.episodes = *args.episodes;
  runner::SweepOptions options;
  options.out_dir = args.out;
  options.jobs = args.jobs > 0 ? args.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.progress = !args.quiet;
  if (!args.shard.empty()) parse_shard(args.shard, options);
  check_outputs(spec, args.out);
  const std::atomic<bool>& stop = install_stop_signals();
  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t left = runner::run_sweep(spec, options, stop);
  if (left > 0 || stop) {
    std::cerr << "specsim: sweep interrupted with " << left << " runs left; run the same command again to resume\n";
    return stopped_exit_code();
  }
  if (!args.quiet)
    std::cout << fmt::format("sweep {}: done in {:.1f} s; summary: {}/summary.csv and {}/summary.h5\n", spec.name,
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), args.out, args.out);
  return sim::ExitCode::ok;
}

int merge(const SweepArgs& args) {
  runner::OutputPaths outputs;
  outputs.folder(args.out, "-o");
  for (const auto& dir : args.merge_dirs) outputs.input(dir + "/sweep.json", "dirs");
  for (const char* name : {"summary.csv", "summary.h5", "sweep.json"}) outputs.file(args.out + "/" + name, "-o");
  outputs.check();
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
  cmd->add_option("--jobs", args->jobs, "Runs in parallel (default: all cores)")->check(workers_check());
  cmd->add_option("--shard", args->shard, "Run only the I-th of N disjoint parts: I/N");
  cmd->add_option("--episodes", args->episodes, "Override every run's episodes")->check(episodes_check());
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
