// Trace statistics: exact values on a small hand-made trace, and DSP's own accuracy figure on an
// imported datapoint.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "models/trace/dsp_log_importer.hpp"
#include "models/trace/trace_stats.hpp"

using namespace specsim::models::trace;
using specsim::sim::Time;
namespace fs = std::filesystem;

namespace {

Time s(double seconds) { return Time::from_seconds(seconds); }

Step step(const std::string& target, std::vector<Call> tcalls, std::optional<AgentStep> approx, std::optional<bool> match) {
  Step st;
  st.target = {target, std::move(tcalls)};
  st.approx = std::move(approx);
  st.match = match;
  return st;
}

Trace small_trace() {
  Task a;
  a.task_id = "a";
  a.steps = {step("X", {{s(1), 10, 20, 1}, {s(3), 30, 40, 1}}, AgentStep{"X", {{s(0.5), 5, 1, 2}}}, std::nullopt),  // match by equality
             step("Y", {{s(2), 1, 2, 1}}, AgentStep{"Z", {{s(1.5), 6, 2, 1}}}, std::nullopt),                      // mismatch
             step("TERMINATE", {{s(6), 0, 0, 1}}, std::nullopt, std::nullopt)};                                    // no verdict
  a.rounds = {{0, 2, std::nullopt, std::nullopt}, {2, 3, std::nullopt, std::nullopt}};
  a.measured = Measured{s(10), s(12)};
  Task b;
  b.task_id = "b";
  b.steps = {step("Y", {{s(8), 100, 200, 1}}, AgentStep{"Q", {{s(2.5), 7, 3, 1}}}, true)};  // recorded verdict wins
  Trace t;
  t.tasks = {a, b};
  return t;
}

}  // namespace

namespace Catch {
template <>
struct StringMaker<Summary> {
  static std::string convert(const Summary& s) {
    std::ostringstream o;
    o.precision(17);
    o << "{count " << s.count << ", mean " << s.mean << ", p50 " << s.p50 << ", p95 " << s.p95 << ", min " << s.min
      << ", max " << s.max << "}";
    return o.str();
  }
};
}  // namespace Catch

