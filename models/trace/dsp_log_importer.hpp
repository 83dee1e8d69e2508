#pragma once
// Turns the published run logs of Dynamic Speculative Planning (one folder of
// approximation/target/simulation_datapointNN.log files) into a trace: per datapoint, the task,
// its committed steps with T's and A's calls, the recorded verdicts, the k of every round and the
// measured wall time. docs/traces.md explains which log line gives what, and what is estimated.
//
// Nothing is dropped silently: every line is either used, known to be irrelevant, or reported as
// unreadable (file, line, text); every inconsistency becomes a warning of its datapoint.
#include <string>
#include <vector>

#include "models/trace/dsp_log_text.hpp"
#include "models/trace/trace.hpp"

namespace specsim::models::trace {

using dsp::LineCounts;
using dsp::UnreadableLine;

struct DatapointReport {
  int datapoint = 0;  // NN of *_datapointNN.log: the task's line in DSP's OpenAGI task list
  std::string dir;
  std::string task_id;
  bool imported = false;  // false: see warnings
  std::size_t steps = 0;
  std::size_t rounds = 0;
  std::vector<std::string> files;  // the logs read, file names only
  LineCounts lines;
  // Speculative work the trace does not keep (it holds the committed path only).
  std::size_t discarded_target_attempts = 0;  // cancelled, or conditioned on a wrong guess
  std::size_t off_path_approx_calls = 0;      // guesses after a mismatch, and calls cut short
  std::vector<std::string> warnings;          // "file:line: what"
};

struct ImportResult {
  Trace trace;  // the imported tasks, by folder then datapoint number
  std::vector<DatapointReport> datapoints;
  std::vector<UnreadableLine> unreadable;
  LineCounts lines;
  std::vector<std::string> ignored_files;  // in the folder but not read

  std::size_t imported() const;
  std::size_t warnings() const;
};

// One folder, not recursive. Task ids are "openagi-NN". Datapoints need an approximation and a
// target log; the simulation log is optional (without it: no measured times, and verdicts come
// from the target log's comparisons). Throws sim::InputError if the folder or a log in it cannot
// be read; problems inside the logs only produce warnings and unreadable-line reports.
ImportResult import_dsp_logs(const std::string& dir);

// Every folder under `root` (itself included) holding datapoint logs, in path order. Task ids
// are prefixed with the folder relative to root ("4_8/test/logs/react/dyn_k/openagi-11") so they
// stay unique.
ImportResult import_dsp_log_tree(const std::string& root);

// A human-readable report: per datapoint steps, rounds and warnings, then unreadable lines.
std::string format_import_report(const ImportResult& result);

}  // namespace specsim::models::trace
