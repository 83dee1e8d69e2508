#include "tools/specsim/trace_replay.hpp"

#include <fmt/format.h>

#include <cmath>

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "models/catalogue.hpp"
#include "models/trace/dsp_log_importer.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"
#include "sim/exit_code.hpp"
#include "sim/files.hpp"
#include "models/sim_backend.hpp"
#include "models/trace/trace_workload.hpp"
#include "policies/recorded_k.hpp"
#include "sim/planner.hpp"

namespace specsim::app {

namespace trace = models::trace;

namespace {

trace::AgentStep recorded(std::string action, std::span<const models::ScriptedCall> calls) {
  trace::AgentStep step;
  step.action = std::move(action);
  for (const auto& c : calls) step.calls.push_back(trace::Call{c.latency, c.tokens.input, c.tokens.output, 1});
  return step;
}

}  // namespace

trace::Trace synthesize_trace(const Scenario& s) {
  trace::Trace out;
  models::EpisodeScript script;
  for (std::int64_t e = 0; e < s.episodes; ++e) {
    models::make_script(*s.workload, s.agents, s.seed, e, s.max_steps, script);
    trace::Task task;
    task.task_id = "episode-" + std::to_string(e);
    task.task = s.name + ", episode " + std::to_string(e);
    for (int st = 0; st < script.steps; ++st) {
      const bool last = st == script.steps - 1 && script.ends_with_terminate;
      const std::string action = last ? std::string(trace::kTerminateAction) : "step-" + std::to_string(st);
      const bool match = script.match[static_cast<std::size_t>(st)];
      trace::Step step;
      step.target = recorded(action, script.step_calls(sim::Agent::target, st));
      step.approx = recorded(match ? action : "other-" + std::to_string(st), script.step_calls(sim::Agent::approx, st));
      step.match = match;
      task.steps.push_back(std::move(step));
    }
    out.tasks.push_back(std::move(task));
  }
  return out;
}

FidelityReport fidelity(const trace::Trace& recorded_trace, const std::string& model, std::uint64_t seed) {
  const models::ModelInfo* info = models::Catalogue::builtin().find(model);
  if (!info) throw sim::InputError("--model", 0, 0, "", "unknown model '" + model + "'");
  models::Agents agents;
  for (auto& a : agents) {
    a.model = info->name;
    a.price = info->price;
    a.latency = info->latency;
    a.output = {models::TokenDistribution{}};
  }
  trace::TraceWorkloadConfig config;
  const trace::TraceWorkload workload(recorded_trace, std::move(config));
  workload.adapt_agents(agents);

  int max_steps = 1;
  for (const auto& t : recorded_trace.tasks) max_steps = std::max(max_steps, static_cast<int>(t.steps.size()));
  sim::SimClock clock;
  models::SimBackend backend(agents, workload, clock, seed, max_steps);
  policies::RecordedK policy(1, true);
  sim::PlannerConfig planner_config;
  planner_config.max_steps = max_steps;
  sim::Planner planner(planner_config, clock, backend, policy);

  FidelityReport report;
  double abs_sum = 0, seq_sum = 0;
  for (std::size_t i = 0; i < recorded_trace.tasks.size(); ++i) {
    const trace::Task& task = recorded_trace.tasks[i];
    const sim::EpisodeRun& run = planner.run_episode(static_cast<std::int64_t>(i));
    if (!task.measured || !task.measured->latency) continue;
    FidelityRow row;
    row.task_id = task.task_id;
    row.steps = run.steps;
    row.rounds = static_cast<int>(run.rounds.size());
    row.measured_s = task.measured->latency->seconds();
    row.simulated_s = run.latency.seconds();
    row.error = row.measured_s > 0 ? (row.simulated_s - row.measured_s) / row.measured_s : 0.0;
    abs_sum += std::abs(row.error);
    row.sequential_s = task.measured->sequential ? task.measured->sequential->seconds() : 0.0;
    seq_sum += row.measured_s > 0 ? std::abs(row.sequential_s - row.measured_s) / row.measured_s : 0.0;
    report.rows.push_back(row);
  }
  report.mape = report.rows.empty() ? 0.0 : 100.0 * abs_sum / static_cast<double>(report.rows.size());
  report.sequential_mape = report.rows.empty() ? 0.0 : 100.0 * seq_sum / static_cast<double>(report.rows.size());
  report.divergences = policy.divergences();
  return report;
}

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
  synth->add_option("--episodes", synth_args->episodes, "Override the number of episodes (tasks)")->check(CLI::PositiveNumber);
  synth->add_option("--seed", synth_args->seed, "Override the scenario's seed");
  synth->callback([set_action, synth_args] {
    set_action([a = *synth_args] {
      Scenario s = load_scenario(a.scenario);
      if (a.episodes) s.episodes = *a.episodes;
      if (a.seed) s.seed = *a.seed;
      const trace::Trace t = synthesize_trace(s);
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
  fid->add_option("--seed", fidelity_args->seed, "Seed of the draws for calls the recording lacks");
  fid->add_option("--json", fidelity_args->json, "Write the table as JSON");
  fid->callback([set_action, fidelity_args] {
    set_action([a = *fidelity_args] {
      trace::Trace t;
      if (std::filesystem::is_directory(a.path)) {
        trace::ImportResult imported = trace::import_dsp_logs(a.path);
        if (imported.datapoints.empty()) imported = trace::import_dsp_log_tree(a.path);
        if (imported.datapoints.empty()) throw sim::InputError(a.path, 0, 0, "", "no DSP datapoint logs in this folder");
        t = std::move(imported.trace);
      } else {
        t = trace::read_trace(a.path);
      }
      const FidelityReport report = fidelity(t, a.model, a.seed);
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

}  // namespace specsim::app
