#pragma once
// Writing traces as JSON Lines (format: docs/traces.md). Output is deterministic: fixed key order,
// latencies as the exact decimal of their nanoseconds, other numbers in shortest round-trip form,
// so read_trace(write_trace(t)) == t and equal traces give byte-identical files.
#include <string>

#include "models/trace/trace.hpp"
#include "models/trace/trace_reader.hpp"
#include "sim/files.hpp"
#include "sim/time.hpp"

namespace specsim::models::trace {

// One task as one JSON line, without the newline. Throws sim::InputError (field path set, no file)
// when a string is not valid UTF-8.
std::string task_to_json_line(const Task& task);

// All tasks, one per line, each line ending in '\n'.
std::string trace_to_jsonl(const Trace& trace);

// Writes a trace one task at a time (a file of any size in bounded memory). Every line is checked
// with the reader's rules before it is written, so an invalid trace is never written; nothing is in
// place until commit() (an error or a destroyed writer leaves `path` untouched and no temporary).
// Throws sim::InputError naming `path` and the line.
class TraceFileWriter {
 public:
  explicit TraceFileWriter(const std::string& path);
  void write(const Task& task);
  void commit();

 private:
  std::string path_;
  sim::AtomicWriter file_;
  TraceLineReader check_;
  int line_ = 0;
};

// A whole trace through a TraceFileWriter.
void write_trace(const Trace& trace, const std::string& path);

// Seconds as the shortest exact decimal of a nanosecond count: 8.81, 0.000000001, 12.
std::string format_seconds(sim::Time t);

}  // namespace specsim::models::trace
