#include "models/trace/dsp_log_importer.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "models/trace/dsp_approx_log.hpp"
#include "models/trace/dsp_simulation_log.hpp"
#include "models/trace/dsp_target_log.hpp"
#include "models/trace/dsp_train_log.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"
#include "sim/input_error.hpp"

namespace specsim::models::trace {
namespace {

namespace fs = std::filesystem;
using namespace dsp;

struct DatapointFiles {
  std::optional<fs::path> approximation, target, simulation, train;
};

// "<kind>_datapoint<NN>.log" -> (kind, NN)
std::optional<std::pair<std::string, int>> datapoint_file(const std::string& name) {
  const std::size_t mark = name.find("_datapoint");
  if (mark == std::string::npos || name.size() < 4 || name.substr(name.size() - 4) != ".log") return std::nullopt;
  const std::string kind = name.substr(0, mark);
  const std::string digits = name.substr(mark + 10, name.size() - 4 - mark - 10);
  if (kind != "approximation" && kind != "target" && kind != "simulation" && kind != "train") return std::nullopt;
  auto n = parse_int(digits);
  if (!n || *n < 0 || *n > 1'000'000 || digits.front() == '-') return std::nullopt;
  return std::make_pair(kind, static_cast<int>(*n));
}

std::string seconds_text(sim::Time t) { return format_seconds(t) + " s"; }

// DSP logs one "-time T" per target step, covering all its calls (thought and response, plus any
// failed try before them). The split is estimated from the 1 s timestamps of each call's sent and
// returned lines: each call's measured span (at least 0.5 s, since a 0 s span only says "under a
// second") weighs its share of T. Shares are rounded to the millisecond and the first call takes
// the remainder, so the calls always add up to exactly the recorded T.
std::vector<Call> split_react_step(const TargetAttempt& a) {
  std::vector<const ObservedCall*> observed;
  for (const ObservedCall& c : a.earlier) observed.push_back(&c);
  observed.push_back(&a.thought);
  if (a.response.input_tokens) observed.push_back(&a.response);

  std::vector<double> weights;
  double sum = 0;
  for (const ObservedCall* c : observed) {
    // A call that never returned has no end line: it ended when the next one started.
    const std::int64_t end = c->end_line ? c->end_clock : c->start_clock;
    weights.push_back(std::max(0.5, static_cast<double>(end - c->start_clock)));
    sum += weights.back();
  }
  const sim::Time total = a.latency.value_or(sim::Time{});
  std::vector<Call> calls;
  sim::Time rest = total;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const ObservedCall& c = *observed[i];
    Call call{sim::Time{}, c.input_tokens.value_or(0), c.output_tokens.value_or(0), std::max<std::int64_t>(c.attempts, 1)};
    if (i > 0) {
      const double ms = std::round(static_cast<double>(total.ns()) * weights[i] / sum / 1e6);
      call.latency = sim::Time::from_ns(static_cast<std::int64_t>(ms) * 1'000'000);
      rest -= call.latency;
    }
    calls.push_back(call);
  }
  calls.front().latency = rest;
  return calls;
}

class DatapointImporter {
 public:
  DatapointImporter(int n, const std::string& dir, const DatapointFiles& files, std::string task_id)
      : n_(n), dir_(dir), files_(files) {
    report_.datapoint = n;
    report_.dir = dir;
    report_.task_id = std::move(task_id);
  }

