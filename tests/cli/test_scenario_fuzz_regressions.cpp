// Inputs that made the scenario loader throw something other than sim::InputError, recurse
// without end or allocate without bound (found with tools/fuzz/fuzz_scenario and by review of its
// findings). Each must now be a one-line InputError naming file, line, column and field.
#include <catch2/catch.hpp>

#include "support/input_error.hpp"

#include <string>

#include "sim/input_error.hpp"
#include "tools/runner/scenario.hpp"
#include "support/small_scenario.hpp"

using specsim::runner::parse_scenario;
using specsim::sim::InputError;

namespace {

const std::string kHead = specsim::testing::small_scenario("fuzz") + "policies:\n";

// The error parse_scenario reports for the scenario with these policies (line 11 onwards).
std::string error_of(const std::string& text) {
  return specsim::testing::input_error_of([&] { parse_scenario(text, "fuzz.yaml"); });
}

}  // namespace

TEST_CASE("durations too large for sim::Time are input errors", "[fuzz][scenario]") {
  // Was: std::out_of_range("time out of range") from sim::Time::from_seconds, exit code 1.
  CHECK(error_of(kHead + "  - {kind: dsp, prediction_latency_s: 1e300}\n") ==
        "fuzz.yaml:11:39: policies[0].prediction_latency_s: must be at most 1e6 seconds, got 1e300");
  CHECK(error_of(kHead + "  - {kind: dsp, training_time: {fixed_s: 1e300}}\n") ==
        "fuzz.yaml:11:42: policies[0].training_time.fixed_s: must be at most 1e6 seconds, got 1e300");
  CHECK(error_of(kHead + "  - {kind: dsp, training_time: {per_sample_s: 9.3e9}}\n") ==
        "fuzz.yaml:11:47: policies[0].training_time.per_sample_s: must be at most 1e6 seconds, got 9.3e9");
  CHECK(error_of(kHead + "  - {kind: dsp, prediction_latency_s: -1}\n") ==
        "fuzz.yaml:11:39: policies[0].prediction_latency_s: must be >= 0");
  CHECK(error_of(kHead + "  - {kind: dsp, prediction_latency_s: 1e6, training_time: {fixed_s: 0, per_sample_s: 1e6}}\n") ==
        "(no error)");
}

TEST_CASE("a policy key named __grid is an unknown key", "[fuzz][scenario]") {
  // Was: YAML::BadPushback ("appending to a non-sequence") escaping from the grid expansion,
  // which kept its settings in a reserved `__grid` key of the policy's map.
  CHECK(error_of(kHead + "  - {kind: fixed_k, k: [1, 2], __grid: 3}\n") ==
        "fuzz.yaml:11:32: policies[0].__grid: unknown key (expected one of: kind, label, k)");
  CHECK(error_of(kHead + "  - {kind: fixed_k, k: 2, __grid: [a]}\n") ==
        "fuzz.yaml:11:27: policies[0].__grid: unknown key (expected one of: kind, label, k)");
}

TEST_CASE("errors inside a grid variant name the entry's own line and column", "[fuzz][scenario]") {
  // Was: 1:1, since YAML::Clone drops positions.
  CHECK(error_of(kHead + "  - kind: fixed_k\n    k: [1, 2, x]\n") == "fuzz.yaml:12:15: policies[0].k: expected an integer, got 'x'");
  CHECK(error_of(kHead + "  - {kind: dsp, tau: [0.5, 0.7], offset: 1, colour: red}\n") ==
        "fuzz.yaml:11:45: policies[0].colour: unknown key (expected one of: kind, label, loss, tau, offset, k_min, k_max, "
        "predictor, training, prediction_latency_s, training_time, train_every, overlap, learner)");
  const auto grid = parse_scenario(kHead + "  - {kind: dsp, tau: [0.3, 0.7], offset: [0, 1], predictor: {hidden: [4, 4]}}\n", "g.yaml");
  REQUIRE(grid.policies.size() == 4);
  CHECK(grid.policies[0].label == "dsp(tau=0.3,offset=0)");
  CHECK(grid.policies[3].label == "dsp(tau=0.7,offset=1)");
}

TEST_CASE("a grid of millions of policies is refused before it is built", "[fuzz][scenario]") {
  // Was: 10^6 variants, each a copy of the YAML map: gigabytes and minutes at parse time.
  const std::string ten = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]";
  CHECK(error_of(kHead + "  - {kind: fixed_k, k: " + ten + ", label: " + ten + ", a: " + ten + ", b: " + ten + ", c: " + ten +
                 ", d: " + ten + "}\n") ==
        "fuzz.yaml:11:5: policies[0]: the lists of this entry expand into more than 10000 policies");
}

TEST_CASE("self-referential and exponential YAML aliases are refused", "[fuzz][scenario]") {
  // Was: unbounded recursion (stack overflow) in YAML::Clone on a policy whose alias names the
  // policy itself; yaml-cpp builds `&a [*a]` as a cycle.
  CHECK(error_of(kHead + "  - &a {kind: fixed_k, k: [1, *a]}\n") ==
        "fuzz.yaml:11:5: invalid YAML: aliases refer to an enclosing node, or expand the document to more than 100000 nodes");
  CHECK(error_of("&a [*a]\n") ==
        "fuzz.yaml:1:1: invalid YAML: aliases refer to an enclosing node, or expand the document to more than 100000 nodes");
  // "Billion laughs": six levels of ten aliases each are a million nodes to walk.
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'f'; ++c) {
    const char prev = static_cast<char>(c - 1);
    laughs += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) laughs += std::string(i ? ", *" : "*") + prev;
    laughs += "]\n";
  }
  CHECK_THAT(error_of(laughs), Catch::Contains("invalid YAML: aliases refer to an enclosing node, or expand the document to more than 100000 nodes"));
  // Ordinary aliases still work.
  CHECK(error_of(kHead + "  - &base {kind: fixed_k, k: 2}\n  - {kind: fixed_k, k: 3}\n") == "(no error)");
}
