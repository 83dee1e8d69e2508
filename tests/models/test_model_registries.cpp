#include <catch2/catch.hpp>

#include <string>

#include "models/latency.hpp"
#include "models/pricing.hpp"
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
