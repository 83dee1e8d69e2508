#pragma once
// Hand-written trace lines for the reader's tests: a one-call step, a task of given steps, and
// the first problem a text has.
#include <string>

#include "models/trace/trace_reader.hpp"

namespace specsim::testing {

inline const std::string kTraceCall = R"("calls":[{"latency_s":1,"input_tokens":1,"output_tokens":1}])";
inline const std::string kTraceTarget = R"("target":{"action":"A",)" + kTraceCall + "}";
inline const std::string kTraceGuess = R"("approx":{"action":"A",)" + kTraceCall + "}";

// One task (id "a") with the given steps (JSON objects, comma-separated), as a line.
inline std::string trace_task_with(const std::string& steps) {
  return R"({"task_id":"a","task":"x","steps":[)" + steps + "]}\n";
}

inline std::string first_trace_problem(const std::string& text) {
  auto errors = models::trace::validate_trace_text(text, "t.jsonl");
  return errors.empty() ? std::string("(no error)") : std::string(errors.front().what());
}

}  // namespace specsim::testing