// p95 interpolates with the fraction 0.85 or 0.95, which doubles cannot hold exactly: it gets a
// relative tolerance of 1e-12, everything else must be exact.
#define CHECK_SUMMARY(actual, count_, mean_, p50_, p95_, min_, max_) \
  do {                                                               \
    const Summary s_ = (actual);                                     \
    INFO(#actual << " = " << Catch::StringMaker<Summary>::convert(s_)); \
    CHECK(s_.count == (count_));                                     \
    CHECK(s_.mean == (mean_));                                       \
    CHECK(s_.p50 == (p50_));                                         \
    CHECK(s_.p95 == Approx(p95_).epsilon(1e-12));                    \
    CHECK(s_.min == (min_));                                         \
    CHECK(s_.max == (max_));                                         \
  } while (false)

TEST_CASE("summaries use linear-interpolation quantiles", "[trace][stats]") {
  CHECK(summarize({}) == Summary{});
  CHECK_SUMMARY(summarize({4, 1, 3, 2}), 4u, 2.5, 2.5, 3.85, 1, 4);
  CHECK_SUMMARY(summarize({7}), 1u, 7, 7, 7, 7, 7);
  const Summary twenty_one = summarize({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20});
  CHECK(twenty_one.p50 == 10);
  CHECK(twenty_one.p95 == 19);
}

TEST_CASE("statistics of a small trace", "[trace][stats]") {
  const TraceStats st = compute_trace_stats(small_trace());
  CHECK(st.tasks == 2);
  CHECK(st.steps == 4);
  CHECK(st.terminated_tasks == 1);
  CHECK_SUMMARY(st.steps_per_task, 2, 2, 2, 2.9, 1, 3);
  CHECK(st.steps_with_verdict == 3);
  CHECK(st.matches == 2);
  REQUIRE(st.match_rate.has_value());
  CHECK(*st.match_rate == 2.0 / 3.0);

  CHECK(st.target.steps == 4);
  CHECK(st.target.calls == 5);
  CHECK(st.target.retried_calls == 0);
  CHECK_SUMMARY(st.target.step_latency_s, 4, 5, 5, 7.7, 2, 8);  // 4, 2, 6, 8
  CHECK_SUMMARY(st.target.call_latency_s, 5, 4, 3, 7.6, 1, 8);  // 1, 3, 2, 6, 8
  CHECK(st.target.input_tokens == 141);
  CHECK(st.target.output_tokens == 262);
  CHECK_SUMMARY(st.target.step_input_tokens, 4, 35.25, 20.5, 91, 0, 100);  // 40, 1, 0, 100

  CHECK(st.approx.steps == 3);
  CHECK(st.approx.calls == 3);
  CHECK(st.approx.retried_calls == 1);
  CHECK_SUMMARY(st.approx.step_latency_s, 3, 1.5, 1.5, 2.4, 0.5, 2.5);
  CHECK(st.approx.input_tokens == 18);
  CHECK(st.approx.output_tokens == 6);

  CHECK(st.tasks_with_rounds == 1);
  CHECK(st.rounds == 2);
  CHECK_SUMMARY(st.round_k, 2, 2.5, 2.5, 2.95, 2, 3);
  CHECK_SUMMARY(st.round_steps, 2, 1.5, 1.5, 1.95, 1, 2);
  CHECK(st.tasks_measured == 1);
  CHECK_SUMMARY(st.measured_speedup, 1, 1.2, 1.2, 1.2, 1.2, 1.2);

  const auto j = trace_stats_to_json(st);
  CHECK(j["match_rate"] == 2.0 / 3.0);
  CHECK(j["target"]["step_latency_s"]["p95"].get<double>() == Approx(7.7).epsilon(1e-12));
  CHECK(j["target"]["step_latency_s"]["mean"] == 5);
  CHECK(j.begin().key() == "tasks");
  const std::string text = format_trace_stats(st);
  CHECK(text.find("2 tasks (1 end in TERMINATE), 4 steps, 2 rounds recorded") == 0);
  CHECK(text.find("match rate 0.6667 (2 of 3 steps with a verdict)") != std::string::npos);
}

TEST_CASE("an empty trace has no match rate", "[trace][stats]") {
  const TraceStats st = compute_trace_stats(Trace{});
  CHECK(st.tasks == 0);
  CHECK_FALSE(st.match_rate.has_value());
  CHECK(trace_stats_to_json(st)["match_rate"].is_null());
  CHECK(format_trace_stats(st).find("match rate: no step has a verdict") != std::string::npos);
}

TEST_CASE("the match rate of an imported run is DSP's own accuracy", "[trace][stats][dsp]") {
  const fs::path logs = fs::path(SPECSIM_SOURCE_DIR) / ".." / "shared" / "data" / "dsp-logs" / "4_8/test/logs/react/dyn_k";
  if (!fs::is_directory(logs)) {
    WARN("DSP logs not found at " << logs.string() << ": skipping");
    return;
  }
  ImportResult r = import_dsp_logs(logs.string());
  Trace one;
  for (const Task& t : r.trace.tasks)
    if (t.task_id == "openagi-11") one.tasks.push_back(t);
  const TraceStats st = compute_trace_stats(one);
  CHECK(*st.match_rate == 0.25);              // simulation_datapoint11.log:35
  CHECK(st.target.input_tokens == 13524);     // line 30, "total target token prompt"
  CHECK(st.target.output_tokens == 2912);     // line 31
  CHECK(st.approx.output_tokens == 109);      // line 29, "total approximation token generation"
  CHECK(st.target.step_latency_s.mean * 12 == Approx(156.96).epsilon(1e-12));  // line 32
}
