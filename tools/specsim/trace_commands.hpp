#pragma once
// `specsim trace ...`: the commands on recorded traces.
//
//   specsim trace validate FILE                               every problem, one per line; exit 2 if any
//   specsim trace stats FILE [--json OUT]                     the statistics table (and JSON)
//   specsim trace import-dsp DIR -o FILE [--report REPORT]    DSP's published run logs -> a trace
//
// Registration hook: add_trace_commands adds the `trace` subcommand and its subcommands to the app.
// When one of them is parsed, its action (returning the exit code) is handed to `set_action`; the
// caller runs it after parsing, where sim::InputError maps to exit code 2 and other exceptions to 1.
// The returned `trace` subcommand is where further trace commands (synth, fidelity) are added.
#include <CLI/CLI.hpp>

#include <functional>

namespace specsim::app {

using CommandAction = std::function<int()>;
using SetAction = std::function<void(CommandAction)>;

CLI::App* add_trace_commands(CLI::App& app, SetAction set_action);

}  // namespace specsim::app
