#pragma once
// Reading and validating JSON Lines traces (format: docs/traces.md). Every problem is reported as
// a sim::InputError naming the file, the 1-based JSONL line and the field path, e.g.
// "t.jsonl:4: steps[3].target.calls[0].latency_s: must be >= 0, got -1".
#include <string>
#include <string_view>
#include <vector>

#include "models/trace/trace.hpp"
#include "sim/input_error.hpp"

namespace specsim::models::trace {

// Throws sim::InputError on the first problem (including an unreadable file).
Trace read_trace(const std::string& path);

// Every problem in the file, in line order; empty when the trace is valid. Never throws for bad
// input: an unreadable file is reported as one error.
std::vector<sim::InputError> validate_trace(const std::string& path);

// The same two on text already in memory; `name` is the file name used in messages. These are the
// entry points for fuzzing: any bytes are accepted and either parse or are reported.
Trace parse_trace(std::string_view text, const std::string& name);
std::vector<sim::InputError> validate_trace_text(std::string_view text, const std::string& name);


}  // namespace specsim::models::trace
