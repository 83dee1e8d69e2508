#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "models/latency.hpp"
#include "models/pricing.hpp"
#include "models/workload.hpp"
#include "sim/random.hpp"
#include "sim/config_node.hpp"
#include "support/input_error.hpp"

using namespace specsim;
using sim::ConfigNode;

TEST_CASE("the model decoders share the registry's message", "[registry]") {
  const auto latency = [](const std::string& yaml) {
    return models::decode_latency(ConfigNode::load_string(yaml, "l.yaml").at("latency"), models::LatencyModel{});
  };
  CHECK(testing::input_error_of([&] { latency("latency: {kind: warp}"); }) ==
        "l.yaml:1:17: latency.kind: unknown latency kind 'warp' (expected one of: exponential, fixed, served, tokens)");
  CHECK(latency("latency: {seconds: 2, kind: fixed}").kind == models::LatencyModel::Kind::fixed);
  CHECK(latency("latency: {ttft_s: 0.5}").kind == models::LatencyModel::Kind::tokens);  // the default kind
  CHECK(latency("latency: {kind: exponential, mean_s: 2}").fixed_s == 2.0);
  CHECK(testing::input_error_of([&] { latency("latency: {kind: exponential, mean_s: 0}"); }) ==
        "l.yaml:1:38: latency.mean_s: must be > 0");
  CHECK(testing::input_error_of([] { models::decode_billing(ConfigNode::load_string("billing: half", "b.yaml").at("billing")); }) ==
        "b.yaml:1:10: billing: unknown billing rule 'half' (expected one of: full, input_only, none, prorated)");
}

// An agent with exponential call times draws a fresh time for every call of the committed path;
// only an agent that draws nothing may have its first step repeated (models/workload.cpp).
TEST_CASE("exponential call times are drawn per call, not repeated along the path", "[latency]") {
  models::Agents agents;
  for (auto& a : agents) {
    a.model = "test";
    a.input_base = 100;
    a.output = {models::TokenDistribution{20, 0}};
    a.latency = models::decode_latency(ConfigNode::load_string("latency: {kind: exponential, mean_s: 2}", "l.yaml").at("latency"),
                                       models::LatencyModel{});
  }
  CHECK_FALSE(agents[0].constant());
  models::EpisodeScript script;
  script.clear();
  script.steps = 6;
  models::draw_path_calls(agents, models::WorldStreams(7, 0), script);
  REQUIRE(script.target.size() == 6);
  std::set<std::int64_t> times;
  for (const auto& c : script.target) times.insert(c.latency.ns());
  CHECK(times.size() == 6);
}
