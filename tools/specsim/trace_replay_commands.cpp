// `specsim trace synth SCENARIO -o FILE` and `specsim trace fidelity PATH`: the simulator's side
// of recorded traces (tools/runner/trace_replay.hpp), on the `trace` subcommand.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "models/trace/dsp_log_importer.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"
#include "sim/exit_code.hpp"
#include "sim/files.hpp"
#include "sim/input_error.hpp"
#include "tools/runner/output_paths.hpp"
#include "tools/runner/trace_replay.hpp"
#include "tools/specsim/commands.hpp"

namespace specsim::cli {

namespace trace = models::trace;
using runner::FidelityReport;

namespace {

std::string format_fidelity(const FidelityReport& r) {
  std::size_t width = 7;
  for (const auto& row : r.rows) width = std::max(width, row.task_id.size());
  std::string out = fmt::format("{:<{}}  {:>5} {:>6} {:>11} {:>12} {:>8} {:>13}\n", "task", width, "steps", "rounds",
                                "measured s", "simulated s", "error", "T alone s");
  for (const auto& row : r.rows)
    out += fmt::format("{:<{}}  {:>5} {:>6} {:>11.2f} {:>12.2f} {:>+7.2f}% {:>13.2f}\n", row.task_id, width, row.steps,
                       row.rounds, row.measured_s, row.simulated_s, 100 * row.error, row.sequential_s);
  out += fmt::format("{} tasks with a measured time; mean absolute percentage error {:.2f}% (the target-alone time "
                     "as an estimate: {:.2f}%)", r.rows.size(), r.mape, r.sequential_mape);
  if (r.divergences > 0) out += fmt::format(" ({} rounds left the recording's round starts)", r.divergences);
  return out + "\n";
}

}  // namespace

void add_trace_replay_commands(CLI::App& trace_cmd, SetAction set_action) {
  struct SynthArgs {
    std::string scenario, out;
    std::optional<std::int64_t> episodes;
    std::optional<std::uint64_t> seed;
  };
  auto synth_args = std::make_shared<SynthArgs>();
  auto* synth = trace_cmd.add_subcommand("synth", "Write a scenario's synthetic workload as a trace");
  synth->add_option("scenario", synth_args->scenario, "Scenario YAML file")->required();
  synth->add_option("-o,--output", synth_args->out, "Trace file to write (JSON Lines)")->required();
  synth->add_option("--episodes", synth_args->episodes, "Override the number of episodes (tasks)")->check(episodes_check());
  synth->add_option("--seed", synth_args->seed, "Override the scenario's seed")->check(seed_check());
  synth->callback([set_action, synth_args] {
    set_action([a = *synth_args] {
      runner::Scenario s = runner::load_scenario(a.scenario);
      if (a.episodes) s.episodes = *a.episodes;
      if (a.seed) s.seed = *a.seed;
      runner::OutputPaths outputs;
      for (const auto& f : runner::input_files(s)) outputs.input(f, "scenario");
      outputs.file(a.out, "-o");
      outputs.check();
      const trace::Trace t = runner::synthesize_trace(s);
      trace::write_trace(t, a.out);
      std::size_t steps = 0;
      for (const auto& task : t.tasks) steps += task.steps.size();
      std::cout << a.out << ": " << t.tasks.size() << " tasks, " << steps << " steps\n";
      return sim::ExitCode::ok;
    });
  });

  struct FidelityArgs {
    std::string path, model = "gpt-4-turbo", json;
    std::uint64_t seed = 1;
  };
  auto fidelity_args = std::make_shared<FidelityArgs>();
  auto* fid = trace_cmd.add_subcommand(
      "fidelity", "Replay recorded runs with the k they chose; compare simulated and measured wall times");
  fid->add_option("path", fidelity_args->path, "A trace file, or a folder of DSP run logs (imported first)")->required();
  fid->add_option("--model", fidelity_args->model, "Catalogue model that prices the calls (default gpt-4-turbo)");
  fid->add_option("--seed", fidelity_args->seed, "Seed of the draws for calls the recording lacks")->check(seed_check());
  fid->add_option("--json", fidelity_args->json, "Write the table as JSON");
  fid->callback([set_action, fidelity_args] {
    set_action([a = *fidelity_args] {
      runner::OutputPaths outputs;
      outputs.inputs_below(a.path, "path");
      outputs.file(a.json, "--json");
      outputs.check();
      trace::Trace t;
      if (std::filesystem::is_directory(a.path)) {
        trace::ImportResult imported = trace::import_dsp_logs(a.path);
        if (imported.datapoints.empty()) imported = trace::import_dsp_log_tree(a.path);
        if (imported.datapoints.empty()) throw sim::InputError(a.path, 0, 0, "", "no DSP datapoint logs in this folder");
        t = std::move(imported.trace);
      } else {
        t = trace::read_trace(a.path);
      }
      const FidelityReport report = runner::fidelity(t, a.model, a.seed);
      std::cout << format_fidelity(report);
      if (!a.json.empty()) {
        nlohmann::ordered_json doc;
        doc["mape_percent"] = report.mape;
        doc["divergences"] = report.divergences;
        doc["sequential_mape_percent"] = report.sequential_mape;
        for (const auto& r : report.rows)
          doc["tasks"].push_back({{"task_id", r.task_id}, {"steps", r.steps}, {"rounds", r.rounds},
                                  {"measured_s", r.measured_s}, {"simulated_s", r.simulated_s}, {"error", r.error}});
        sim::write_file_atomically(a.json, doc.dump(2) + "\n");
      }
      return sim::ExitCode::ok;
    });
  });
}

}  // namespace specsim::cli
