#include <catch2/catch.hpp>

#include <numeric>

#include "models/trace/latency_fit.hpp"

using namespace specsim;
using namespace specsim::models::trace;

namespace {

Call call(double seconds, std::int64_t in, std::int64_t out, std::int64_t attempts = 1) {
  return Call{sim::Time::from_seconds(seconds), in, out, attempts};
}

// One task whose thoughts take 0.5 + 0.001 in + 0.03 out, actions 1 + 0.03 out, guesses 0.8 +
// 0.002 in, exactly; one retried guess that must be left out.
Trace exact_trace() {
  Task t;
  t.task_id = "s/a";
  for (int s = 0; s < 6; ++s) {
    Step step;
    const int in = 300 + 40 * s, out = 50 + 20 * (s % 3);
    step.target.action = "x";
    step.target.calls = {call(0.5 + 0.001 * in + 0.03 * out, in, out), call(1.0 + 0.03 * (5 + s), in + out, 5 + s)};
    AgentStep a;
    a.action = "x";
    a.calls = {s == 2 ? call(60, in, 10, 4) : call(0.8 + 0.002 * in, in, 10)};
    step.approx = a;
    t.steps.push_back(step);
  }
  t.rounds = {Round{0, 6, std::nullopt, sim::Time::from_seconds(0.25)}};
  Trace tr;
  tr.tasks = {t};
  return tr;
}

}  // namespace

TEST_CASE("latency models per call kind recover exact lines, without retried calls", "[trace][latency_fit]") {
  const LatencyFit fit = fit_latency(exact_trace());
  const KindLatency& thought = fit.of(CallKind::thought);
  CHECK(thought.ttft_s == Approx(0.5).margin(1e-9));
  CHECK(thought.prefill_s == Approx(0.001).margin(1e-9));
  CHECK(thought.decode_s == Approx(0.03).margin(1e-9));
  CHECK(fit.of(CallKind::action).ttft_s == Approx(1.0).margin(1e-6));
  CHECK(fit.of(CallKind::action).decode_s == Approx(0.03).margin(1e-6));
  CHECK(fit.of(CallKind::guess).samples == 5);  // the retried guess is left out
  CHECK(fit.of(CallKind::guess).ttft_s == Approx(0.8).margin(1e-9));
  for (const auto& k : fit.kinds)
    for (double r : k.residuals) CHECK(r == Approx(1.0).margin(1e-9));
  REQUIRE(fit.predictor_s.size() == 1);
  CHECK(fit.predictor_s[0] == 0.25);

  // A draw keeps the recorded tokens and attempts; the session factor scales the latency.
  LatencyFit slow = fit;
  slow.session = 2;
  sim::RandomStream rng(1, "test", 0);
  const models::ScriptedCall c = slow.draw(CallKind::thought, call(99, 400, 60, 3), rng);
  CHECK(c.latency.seconds() == Approx(2 * (0.5 + 0.4 + 1.8)).epsilon(1e-9));
  CHECK(c.first_token.seconds() == Approx(2 * (0.5 + 0.4)).epsilon(1e-9));
  CHECK(c.tokens.input == 400);
  CHECK(c.tokens.output == 60);
  CHECK(c.attempts == 3);
}

TEST_CASE("terms that would be negative are dropped, and the session factor measures speed", "[trace][latency_fit]") {
  Trace tr = exact_trace();
  // The same session twice as slow: measured over fitted is 2.
  const LatencyFit fit = fit_latency(tr);
  Trace slow = tr;
  for (auto& step : slow.tasks[0].steps) {
    for (auto& c : step.target.calls) c.latency = sim::Time::from_seconds(2 * c.latency.seconds());
    for (auto& c : step.approx->calls) c.latency = sim::Time::from_seconds(2 * c.latency.seconds());
  }
  const std::vector<std::size_t> all{0};
  CHECK(session_factor(fit, slow, all) == Approx(2.0).epsilon(1e-9));
  CHECK(session_factor(fit, slow, {}) == 1.0);

  // Latency falling with output tokens cannot be a decode rate: the fit keeps a constant.
  Task t;
  t.task_id = "t";
  for (int s = 0; s < 4; ++s) {
    Step step;
    step.target.action = "x";
    step.target.calls = {call(5.0 - s, 100, 10 * s)};
    t.steps.push_back(step);
  }
  Trace falling;
  falling.tasks = {t};
  const LatencyFit falling_fit = fit_latency(falling);
  const KindLatency& k = falling_fit.of(CallKind::thought);
  CHECK(k.decode_s == 0);
  CHECK(k.prefill_s >= 0);
  CHECK(k.line_s(100, 0) == Approx(3.5).epsilon(1e-9));
}