  // The task, or nullopt when the logs do not give a valid one (the report says why).
  std::optional<Task> run(std::vector<UnreadableLine>& unreadable) {
    const LogFile approx_file = read_log(files_.approximation->string());
    const LogFile target_file = read_log(files_.target->string());
    std::optional<LogFile> sim_file;
    if (files_.simulation) sim_file = read_log(files_.simulation->string());
    std::optional<LogFile> train_file;
    if (files_.train) train_file = read_log(files_.train->string());
    report_.files = {approx_file.name, target_file.name};
    if (sim_file) report_.files.push_back(sim_file->name);
    if (train_file) report_.files.push_back(train_file->name);

    approx_ = parse_approx_log(approx_file);
    target_ = parse_target_log(target_file);
    if (sim_file) sim_ = parse_simulation_log(*sim_file);
    if (train_file) train_ = parse_train_log(*train_file);
    for (LogDiagnostics* d : {&approx_.diag, &target_.diag, sim_ ? &sim_->diag : nullptr, train_ ? &train_->diag : nullptr}) {
      if (!d) continue;
      report_.lines += d->counts;
      unreadable.insert(unreadable.end(), d->unreadable.begin(), d->unreadable.end());
      report_.warnings.insert(report_.warnings.end(), d->warnings.begin(), d->warnings.end());
    }
    for (const UnreadableLine& u : unreadable)
      report_.warnings.push_back(fs::path(u.file).filename().string() + ":" + std::to_string(u.line) + ": unreadable line: " + u.text);
    if (!approx_file.ends_with_newline) warn(approx_file.name, "the file does not end with a newline (truncated?)");
    if (!target_file.ends_with_newline) warn(target_file.name, "the file does not end with a newline (truncated?)");
    if (sim_file && !sim_file->ends_with_newline) warn(sim_file->name, "the file does not end with a newline (truncated?)");
    if (train_file && !train_file->ends_with_newline) warn(train_file->name, "the file does not end with a newline (truncated?)");

    Task task;
    task.task_id = report_.task_id;
    task.task = target_.task;
    if (task.task.empty()) warn(target_file.name, "no task description on line 1");
    if (approx_.task != target_.task) warn(approx_file.name, "its task description differs from the target log's");
    if (sim_ && sim_->task != target_.task) warn(sim_file->name, "its task description differs from the target log's");

    if (!build_steps(task)) return std::nullopt;
    build_rounds(task);
    build_measured(task);
    build_training(task, target_file);
    // A run whose logs disagree about what it did (a log cut short, logs of two runs mixed) would
    // pair one run's steps with another's measured time: it is reported and left out.
    if (const std::string why = cross_check(task, target_file.ends_with_newline); !why.empty()) {
      warn("", "not imported: " + why);
      return std::nullopt;
    }

    nlohmann::json source = {{"format", "dsp-logs"}, {"dir", dir_}, {"datapoint", n_}, {"files", report_.files}};
    if (sim_ && !sim_->summary.empty()) source["dsp_summary"] = sim_->summary;
    task.source = std::move(source);

    // Only a task the reader accepts goes into the trace.
    std::vector<sim::InputError> errors;
    try {
      errors = validate_trace_text(task_to_json_line(task), report_.task_id);
    } catch (const sim::InputError& e) {  // text from the logs that is not UTF-8
      errors.emplace_back(report_.task_id, 0, 0, e.field(), "not valid UTF-8");
    }
    if (!errors.empty()) {
      for (const auto& e : errors) warn("", std::string("not imported: ") + e.what());
      return std::nullopt;
    }
    report_.steps = task.steps.size();
    report_.rounds = task.rounds.size();
    report_.imported = true;
    return task;
  }

  DatapointReport& report() { return report_; }

 private:
  void warn(const std::string& file, const std::string& what) {
    report_.warnings.push_back(file.empty() ? what : file + ": " + what);
  }
  void warn_step(std::size_t step_index, const std::string& what) {
    report_.warnings.push_back("step " + std::to_string(step_index + 1) + ": " + what);
  }

