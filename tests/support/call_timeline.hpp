#pragma once
// Hand-computed timelines: each call of an episode as expected, checked field by field.
#include <catch2/catch.hpp>

#include <vector>

#include "sim/planner.hpp"

namespace specsim::testing {

struct ExpectedCall {
  sim::Agent agent;
  int step, pos, round;
  double requested, started, ended;
  sim::CallStatus status;
  sim::CallRole role;
  bool on_path;
};

inline void check_calls(const sim::EpisodeRun& run, const std::vector<ExpectedCall>& expected) {
  REQUIRE(run.calls.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& c = run.calls[i];
    const auto& e = expected[i];
    INFO("call " << i);
    CHECK(c.agent == e.agent);
    CHECK(c.step == e.step);
    CHECK(c.pos == e.pos);
    CHECK(c.round == e.round);
    CHECK(c.requested.seconds() == e.requested);
    CHECK(c.started.seconds() == e.started);
    CHECK(c.ended.seconds() == e.ended);
    CHECK(c.status == e.status);
    CHECK(c.role == e.role);
    CHECK(c.on_path == e.on_path);
  }
}

}  // namespace specsim::testing
