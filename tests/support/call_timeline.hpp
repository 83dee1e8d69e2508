#pragma once
// Hand-computed timelines: each call of an episode as expected, checked field by field. A test
// names the fields its timeline fixes with an expectation type of its own (a struct with
// `void check(const sim::CallRecord&) const`); check_calls walks the episode's calls once for all.
#include <catch2/catch.hpp>

#include <vector>

#include "sim/planner.hpp"

namespace specsim::testing {

// The fields every timeline fixes: who, which step at which position, when, how it ended.
inline void check_call_core(const sim::CallRecord& c, sim::Agent agent, int step, int pos, double started,
                            double ended, sim::CallStatus status) {
  CHECK(c.agent == agent);
  CHECK(c.step == step);
  CHECK(c.pos == pos);
  CHECK(c.started.seconds() == started);
  CHECK(c.ended.seconds() == ended);
  CHECK(c.status == status);
}

// One call of a timeline, every field: the planner's main tests.
struct ExpectedCall {
  sim::Agent agent;
  int step, pos, round;
  double requested, started, ended;
  sim::CallStatus status;
  sim::CallRole role;
  bool on_path;

  void check(const sim::CallRecord& c) const {
    check_call_core(c, agent, step, pos, started, ended, status);
    CHECK(c.round == round);
    CHECK(c.requested.seconds() == requested);
    CHECK(c.role == role);
    CHECK(c.on_path == on_path);
  }
};

template <class Expected = ExpectedCall>
void check_calls(const sim::EpisodeRun& run, const std::vector<Expected>& expected) {
  REQUIRE(run.calls.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("call " << i);
    expected[i].check(run.calls[i]);
  }
}

}  // namespace specsim::testing