  // A's committed guess of a step, from its last call for that step.
  std::optional<AgentStep> approx_step(std::size_t index, const std::optional<std::string>& guess, const ApproxCall& c) {
    if (c.returned) {
      if (guess && *guess != c.action)
        warn_step(index, "the round's guess '" + *guess + "' differs from the approximation log's '" + c.action + "'");
      return AgentStep{c.action, {{c.latency, c.input_tokens, c.output_tokens, c.attempts}}};
    }
    if (guess && guess->empty()) {
      // DSP gives up after 9 failed attempts and uses an empty guess; no result line, so the
      // latency is estimated from the 1 s timestamps of the first and last attempt.
      const sim::Time latency = sim::Time::from_ns((c.last_clock - c.first_clock) * 1'000'000'000);
      warn_step(index, "the approximation never returned (" + std::to_string(c.attempts) +
                           " attempts, lines " + std::to_string(c.first_line) + "-" +
                           std::to_string(c.last_prompt_line) + "); empty guess, latency estimated as " +
                           seconds_text(latency) + " from timestamps, 0 output tokens");
      return AgentStep{"", {{latency, c.input_tokens, 0, c.attempts}}};
    }
    warn_step(index, "the approximation's last call for it never returned; approx left out");
    return std::nullopt;
  }

  // The verdict the simulation log recorded for a step, checked against the trace's actions.
  void take_verdict(std::size_t index, Step& step) {
    if (auto v = sim_->verdicts.find(static_cast<int>(index + 1)); v != sim_->verdicts.end()) {
      step.match = v->second.agrees;
      if (v->second.target_action != step.target.action)
        warn_step(index, "the simulation log's target action '" + v->second.target_action + "' differs from the committed '" +
                             step.target.action + "'");
      if (!v->second.agrees && step.approx && v->second.approx_action != step.approx->action)
        warn_step(index, "the simulation log corrects '" + v->second.approx_action + "', not the guess '" +
                             step.approx->action + "'");
    } else {
      warn_step(index, "no verdict in the simulation log");
    }
  }

  bool build_steps(Task& task) {
    if (target_.rounds.empty()) {
      warn(fs::path(*files_.target).filename().string(), "no round ends (\"return sas tasks\"): nothing committed");
      return false;
    }
    // A's committed guess for a step is its last call for that step: once a step is committed,
    // no later round guesses it again.
    std::map<int, std::size_t> last_call;
    for (std::size_t i = 0; i < approx_.calls.size(); ++i) last_call[approx_.calls[i].step] = i;
    std::set<std::size_t> on_path;

    bool ok = true;
    for (const TargetRound& round : target_.rounds) {
      report_.discarded_target_attempts += round.discarded_attempts;
      for (std::size_t j = 0; j < round.committed.size(); ++j) {
        const std::size_t index = task.steps.size();
        const int s = static_cast<int>(index + 1);
        Step step;
        step.target.action = round.committed[j];
        if (!round.attempts[j]) {
          warn_step(index, "no completed target attempt: the step has no calls");
          ok = false;
        } else {
          const TargetAttempt& a = *round.attempts[j];
          if (!a.response.output_tokens)
            warn_step(index, "the target attempt has no response generation line; its tokens are incomplete");
          step.target.calls = split_react_step(a);
          dsp_prompt_ += a.thought.input_tokens.value_or(0) + a.response.input_tokens.value_or(0);
          dsp_generation_ += a.thought.output_tokens.value_or(0) + a.response.output_tokens.value_or(0);
        }

        const std::optional<std::string> guess =
            j < round.guesses.size() ? std::optional<std::string>(round.guesses[j]) : std::nullopt;
        if (!guess) warn_step(index, "the round's \"sas tasks\" line lists no guess for it");
        if (auto it = last_call.find(s); it == last_call.end()) {
          warn_step(index, "the approximation log has no call for it; approx left out");
        } else {
          on_path.insert(it->second);
          step.approx = approx_step(index, guess, approx_.calls[it->second]);
        }

        if (sim_) take_verdict(index, step);
        // Without a logged verdict, DSP's own rule: exact string equality.
        if (!step.match && guess) step.match = *guess == step.target.action;
        if (step.match && step.approx && *step.match != (step.approx->action == step.target.action))
          warn_step(index, "the recorded verdict disagrees with comparing the two actions");
        if (step.match == std::optional<bool>(false) && j + 1 < round.committed.size())
          warn_step(index, "a mismatch that does not end its round");
        task.steps.push_back(std::move(step));
      }
    }
    report_.off_path_approx_calls = approx_.calls.size() - on_path.size();
    return ok;
  }

  // Round r of the target log is round r of the predictions: one "Predict K" per round.
  void build_rounds(Task& task) {
    const auto& preds = approx_.predictions;
    if (preds.size() != target_.rounds.size()) {
      warn(fs::path(*files_.approximation).filename().string(),
           std::to_string(preds.size()) + " predictions for " + std::to_string(target_.rounds.size()) +
               " rounds; rounds left out");
      return;
    }
    std::vector<Round> rounds;
    std::int64_t start = 0;
    for (std::size_t r = 0; r < preds.size(); ++r) {
      const Prediction& p = preds[r];
      const auto committed = static_cast<std::int64_t>(target_.rounds[r].committed.size());
      if (!p.k) {
        warn(fs::path(*files_.approximation).filename().string(),
             "line " + std::to_string(p.line) + ": a predictor time without its k; rounds left out");
        return;
      }
      if (p.last_prompted_step != start + 1) {
        warn(fs::path(*files_.approximation).filename().string(),
             "line " + std::to_string(p.line) + ": the prediction follows a prompt for step " +
                 std::to_string(p.last_prompted_step) + ", but round " + std::to_string(r + 1) + " starts at step " +
                 std::to_string(start + 1));
      }
      // DSP guesses max(k, 1) steps: a predicted 0 still runs one.
      Round round{start, std::max<std::int64_t>(*p.k, 1), *p.k, p.latency};
      if (committed > round.k) {
        warn(fs::path(*files_.target).filename().string(),
             "round " + std::to_string(r + 1) + " commits " + std::to_string(committed) + " steps with k = " +
                 std::to_string(round.k) + "; rounds left out");
        return;
      }
      rounds.push_back(round);
      start += committed;
    }
    task.rounds = std::move(rounds);
  }

  void build_measured(Task& task) {
    if (!sim_) return;
    if (!sim_->duration) warn(fs::path(*files_.simulation).filename().string(), "no \"<end> - <begin> = <duration>\" line");
    if (!sim_->total_target_step_time)
      warn(fs::path(*files_.simulation).filename().string(), "no \"total target step time\" line");
    if (sim_->duration || sim_->total_target_step_time) task.measured = Measured{sim_->duration, sim_->total_target_step_time};
  }

  // Epoch times count from the run's start, the target log's first timestamp.
  void build_training(Task& task, const LogFile& target_file) {
    if (!train_) return;
    const auto first = std::find_if(target_file.lines.begin(), target_file.lines.end(),
                                    [](const LogLine& l) { return l.has_timestamp; });
    if (first == target_file.lines.end()) {
      warn(target_file.name, "no timestamp to time the training jobs from; training left out");
      return;
    }
    for (const auto& job : train_->jobs) {
      TrainingJob j;
      for (const TrainEpochLine& e : job) {
        if (e.clock_s < first->clock_s) {
          warn(fs::path(*files_.train).filename().string(),
               "line " + std::to_string(e.line) + ": an epoch logged before the run started; training left out");
          return;
        }
        j.epochs.push_back({sim::Time::from_ns((e.clock_s - first->clock_s) * 1'000'000'000), e.loss, e.accuracy,
                            e.trajectories});
      }
      task.training.push_back(std::move(j));
    }
  }

  // The summary's totals are sums over the committed target steps: they must agree with ours.
  // Returns why the logs contradict each other ("" when they agree); lesser differences are warnings.
  std::string cross_check(const Task& task, bool target_log_complete) {
    const bool terminated = !task.steps.empty() && task.steps.back().target.action == kTerminateAction;
    if (!terminated) {
      if (!target_log_complete) return "the target log is cut short (no final newline, and its last step is not " +
                                       std::string(kTerminateAction) + ")";
      warn("", "the last committed step is '" + task.steps.back().target.action + "', not " + std::string(kTerminateAction));
    }
    if (!sim_) return "";
    const std::string sim_name = fs::path(*files_.simulation).filename().string();
    std::vector<std::string> plan;
    sim::Time time;
    for (const Step& s : task.steps) {
      plan.push_back(s.target.action);
      time += s.target.latency();
    }
    if (sim_->final_plan && *sim_->final_plan != plan) return sim_name + ": its final plan differs from the target log's committed steps";
    const auto differs = [&](const char* key, std::int64_t ours) {
      return sim_->summary.contains(key) && sim_->summary[key].is_number_integer() && sim_->summary[key].get<std::int64_t>() != ours;
    };
    const auto steps = static_cast<std::int64_t>(task.steps.size());
    if (differs("step number", steps))
      return sim_name + ": step number is " + sim_->summary["step number"].dump() + ", the target log commits " + std::to_string(steps);
    // DSP's totals count the last ReAct try of each step only (a restart overwrites its tally).
    for (const auto& [key, ours] : {std::pair{"total target token prompt", dsp_prompt_}, {"total target token generation", dsp_generation_}})
      if (differs(key, ours))
        warn(sim_name, std::string(key) + " is " + sim_->summary[key].dump() + ", the committed steps give " + std::to_string(ours));
    if (sim_->total_target_step_time) {
      const std::int64_t diff = (*sim_->total_target_step_time - time).ns();
      if (diff > 1'000'000 || diff < -1'000'000)
        return sim_name + ": total target step time is " + seconds_text(*sim_->total_target_step_time) +
               ", the committed steps give " + seconds_text(time);
    }
    return "";
  }

  int n_;
  std::string dir_;
  DatapointFiles files_;
  DatapointReport report_;
  ApproxLog approx_;
  TargetLog target_;
  std::optional<SimulationLog> sim_;
  std::optional<TrainLog> train_;
  std::int64_t dsp_prompt_ = 0, dsp_generation_ = 0;
};

// Imports one folder; `id_prefix` goes in front of "openagi-NN".
void import_folder(const fs::path& dir, const std::string& id_prefix, ImportResult& result) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) throw sim::InputError(dir.string(), 0, 0, "", "cannot list the folder: " + ec.message());
  std::map<int, DatapointFiles> datapoints;
  std::vector<std::string> ignored;
  for (const fs::directory_entry& e : it) {
    if (!e.is_regular_file(ec)) continue;
    const std::string name = e.path().filename().string();
    auto dp = datapoint_file(name);
    if (!dp) {
      ignored.push_back((dir / name).string());
      continue;
    }
    DatapointFiles& f = datapoints[dp->second];
    (dp->first == "approximation" ? f.approximation
     : dp->first == "target"      ? f.target
     : dp->first == "train"       ? f.train
                                  : f.simulation) = e.path();
  }
  std::sort(ignored.begin(), ignored.end());
  result.ignored_files.insert(result.ignored_files.end(), ignored.begin(), ignored.end());

