#include "tools/specsim/commands.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "models/trace/dsp_log_importer.hpp"
#include "models/trace/specactions_importer.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_stats.hpp"
#include "models/trace/trace_workload.hpp"
#include "models/trace/trace_writer.hpp"
#include "sim/exit_code.hpp"
#include "sim/files.hpp"
#include "sim/input_error.hpp"
#include "tools/runner/output_paths.hpp"
#include "tools/runner/scenario.hpp"
#include "tools/runner/top_k_fidelity.hpp"

namespace specsim::cli {

namespace {

namespace tr = models::trace;

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::size_t count_steps(const tr::Trace& trace) {
  std::size_t n = 0;
  for (const auto& t : trace.tasks) n += t.steps.size();
  return n;
}

// Creates the output's folder, then writes it whole or not at all (and the folder is removed again).
// Failures name the file and the option it came from (bad input: exit 2).
void write_output(const std::string& path, const std::string& option, const std::string& content) {
  try {
    sim::ParentFolders folders(path);
    sim::write_file_atomically(path, content);
    folders.keep();
  } catch (const sim::InputError& e) {
    throw sim::InputError(path, 0, 0, option, "cannot write the file: " + e.message());
  } catch (const std::exception& e) {
    throw sim::InputError(path, 0, 0, option, std::string("cannot write the file: ") + e.what());
  }
}

// validate: every problem on its own line (FILE:LINE: field: message), then one summary line.
int validate_command(const std::string& file) {
  const tr::TraceCheck check = tr::check_trace_file(file);
  if (check.error_count > 0) {
    for (const auto& p : check.errors) std::cout << p.what() << "\n";
    if (check.error_count > check.errors.size())
      std::cout << fmt::format("... and {} more\n", plural(check.error_count - check.errors.size(), "problem"));
    std::cout << fmt::format("{}: {}, invalid\n", file, plural(check.error_count, "problem"));
    return sim::ExitCode::bad_input;
  }
  std::cout << fmt::format("{}: {}, {}, valid\n", file, plural(check.tasks, "task"), plural(check.steps, "step"));
  return sim::ExitCode::ok;
}

// An imported trace and, if `report` is given, the import report: both or neither, and no folder
// created for them is left behind when a write fails (trace_writer writes a file whole or not at all).
void write_import(const tr::Trace& trace, const std::string& out, const std::string& report = "",
                  const std::string& report_text = "") {
  sim::ParentFolders folders(out);
  tr::write_trace(trace, out);
  if (!report.empty()) {
    try {
      write_output(report, "--report", report_text);
    } catch (...) {
      std::error_code ec;
      std::filesystem::remove(out, ec);
      throw;
    }
  }
  folders.keep();
}

struct StatsArgs {
  std::string file, json;
};

int stats_command(const StatsArgs& args) {
  runner::OutputPaths outputs;
  outputs.input(args.file, "file");
  outputs.file(args.json, "--json");
  outputs.check();
  const tr::Trace trace = tr::read_trace(args.file);
  const tr::TraceStats stats = tr::compute_trace_stats(trace);
  if (!args.json.empty()) {
    nlohmann::ordered_json j;
    j["file"] = args.file;
    j.update(tr::trace_stats_to_json(stats));
    write_output(args.json, "--json", j.dump(2) + "\n");
  }
  std::cout << args.file << ": " << tr::format_trace_stats(stats);
  if (!args.json.empty()) std::cout << "statistics: " << args.json << "\n";
  return sim::ExitCode::ok;
}

struct ImportArgs {
  std::string dir, out, report;
};

// One folder of datapoint logs, or, when the folder has none itself, every folder below it.
int import_dsp_command(const ImportArgs& args) {
  runner::OutputPaths outputs;
  outputs.inputs_below(args.dir, "dir");
  outputs.file(args.out, "-o");
  outputs.file(args.report, "--report");
  outputs.check();
  tr::ImportResult result = tr::import_dsp_logs(args.dir);
  if (result.datapoints.empty()) result = tr::import_dsp_log_tree(args.dir);
  if (result.datapoints.empty())
    throw sim::InputError(args.dir, 0, 0, "", "no DSP datapoint logs (approximation/target_datapointNN.log) in the folder or below");

  std::size_t rounds = 0;
  for (const auto& t : result.trace.tasks) rounds += t.rounds.size();
  std::string report = tr::format_import_report(result);
  report += fmt::format("total: {} of {} datapoints imported, {}, {}, {}, {}\n", result.imported(),
                        result.datapoints.size(), plural(count_steps(result.trace), "step"), plural(rounds, "round"),
                        plural(result.unreadable.size(), "unreadable line"), plural(result.warnings(), "warning"));
  std::cout << report;
  if (result.trace.tasks.empty())
    throw sim::InputError(args.dir, 0, 0, "", "no datapoint could be imported (see the warnings above)");

  write_import(result.trace, args.out, args.report, report);
  std::cout << fmt::format("wrote {}: {}, {}\n", args.out, plural(result.trace.tasks.size(), "task"),
                           plural(count_steps(result.trace), "step"));
  return sim::ExitCode::ok;
}

// One of Speculative Actions' logs: every run folder below `dir`, as `import` finds them.
struct SpecActionsLog {
  tr::SpecActionsImport (*import)(const std::string&);
  const char* none_found;  // what a run folder holds
  const char* timings;     // said after the counts
};

constexpr SpecActionsLog kHotpotqa{tr::import_specactions_hotpotqa, "no run folder (normalobs.json and simobs.json)",
                                   " (no LLM timings: replay with latency: agents)"};
constexpr SpecActionsLog kChess{tr::import_specactions_chess, "no game folder (steps_info_*_guess_K.json)",
                                " (T's and A's calls timed)"};

int import_specactions_command(const ImportArgs& args, const SpecActionsLog& log) {
  runner::OutputPaths outputs;
  outputs.inputs_below(args.dir, "dir");
  outputs.file(args.out, "-o");
  outputs.check();
  const tr::SpecActionsImport result = log.import(args.dir);
  if (result.trace.tasks.empty())
    throw sim::InputError(args.dir, 0, 0, "", std::string(log.none_found) + " in the folder or below");
  for (const std::string& w : result.warnings) std::cout << "warning: " << w << "\n";
  write_import(result.trace, args.out);
  std::cout << fmt::format("wrote {}: {}, {}, {}{}\n", args.out, plural(result.trace.tasks.size(), "task"),
                           plural(count_steps(result.trace), "step"), plural(result.warnings.size(), "warning"),
                           log.timings);
  return sim::ExitCode::ok;
}

struct TopKFidelityArgs {
  std::string file, scenario;
  std::optional<std::string> rule;
  int draws = 64;
};

// p(k) held out; with a scenario, its policies too (the match rule is then the scenario's).
int top_k_fidelity_command(const TopKFidelityArgs& args) {
  const tr::Trace trace = tr::read_trace(args.file);
  if (args.scenario.empty()) {
    const auto rule = tr::make_match_rule(args.rule.value_or("normalized"));
    if (!rule) throw sim::InputError("--match-rule", 0, 0, "", "unknown match rule '" + *args.rule + "'");
    std::cout << runner::format_top_k_fidelity(runner::top_k_fidelity(trace, *rule));
    return sim::ExitCode::ok;
  }
  if (args.rule) throw sim::InputError("--match-rule", 0, 0, "", "not with --scenario: the scenario's workload names the rule");
  runner::Scenario scenario = runner::load_scenario(args.scenario);
  const auto* workload = dynamic_cast<const tr::TraceWorkload*>(scenario.workload.get());
  if (!workload) throw sim::InputError(args.scenario, 0, 0, "workload", "expected a trace workload (kind: trace)");
  runner::TopKFidelity fidelity = runner::top_k_fidelity(trace, *workload->config().match_rule);
  runner::add_policy_fidelity(fidelity, trace, scenario, args.draws);
  std::cout << runner::format_top_k_fidelity(fidelity);
  return sim::ExitCode::ok;
}

}  // namespace

CLI::App* add_trace_commands(CLI::App& app, SetAction set_action) {
  auto* trace = app.add_subcommand("trace", "Recorded traces: validate, statistics, import DSP's and Speculative Actions' run logs");
  trace->require_subcommand(1);

  auto validate_file = std::make_shared<std::string>();
  auto* validate = trace->add_subcommand("validate", "Check a trace file: every problem with its line and field");
  validate->add_option("file", *validate_file, "Trace file (JSON Lines)")->required();
  validate->callback([set_action, validate_file] { set_action([validate_file] { return validate_command(*validate_file); }); });

  auto stats_args = std::make_shared<StatsArgs>();
  auto* stats = trace->add_subcommand("stats", "Statistics of a trace: steps, match rate, latencies, tokens");
  stats->add_option("file", stats_args->file, "Trace file (JSON Lines)")->required();
  stats->add_option("--json", stats_args->json, "Also write the statistics as JSON to this file");
  stats->callback([set_action, stats_args] { set_action([stats_args] { return stats_command(*stats_args); }); });

  auto import_args = std::make_shared<ImportArgs>();
  auto* import = trace->add_subcommand("import-dsp", "Import DSP's run logs (one folder, or every folder below it)");
  import->add_option("dir", import_args->dir, "Folder of *_datapointNN.log files, or a folder above such folders")->required();
  import->add_option("-o,--output", import_args->out, "Trace file to write (JSON Lines)")->required();
  import->add_option("--report", import_args->report, "Also write the import report to this file");
  import->callback([set_action, import_args] { set_action([import_args] { return import_dsp_command(*import_args); }); });

  auto sa_args = std::make_shared<ImportArgs>();
  auto* sa = trace->add_subcommand("import-specactions",
                                   "Import Speculative Actions' HotpotQA runs (top-K guesses; every run folder below)");
  sa->add_option("dir", sa_args->dir, "A folder of run folders (normalobs.json, simobs.json), e.g. hotpotqa/run_metrics")->required();
  sa->add_option("-o,--output", sa_args->out, "Trace file to write (JSON Lines)")->required();
  sa->callback([set_action, sa_args] { set_action([sa_args] { return import_specactions_command(*sa_args, kHotpotqa); }); });

  auto chess_args = std::make_shared<ImportArgs>();
  auto* chess = trace->add_subcommand("import-specactions-chess",
                                      "Import Speculative Actions' chess games (top-K guesses, timed calls; every game folder below)");
  chess->add_option("dir", chess_args->dir,
                    "A folder of game folders (steps_info_<model>_guess_<K>.json), e.g. chess-game/trajectories/sample_trajectories")
      ->required();
  chess->add_option("-o,--output", chess_args->out, "Trace file to write (JSON Lines)")->required();
  chess->callback([set_action, chess_args] { set_action([chess_args] { return import_specactions_command(*chess_args, kChess); }); });

  auto fid_args = std::make_shared<TopKFidelityArgs>();
  auto* fid = trace->add_subcommand(
      "top-k-fidelity", "Each task held out: its top-K hit curve p(k) and, with --scenario, its policies' latency and cost");
  fid->add_option("file", fid_args->file, "Trace file (JSON Lines) with top-K alternatives")->required();
  fid->add_option("--match-rule", fid_args->rule, "exact or normalized (default; docs/traces.md §6); not with --scenario");
  fid->add_option("--scenario", fid_args->scenario,
                  "A scenario replaying the trace (agents, planner, policies): predict its policies held out too");
  fid->add_option("--draws", fid_args->draws, "Episodes per task and prediction (default 64)")->check(CLI::Range(1, 10000));
  fid->callback([set_action, fid_args] { set_action([fid_args] { return top_k_fidelity_command(*fid_args); }); });

  // Trace replay commands (`trace synth`, `trace fidelity`) register here, on the same `trace`
  // subcommand and with the same set_action, e.g. add_trace_replay_commands(*trace, set_action).

  return trace;
}

}  // namespace specsim::cli
