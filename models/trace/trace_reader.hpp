#pragma once
// Reading and validating JSON Lines traces (format: docs/traces.md). Every problem is reported as
// a sim::InputError naming the file, the 1-based JSONL line and the field path, e.g.
// "t.jsonl:4: steps[3].target.calls[0].latency_s: must be >= 0, got -1".
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/trace/trace.hpp"
#include "sim/input_error.hpp"

namespace specsim::models::trace {

// Reads a trace one line at a time, so that a file of any size is read or checked in memory that
// does not grow with it (beyond the task ids seen so far, kept to find duplicates).
class TraceLineReader {
 public:
  static constexpr std::size_t kMaxKeptErrors = 1000;

  // collect: gather the problems (validation) instead of throwing the first one (reading).
  TraceLineReader(std::string name, bool collect);
  ~TraceLineReader();
  TraceLineReader(const TraceLineReader&) = delete;
  TraceLineReader& operator=(const TraceLineReader&) = delete;

  // The file's next line, without its '\n': the task it holds, if the line holds a valid one.
  std::optional<Task> next_line(std::string_view line);
  // After the last line: a file without any task is a problem too.
  void finish();
  // The first kMaxKeptErrors problems in line order, and how many there were in all.
  const std::vector<sim::InputError>& errors() const;
  std::size_t error_count() const;

 private:
  class Parser;
  std::unique_ptr<Parser> parser_;
};

// A whole file checked line by line: its problems (the first TraceLineReader::kMaxKeptErrors of
// them), and what the valid lines hold.
struct TraceCheck {
  std::vector<sim::InputError> errors;
  std::size_t error_count = 0, tasks = 0, steps = 0;
};
TraceCheck check_trace_file(const std::string& path);

// Throws sim::InputError on the first problem (including an unreadable file).
Trace read_trace(const std::string& path);

// The problems of check_trace_file; empty when the trace is valid. Never throws for bad input: an
// unreadable file is reported as one error.
std::vector<sim::InputError> validate_trace(const std::string& path);

// The same two on text already in memory; `name` is the file name used in messages. These are the
// entry points for fuzzing: any bytes are accepted and either parse or are reported.
Trace parse_trace(std::string_view text, const std::string& name);
std::vector<sim::InputError> validate_trace_text(std::string_view text, const std::string& name);


}  // namespace specsim::models::trace