  for (const auto& [n, files] : datapoints) {
    const std::string task_id = id_prefix + "openagi-" + std::to_string(n);
    DatapointImporter importer(n, dir.string(), files, task_id);
    if (!files.approximation || !files.target) {
      DatapointReport& r = importer.report();
      r.warnings.push_back(std::string("not imported: the ") + (files.approximation ? "target" : "approximation") +
                           " log is missing");
      for (const auto& p : {files.approximation, files.target, files.simulation, files.train})
        if (p) result.ignored_files.push_back(p->string());
      result.datapoints.push_back(std::move(r));
      continue;
    }
    std::vector<UnreadableLine> unreadable;
    std::optional<Task> task = importer.run(unreadable);
    result.unreadable.insert(result.unreadable.end(), unreadable.begin(), unreadable.end());
    result.lines += importer.report().lines;
    if (task) result.trace.tasks.push_back(std::move(*task));
    result.datapoints.push_back(std::move(importer.report()));
  }
}

}  // namespace

std::size_t ImportResult::imported() const {
  return static_cast<std::size_t>(std::count_if(datapoints.begin(), datapoints.end(), [](const auto& d) { return d.imported; }));
}

std::size_t ImportResult::warnings() const {
  std::size_t n = 0;
  for (const auto& d : datapoints) n += d.warnings.size();
  return n;
}

