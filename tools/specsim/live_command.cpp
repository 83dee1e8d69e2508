// `specsim live SCENARIO.yaml [-o FILE.h5] [--json FILE] [--trace FILE.jsonl] [--episodes N]
// [--concurrency N] [--max-cost-usd X] [--dry-run]`: the scenario's policies against the
// endpoints its agents name (tools/runner/live_run.hpp), through the sinks of `specsim run`;
// a progress line on stderr; failed episodes listed apart. --dry-run simulates the same episodes
// and prints the expected cost and time instead.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <optional>

#include "analysis/report.hpp"
#include "analysis/sinks/h5_sink.hpp"
#include "analysis/sinks/json_sink.hpp"
#include "analysis/sinks/summary_sink.hpp"
#include "sim/files.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/live_dry_run.hpp"
#include "tools/runner/live_run.hpp"
#include "tools/runner/output_paths.hpp"
#include "tools/runner/provenance.hpp"
#include "sim/exit_code.hpp"
#include "tools/specsim/commands.hpp"
#include "tools/specsim/stop_signals.hpp"

namespace specsim::cli {

namespace {

struct LiveArgs {
  std::string scenario, h5, json, trace;
  std::optional<std::int64_t> episodes;
  int concurrency = 4;
  std::optional<double> max_cost_usd;
  bool dry_run = false;
};

// How long each limited endpoint held its calls back, live or in the dry run alike.
void print_limit_waits(const runner::ScheduleResult& r) {
  for (const auto& w : r.limit_waits)
    std::cout << fmt::format("limits of {}: {} calls, {:.3f} s waited on average before their start\n", w.limits, w.calls,
                             w.calls > 0 ? w.waited.seconds() / static_cast<double>(w.calls) : 0.0);
}

// What the simulator expects the live run to cost and take: the run's own schedule, simulated.
int dry_run(const runner::Scenario& scenario, const runner::LiveRunOptions& options) {
  print_warnings(scenario.warnings);  // the estimate is only as good as the token models
  analysis::SummarySink summary(scenario.agents, scenario.billing, scenario.objective);
  const runner::ScheduleResult r = runner::simulate_live(scenario, options, summary);
  if (!r.completed) return stopped_exit_code();
  double reported = 0;
  for (const auto& row : summary.rows()) reported += row.cost_usd * static_cast<double>(row.episodes);
  std::cout << fmt::format("dry run of {}: {} episodes, simulated on the live run's schedule\n", scenario.name, r.episodes_planned)
            << analysis::format_table(summary.rows(), scenario.objective)
            << fmt::format("expected: ${:.4f} over the reported policies", reported);
  if (r.spent_usd > reported * (1 + 1e-9)) std::cout << fmt::format(" (${:.4f} with the hidden baseline, which the run pays too)", r.spent_usd);
  std::cout << fmt::format("; about {:.0f} s at {} episode runs in flight\n", r.elapsed.seconds(), options.concurrency);
  print_limit_waits(r);
  for (const auto& agent : scenario.live->agents)
    if (agent.endpoint.tokens_per_minute > 0) {
      std::cout << "note: tokens_per_minute paces each call by its modelled prompt and max_tokens; the live client counts "
                   "the prompt's characters / 4\n";
      break;
    }
  return sim::ExitCode::ok;
}

int live(const LiveArgs& args) {
  runner::Scenario scenario = runner::load_scenario(args.scenario);
  runner::LiveRunOptions options;
  options.episodes = args.episodes;
  options.concurrency = args.concurrency;
  options.max_cost_usd = args.max_cost_usd;
  options.trace_file = args.trace;
  options.progress = &std::cerr;
  const std::int64_t episodes = runner::live_episodes(scenario, options);
  if (args.dry_run) {
    options.stop = &install_stop_signals();
    return dry_run(scenario, options);
  }
  runner::OutputPaths outputs;  // checked before any call is paid for
  outputs.input(runner::input_files(scenario), "scenario");
  outputs.file(args.h5, "-o");
  outputs.file(args.json, "--json");
  outputs.file(args.trace, "--trace");
  outputs.check();
  options.stop = &install_stop_signals();

  analysis::SummarySink summary(scenario.agents, scenario.billing, scenario.objective);
  sim::ObserverFanout sinks;
  sinks.add(summary);
  OutputFolders folders;
  sim::CommitGroup files;  // the HDF5 and JSON outputs land together or not at all
  for (const auto& out : outputs.files) {
    folders.add(out.path);
    sim::remove_stale_temporaries(out.path);
  }
  std::unique_ptr<sim::RunObserver> h5, json;
  if (!args.h5.empty()) {
    h5 = std::make_unique<analysis::H5Sink>(args.h5, runner::provenance(scenario.name, scenario.file, scenario.text, episodes),
                                            summary, scenario.agents, scenario.billing, scenario.record_episodes, &files);
    sinks.add(*h5);
  }
  if (!args.json.empty()) {
    json = std::make_unique<analysis::JsonSink>(args.json, summary, &files);
    sinks.add(*json);
  }
  const runner::LiveRunResult r = runner::run_live(scenario, options, sinks);
  if (!r.completed) {
    std::cerr << "\nspecsim: live run interrupted; calls in flight cancelled, nothing written\n";
    return stopped_exit_code();
  }
  files.commit();
  folders.keep();

  std::cout << fmt::format("live {}: {} of {} episodes reported, {} calls, ${:.4f} spent, {:.1f} s\n", scenario.name,
                           r.episodes_reported, r.episodes_planned, r.calls, r.spent_usd, r.wall_seconds)
            << analysis::format_table(summary.rows(), scenario.objective);
  print_limit_waits(r);
  for (const auto& l : r.learning)
    std::cout << fmt::format("{}: {} predictions, {:.3f} ms each on average; {} training jobs done on the worker thread\n", l.policy,
                             l.predictions, l.prediction_ms, l.jobs_completed);
  if (r.stopped_by_cap) std::cout << fmt::format("stopped starting episodes at the cap of ${:.4f}\n", *args.max_cost_usd);
  if (!r.failed.empty()) {
    std::cout << fmt::format("failed episodes ({}), not in the summary:\n", r.failed.size());
    for (const auto& f : r.failed) std::cout << fmt::format("  episode {} (task {}), {}: {}\n", f.episode, f.task_id, f.policy, f.error);
  }
  if (h5) std::cout << "results: " << args.h5 << "\n";
  if (json) std::cout << "summary: " << args.json << "\n";
  if (!args.trace.empty())
    std::cout << (r.trace_written ? "trace: " + args.trace : std::string("trace: not written, no episode committed a step")) << "\n";
  return sim::ExitCode::ok;
}

}  // namespace

void add_live_command(CLI::App& app, SetAction set_action) {
  auto args = std::make_shared<LiveArgs>();
  auto* cmd = app.add_subcommand("live", "Run a scenario's policies against the OpenAI-compatible endpoints its agents name");
  // Not required by CLI11: `live calibrate` has no scenario (checked below when it is not used).
  cmd->add_option("scenario", args->scenario, "Scenario YAML file with endpoints and a live: section");
  cmd->add_option("-o,--output", args->h5, "HDF5 result file to write");
  cmd->add_option("--json", args->json, "JSON summary file to write");
  cmd->add_option("--trace", args->trace, "Record every call as a trace (JSON Lines, docs/traces.md)");
  cmd->add_option("--episodes", args->episodes, "Episodes to run (default: every task)")->check(episodes_check());
  cmd->add_option("--concurrency", args->concurrency, "Episodes in flight at once")->check(CLI::Range(1, 4096));
  cmd->add_option("--max-cost-usd", args->max_cost_usd, "Stop starting episodes once this many dollars are spent")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--dry-run", args->dry_run, "Simulate the run and print its expected cost and time; call nothing");
  add_calibrate_command(*cmd, set_action);
  cmd->callback([cmd, set_action, args] {
    if (!cmd->get_subcommands().empty()) return;  // `live calibrate` set its own action
    if (args->scenario.empty()) throw CLI::RequiredError("scenario");
    set_action([args] { return live(*args); });
  });
}

}  // namespace specsim::cli
