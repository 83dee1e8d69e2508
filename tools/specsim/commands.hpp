#pragma once
// The commands of `specsim`, one file each. A command adds its subcommand (and options) to the
// app; when it is parsed, its action (returning the exit code) is handed to `set_action`, and
// main runs it after parsing, where sim::InputError maps to exit code 2 and any other exception
// to 1 (shared/DESIGN.md §4).
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/files.hpp"

namespace specsim::cli {

using CommandAction = std::function<int()>;
using SetAction = std::function<void(CommandAction)>;

void add_run_command(CLI::App& app, SetAction set_action);
void add_sweep_command(CLI::App& app, SetAction set_action);
// `fleet SCENARIO`: many sessions on one clock sharing provider limits, at each load.
void add_fleet_command(CLI::App& app, SetAction set_action);
void add_plot_command(CLI::App& app, SetAction set_action);
// `models [SCENARIO]`: the model catalogue as a table.
void add_models_command(CLI::App& app, SetAction set_action);
// `advise RESULTS`: the best policy and setting under the objective.
void add_advise_command(CLI::App& app, SetAction set_action);
// `trace validate | stats | import-dsp`; returns the `trace` subcommand for the others.
CLI::App* add_trace_commands(CLI::App& app, SetAction set_action);
// `trace synth | fidelity`.
void add_trace_replay_commands(CLI::App& trace, SetAction set_action);
// `serve (SCENARIO | TRACE)`: an OpenAI-compatible server over a world the simulator knows.
void add_serve_command(CLI::App& app, SetAction set_action);
// `live SCENARIO`: the scenario's policies against real OpenAI-compatible endpoints.
void add_live_command(CLI::App& app, SetAction set_action);
// `live calibrate`: a self-hosted endpoint's serving profile, measured.
void add_calibrate_command(CLI::App& live, SetAction set_action);

// Checks of option values that CLI11 would otherwise wrap or round silently: a seed is a whole
// decimal number in [0, 2^64 - 1] ("-1", "1e23" and "2^64" are errors); episodes in [1, 1e9].
const CLI::Validator& seed_check();
const CLI::Validator& episodes_check();
// Worker threads or parallel jobs: 0 (all cores) up to kMaxWorkers; beyond, thread creation fails.
constexpr int kMaxWorkers = 1024;
const CLI::Validator& workers_check();

// Prints each warning once, to stderr, as "specsim: warning: ...".
void print_warnings(const std::vector<std::string>& warnings);

// The missing folders above a command's output files, created as each is added and removed again
// (while empty) unless keep() is called once the outputs are in place: a failed or interrupted
// command leaves no folder behind. Declare it before the outputs' CommitGroup, whose temporary
// files must be gone before the folders are removed.
class OutputFolders {
 public:
  void add(const std::string& file) { folders_.push_back(std::make_unique<sim::ParentFolders>(file)); }
  void keep() {
    for (auto& f : folders_) f->keep();
  }

 private:
  std::vector<std::unique_ptr<sim::ParentFolders>> folders_;
};

}  // namespace specsim::cli