ImportResult import_dsp_logs(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw sim::InputError(dir, 0, 0, "", "not a folder of DSP logs");
  ImportResult result;
  import_folder(dir, "", result);
  return result;
}

ImportResult import_dsp_log_tree(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw sim::InputError(root, 0, 0, "", "not a folder of DSP logs");
  std::set<fs::path> folders;
  fs::recursive_directory_iterator it(root, ec), end;
  if (ec) throw sim::InputError(root, 0, 0, "", "cannot list the folder: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw sim::InputError(root, 0, 0, "", "cannot list the folder: " + ec.message());
    if (it->is_regular_file(ec) && datapoint_file(it->path().filename().string())) folders.insert(it->path().parent_path());
  }
  ImportResult result;
  for (const fs::path& folder : folders) {
    const std::string rel = fs::relative(folder, root).generic_string();
    import_folder(folder, rel.empty() || rel == "." ? "" : rel + "/", result);
  }
  return result;
}

std::string format_import_report(const ImportResult& result) {
  std::ostringstream out;
  out << result.imported() << " of " << result.datapoints.size() << " datapoints imported; lines: "
      << result.lines.used << " used, " << result.lines.irrelevant << " irrelevant, " << result.lines.unreadable
      << " unreadable; " << result.warnings() << " warnings\n";
  for (const DatapointReport& d : result.datapoints) {
    out << "  " << d.task_id << " (" << d.dir << "): ";
    if (d.imported) out << d.steps << " steps, " << d.rounds << " rounds";
    else out << "NOT IMPORTED";
    out << ", " << d.discarded_target_attempts << " discarded target attempts, " << d.off_path_approx_calls
        << " off-path approximation calls\n";
    for (const std::string& w : d.warnings) out << "    warning: " << w << "\n";
  }
  if (!result.unreadable.empty()) {
    out << "unreadable lines:\n";
    for (const UnreadableLine& u : result.unreadable) out << "  " << u.file << ":" << u.line << ": " << u.text << "\n";
  }
  return out.str();
}

}  // namespace specsim::models::trace
