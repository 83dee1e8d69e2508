#pragma once
// Whole runs compared by their summary rows: a run on two threads, a row by its label, and two
// policies that must have made exactly the same calls.
#include <catch2/catch.hpp>

#include <string>

#include "tools/runner/experiment.hpp"
#include "tools/runner/scenario.hpp"

namespace specsim::testing {

inline runner::RunOutcome run_on_two_threads(const runner::Scenario& s) {
  runner::RunOptions options;
  options.threads = 2;
  return runner::run_summary(s, options);
}

inline const analysis::SummaryRow& row(const runner::RunOutcome& out, const std::string& label) {
  for (const auto& r : out.rows)
    if (r.label == label) return r;
  FAIL("no row " << label);
  throw;
}

// Exactly equal: the same calls give the same sums in the same order.
inline void check_same(const analysis::SummaryRow& a, const analysis::SummaryRow& b) {
  INFO(a.label << " against " << b.label);
  CHECK(a.latency_mean_s == b.latency_mean_s);
  CHECK(a.cost_usd == b.cost_usd);
  CHECK(a.unnecessary_cost_usd == b.unnecessary_cost_usd);
  CHECK(a.calls_approx == b.calls_approx);
  CHECK(a.calls_target == b.calls_target);
  CHECK(a.calls_cancelled == b.calls_cancelled);
}

}  // namespace specsim::testing
