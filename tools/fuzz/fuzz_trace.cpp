// Fuzz target: the trace reader (validate_trace_text, parse_trace) on arbitrary bytes, and what
// is built on a trace that parses: statistics, the writer's round trip, match rules, text features.
//
// Properties, each a crash when violated:
// - no exception other than sim::InputError escapes the reader, and validate never throws;
// - parse_trace succeeds exactly when validate_trace_text reports nothing, and otherwise throws
//   validate's first error;
// - a parsed trace writes and reads back to an equal trace, and writes the same bytes again;
// - statistics, match rules and text features of a parsed trace do not throw.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "models/trace/match_rule.hpp"
#include "models/trace/text_features.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_stats.hpp"
#include "models/trace/trace_writer.hpp"

namespace tr = specsim::models::trace;

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_trace: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void exercise(const tr::Trace& trace) {
  const tr::TraceStats stats = tr::compute_trace_stats(trace);
  (void)tr::trace_stats_to_json(stats).dump();
  (void)tr::format_trace_stats(stats);

  const std::string text = tr::trace_to_jsonl(trace);
  tr::Trace back;
  try {
    back = tr::parse_trace(text, "roundtrip.jsonl");
  } catch (const specsim::sim::InputError& e) {
    fail("the writer's output does not read back", std::string(e.what()) + "\n" + text);
  }
  if (!(back == trace)) fail("the trace read back differs from the trace written", text);
  if (tr::trace_to_jsonl(back) != text) fail("writing the trace read back gives other bytes", text);

  const tr::ExactMatch exact;
  const tr::NormalizedMatch normalized;
  const tr::FunctionArgsMatch function_args;
  tr::TextFeatureConfig features;
  features.dim = 16;
  features.ngrams = 2;
  for (const tr::Task& task : trace.tasks) {
    for (const tr::Step& step : task.steps) {
      for (const tr::MatchRule* rule : {static_cast<const tr::MatchRule*>(&exact),
                                        static_cast<const tr::MatchRule*>(&normalized),
                                        static_cast<const tr::MatchRule*>(&function_args)}) {
        const bool verdict = tr::step_matches(step, *rule);
        if (step.match && verdict != *step.match) fail("step_matches ignores the recorded verdict", task.task_id);
        if (!step.match && step.approx && step.approx->action.empty() && verdict) fail("an empty guess matched", task.task_id);
      }
    }
    (void)tr::task_text_features(task, features);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto errors = tr::validate_trace_text(text, "fuzz.jsonl");
  try {
    const tr::Trace trace = tr::parse_trace(text, "fuzz.jsonl");
    if (!errors.empty()) fail("parse_trace accepted a trace validate_trace_text rejects", errors.front().what());
    exercise(trace);
  } catch (const specsim::sim::InputError& e) {
    if (errors.empty()) fail("parse_trace rejected a trace validate_trace_text accepts", e.what());
    if (std::string_view(e.what()) != errors.front().what())
      fail("parse_trace's error is not validate's first", std::string(e.what()) + "\n" + errors.front().what());
  }
  return 0;
}
