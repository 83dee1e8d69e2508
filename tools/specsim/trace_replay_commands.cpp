// `specsim trace synth SCENARIO -o FILE` and `specsim trace fidelity PATH`: the simulator's side
// of recorded traces (tools/runner/trace_replay.hpp), on the `trace` subcommand.
#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include "models/trace/dsp_log_importer.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"
#include "policies/learner/adamw.hpp"
#include "sim/exit_code.hpp"
#include "sim/files.hpp"
#include "sim/input_error.hpp"
#include "tools/runner/fidelity.hpp"
#include "tools/runner/learner_fidelity.hpp"
#include "tools/runner/output_paths.hpp"
#include "tools/runner/trace_replay.hpp"
#include "tools/specsim/commands.hpp"
#include "tools/specsim/stop_signals.hpp"

namespace specsim::cli {

namespace trace = models::trace;
using runner::FidelityMode;
using runner::FidelityReport;

namespace {

std::string percent(double fraction) { return std::isnan(fraction) ? "-" : fmt::format("{:+.1f}%", 100 * fraction); }

std::string format_fidelity(const FidelityReport& r) {
  std::size_t width = 4;
  for (const auto& run : r.runs) width = std::max(width, run.task_id.size());
  std::string out = fmt::format("{:<{}}  {:>5} {:>6} {:>10}", "run", width, "steps", "rounds", "measured");
  for (const auto& m : r.modes) out += fmt::format(" {:>14}", m.name);
  out += fmt::format(" {:>11}\n", "naive loto");
  const FidelityMode* loto = r.mode("loto");
  for (std::size_t i = 0; i < r.runs.size(); ++i) {
    const auto& run = r.runs[i];
    out += fmt::format("{:<{}}  {:>5} {:>6} {:>9.1f}s", run.task_id, width, run.steps, run.rounds, run.measured_s);
    for (const auto& m : r.modes)
      out += fmt::format(" {:>7.1f} {:>6}", m.simulated_s[i], percent(m.simulated_s[i] / run.measured_s - 1));
    if (loto) out += fmt::format(" {:>11}", percent(loto->naive_s[i] / run.measured_s - 1));
    out += "\n";
  }
  out += fmt::format("\n{} runs. Per mode: aggregate error of the mean latency, per-run MAPE; beside them the naive "
                     "estimate (the target alone) given the same information:\n", r.runs.size());
  for (const auto& m : r.modes)
    out += fmt::format("  {:<14} mean {:>6}  MAPE {:>5.1f}%   naive: mean {:>6}  MAPE {:>5.1f}%   {}\n", m.name,
                       percent(m.mean_error), m.mape, percent(m.naive_mean_error), m.naive_mape, m.description);
  if (r.noise_floor_runs > 0)
    out += fmt::format("noise floor: the same task's runs in different folders differ from their mean by {:.1f}% "
                       "on average ({} runs)\n", r.noise_floor, r.noise_floor_runs);
  double replay_cost = 0, dsp_cost = 0;
  int with_dsp = 0;
  for (const auto& run : r.runs) {
    replay_cost += run.replay_cost_usd;
    if (run.dsp_cost_usd >= 0) {
      dsp_cost += run.dsp_cost_usd;
      ++with_dsp;
    }
  }
  if (!r.runs.empty()) {
    out += fmt::format("replay cost ${:.4f} per episode", replay_cost / static_cast<double>(r.runs.size()));
    if (with_dsp == static_cast<int>(r.runs.size()))
      out += fmt::format(" (DSP's own accounting: ${:.4f}, {})", dsp_cost / with_dsp, percent(replay_cost / dsp_cost - 1));
    out += "\n";
  }
  if (r.divergences > 0) out += fmt::format("({} replay rounds left the recording's round starts)\n", r.divergences);
  return out;
}

std::string format_learner(const runner::LearnerFidelity& l) {
  std::string out = fmt::format("learner: dsp with preset dsp_openagi, lr {:g}, {}, each folder's tasks in their recorded "
                                "order ({} folders), recorded timings and verdicts\n  k chosen:",
                                l.lr, l.pretrain_lr > 0 ? fmt::format("pretrained at lr {:g} on the other folders' runs", l.pretrain_lr)
                                                        : std::string("cold start"),
                                l.sessions);
  double sim = 0, rec = 0;
  for (const auto& [k, n] : l.simulated_k) sim += static_cast<double>(n);
  for (const auto& [k, n] : l.recorded_k) rec += static_cast<double>(n);
  std::map<int, int> ks;
  for (const auto& [k, n] : l.simulated_k) ks[k] = 0;
  for (const auto& [k, n] : l.recorded_k) ks[k] = 0;
  for (const auto& [k, unused] : ks) {
    const auto s = l.simulated_k.count(k) ? static_cast<double>(l.simulated_k.at(k)) : 0.0;
    const auto r = l.recorded_k.count(k) ? static_cast<double>(l.recorded_k.at(k)) : 0.0;
    out += fmt::format("  k={}: {:.1f}% (DSP {:.1f}%)", k, sim > 0 ? 100 * s / sim : 0.0, rec > 0 ? 100 * r / rec : 0.0);
  }
  out += fmt::format("\n  total variation distance {:.3f}; mean k {:.2f} (DSP {:.2f}); predictor accuracy {:.2f}",
                     l.total_variation, l.simulated_mean_k, l.recorded_mean_k, l.accuracy);
  if (l.recorded_accuracy >= 0) out += fmt::format(" (DSP's per-run mean {:.2f})", l.recorded_accuracy);
  out += fmt::format("\n  training jobs: {} (DSP's train logs {})", l.jobs, l.recorded_jobs);
  for (const auto& s : l.session_jobs)
    out += fmt::format("; {} (batch {}, {} epochs): {} ({})", s.session, s.batch_steps, s.epochs, s.simulated.size(),
                       s.recorded.size());
  const runner::JobsOverTime t = runner::jobs_over_time(l);
  auto series = [](const std::vector<double>& v) {
    std::string text;
    for (double x : v) text += std::isnan(x) ? "    -" : fmt::format(" {:4.2f}", x);
    return text;
  };
  out += "\n  batch accuracy before each job's first step, by task position (mean over folders):\n    simulated" +
         series(t.simulated_accuracy) + "\n    DSP      " + series(t.recorded_accuracy);
  out += "\n  batch loss (MSE) before each job's first step:\n    simulated" + series(t.simulated_loss) + "\n    DSP      " +
         series(t.recorded_loss);
  return out + "\n";
}

// DSP's offline pretraining rate (lambda_return_train.py), and the learner's default rate for
// the MLP (AdamWConfig), which the MLP stand-in needs to move at all in 30 epochs.
constexpr double kDspPretrainLr = 1e-4;
constexpr double kMlpDefaultLr = policies::learner::AdamWConfig{}.lr;

nlohmann::ordered_json learner_json(const runner::LearnerFidelity& l) {
  nlohmann::ordered_json j;
  j["lr"] = l.lr;
  j["pretrain_lr"] = l.pretrain_lr;
  for (const auto& [k, n] : l.simulated_k) j["simulated_k"][std::to_string(k)] = n;
  for (const auto& [k, n] : l.recorded_k) j["recorded_k"][std::to_string(k)] = n;
  j["total_variation"] = l.total_variation;
  j["simulated_mean_k"] = l.simulated_mean_k;
  j["recorded_mean_k"] = l.recorded_mean_k;
  j["training_jobs"] = l.jobs;
  j["recorded_training_jobs"] = l.recorded_jobs;
  j["accuracy"] = l.accuracy;
  if (l.recorded_accuracy >= 0) j["recorded_accuracy"] = l.recorded_accuracy;
  auto jobs_json = [](const std::vector<runner::LearnerJob>& jobs) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (const auto& job : jobs) a.push_back({{"task", job.task}, {"loss", job.loss}, {"accuracy", job.accuracy}});
    return a;
  };
  j["sessions"] = nlohmann::ordered_json::array();
  for (const auto& s : l.session_jobs)
    j["sessions"].push_back({{"session", s.session}, {"batch_steps", s.batch_steps}, {"epochs", s.epochs},
                             {"simulated_jobs", jobs_json(s.simulated)}, {"recorded_jobs", jobs_json(s.recorded)}});
  return j;
}

nlohmann::ordered_json fidelity_json(const FidelityReport& r) {
  nlohmann::ordered_json doc;
  doc["kind"] = "specsim-fidelity";
  doc["noise_floor_percent"] = r.noise_floor;
  doc["noise_floor_runs"] = r.noise_floor_runs;
  doc["divergences"] = r.divergences;
  for (const auto& m : r.modes)
    doc["modes"].push_back({{"name", m.name}, {"description", m.description}, {"mean_error", m.mean_error},
                            {"mape_percent", m.mape}, {"naive_mean_error", m.naive_mean_error},
                            {"naive_mape_percent", m.naive_mape}});
  for (std::size_t i = 0; i < r.runs.size(); ++i) {
    const auto& run = r.runs[i];
    nlohmann::ordered_json j{{"task_id", run.task_id}, {"session", run.session}, {"task", run.task},
                             {"steps", run.steps}, {"rounds", run.rounds}, {"measured_s", run.measured_s},
                             {"replay_cost_usd", run.replay_cost_usd}};
    if (run.dsp_cost_usd >= 0) j["dsp_cost_usd"] = run.dsp_cost_usd;
    for (const auto& m : r.modes) {
      j["simulated_s"][m.name] = std::isnan(m.simulated_s[i]) ? nlohmann::ordered_json() : nlohmann::ordered_json(m.simulated_s[i]);
      j["naive_s"][m.name] = std::isnan(m.naive_s[i]) ? nlohmann::ordered_json() : nlohmann::ordered_json(m.naive_s[i]);
    }
    doc["runs"].push_back(std::move(j));
  }
  return doc;
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
      const runner::Scenario s = runner::load_scenario(a.scenario, {a.seed, a.episodes});
      runner::OutputPaths outputs;
      outputs.input(runner::input_files(s), "scenario");
      outputs.file(a.out, "-o");
      outputs.check();
      const std::atomic<bool>& stop = install_stop_signals();
      sim::remove_stale_temporaries(a.out);
      trace::TraceFileWriter out(a.out);
      std::size_t tasks = 0, steps = 0;
      runner::synthesize_trace(s, [&](const trace::Task& task) {
        out.write(task);
        ++tasks;
        steps += task.steps.size();
        return !stop;
      });
      if (stop) return stopped_exit_code();  // `out` removes its temporary file
      out.commit();
      std::cout << a.out << ": " << tasks << " tasks, " << steps << " steps\n";
      return static_cast<int>(sim::ExitCode::ok);
    });
  });

  struct FidelityArgs {
    std::string path, json;
    runner::FidelityOptions options;
    double learner_lr = 5e-3;
  };
  auto fidelity_args = std::make_shared<FidelityArgs>();
  auto* fid = trace_cmd.add_subcommand(
      "fidelity", "Predict recorded runs held out (leave one task or folder out) and replay them; against measured times");
  fid->add_option("path", fidelity_args->path, "A trace file, or a folder of DSP run logs (imported first)")->required();
  fid->add_option("--model", fidelity_args->options.model, "Catalogue model that prices the calls (default gpt-4-turbo)");
  fid->add_option("--seed", fidelity_args->options.seed, "Seed of the draws (residuals, modelled verdicts and k)")->check(seed_check());
  fid->add_option("--draws", fidelity_args->options.draws, "Simulations per run and held-out mode (default 32)")
      ->check(CLI::PositiveNumber);
  fid->add_option("--learner-lr", fidelity_args->learner_lr,
                  "Learning rate of the cold-start dsp_openagi comparison (default 5e-3; the pretrained ones use DSP's 5e-5)")
      ->check(CLI::PositiveNumber);
  fid->add_option("--json", fidelity_args->json, "Write the report as JSON (specsim plot draws its parity figure)");
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
      const FidelityReport report = runner::fidelity(t, a.options);
      std::cout << format_fidelity(report);
      bool recorded_k = false;
      for (const auto& task : t.tasks) recorded_k = recorded_k || !task.rounds.empty();
      std::vector<runner::LearnerFidelity> learners;
      if (recorded_k) {
        // DSP's learner: pretrained offline with DSP's settings, then fine-tuned at its own rate;
        // pretrained at the MLP's own default rate instead; and a cold start at a rate the MLP
        // learns with from scratch (docs/traces.md §11).
        const auto& seed = a.options.seed;
        learners.push_back(runner::learner_fidelity(t, a.options.model, seed, {std::nullopt, kDspPretrainLr}));
        learners.push_back(runner::learner_fidelity(t, a.options.model, seed, {std::nullopt, kMlpDefaultLr}));
        learners.push_back(runner::learner_fidelity(t, a.options.model, seed, {a.learner_lr, std::nullopt}));
        for (const auto& l : learners) std::cout << format_learner(l);
      }
      if (!a.json.empty()) {
        auto doc = fidelity_json(report);
        for (const auto& l : learners) doc["learner"].push_back(learner_json(l));
        sim::write_file_atomically(a.json, doc.dump(2) + "\n");
      }
      return sim::ExitCode::ok;
    });
  });
}

}  // namespace specsim::cli
