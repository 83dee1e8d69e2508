// `specsim live calibrate` against `specsim serve` of the bundled self-hosted scenario (its target
// on a served endpoint): the calibrated rows recover the served profile, and a scenario that names
// the calibrated file runs. Both commands run as a user runs them; every file is in a TempDir.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "models/serving_profile.hpp"
#include "sim/config_node.hpp"
#include "support/run_specsim.hpp"
#include "support/serve_process.hpp"
#include "support/temp_dir.hpp"

namespace {

using specsim::testing::run_specsim;
namespace models = specsim::models;

const std::string kScenario = std::string(SPECSIM_SOURCE_DIR) + "/scenarios/fleet/self-hosted.yaml";
constexpr double kTolerance = 0.10;  // of each rate: the client's and server's overhead per call
// 1 world second is 1 s: a call takes 170-560 ms to its first token, and what the client and the
// server add to it (a fraction of a millisecond alone) stays within the tolerance. At 200 ms a
// world second the rates came 13% off at one in flight on a machine loaded ten times over, and at
// 500 ms 10.3% on a loaded CI machine (6 ms added to an 85 ms first token).
constexpr double kScale = 1.0;
// A wall-clock measurement on a shared machine: a burst of load can stretch one run's calls, so a
// second run decides; a wrong rate (units, concurrency, a median of the wrong field) fails both.
constexpr int kAttempts = 2;

models::ServingProfile served_profile() {
  return models::decode_profile(specsim::sim::ConfigNode::load_file(kScenario).at("agents").at("target").at("latency").at("profile"));
}

}  // namespace

TEST_CASE("live calibrate recovers a served endpoint's profile within 10%, and its file runs", "[live][calibrate]") {
  const specsim::testing::TempDir dir;
  const specsim::testing::ServeProcess server({kScenario, "--port", "0", "--time-scale", fmt::format("{}", kScale)}, dir / "serve.out");
  const models::ServingProfile served = served_profile();
  const std::string profile_file = (dir / "profile.yaml").string();
  double worst = 1;
  for (int attempt = 1; attempt <= kAttempts && worst >= kTolerance; ++attempt) {
    std::filesystem::remove(profile_file);  // the second attempt writes it anew
    const auto out = run_specsim(fmt::format("live calibrate --base-url {} --model llama-70b-own --concurrency 1,2,4,8,16 --requests 8 "
                                             "--time-scale {} -o {}",
                                             server.base_url(), kScale, profile_file));
    INFO("attempt " << attempt << ":\n" << out.output);
    REQUIRE(out.exit_code == 0);

    const std::string text = specsim::testing::read_file(profile_file);
    CHECK_THAT(text, Catch::Contains("# endpoint: " + server.base_url() + ", model: llama-70b-own"));
    CHECK_THAT(text, Catch::Contains("8 measured streamed requests per concurrency level"));
    const models::ServingProfile measured = models::decode_profile(specsim::sim::ConfigNode::load_string(text, "profile.yaml"));
    REQUIRE(measured.rows.size() == 5);
    worst = 0;
    for (const models::ProfileRow& row : measured.rows) {
      // At 2 the served profile interpolates (between 1 and 4); 1, 4, 8 and 16 are its rows.
      const models::ServingRates want = served.at(row.concurrency);
      const double off = std::max(std::fabs(row.prefill_tps / want.prefill_tps - 1), std::fabs(row.decode_tps / want.decode_tps - 1));
      std::cout << fmt::format("attempt {}, concurrency {}: measured prefill {:.5g} decode {:.5g}, served {:.5g} and {:.5g} ({:.2f}% off)\n",
                               attempt, row.concurrency, row.prefill_tps, row.decode_tps, want.prefill_tps, want.decode_tps, off * 100);
      worst = std::max(worst, off);
    }
  }
  CHECK(worst < kTolerance);

  // A scenario naming the calibrated file (relative to the scenario) runs, on the measured rates.
  std::ofstream(dir / "calibrated.yaml") << R"(name: calibrated
seed: 3
episodes: 20
max_steps: 12
agents:
  approx: {model: gpt-4o-mini, input_tokens: {base: 700, per_step: 45}, output_tokens: 14}
  target:
    model: gpt-4o
    style: react
    input_tokens: {base: 900, per_step: 60}
    output_tokens: [110, 14]
    latency: {kind: served, profile: profile.yaml}
workload: {kind: synthetic, steps: {kind: uniform, min: 4, max: 8}, match: {kind: iid, p: 0.6}}
policies: [sequential, {kind: fixed_k, k: 3}]
)";
  const auto run = run_specsim("run " + (dir / "calibrated.yaml").string() + " --json " + (dir / "s.json").string());
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.output, Catch::Contains("fixed_k"));
}

TEST_CASE("live calibrate: bad flags and an unreachable endpoint are errors, exit 2", "[live][calibrate]") {
  const specsim::testing::TempDir dir;
  const std::string o = " -o " + (dir / "p.yaml").string();
  struct Case {
    std::string args, says;
  };
  // Port 1 on the loopback: nothing listens there (connection refused at once).
  for (const Case& c : {Case{"--base-url http://127.0.0.1:1/v1 --model m" + o, "--base-url: http://127.0.0.1:1/v1 (model m) at concurrency 1"},
                        Case{"--base-url http://127.0.0.1:1/v1 --model m --concurrency 2,4" + o, "--concurrency: must start at 1"},
                        Case{"--base-url http://127.0.0.1:1/v1 --model m --concurrency 1,4,4" + o, "--concurrency: must increase (4 after 4)"},
                        Case{"--base-url http://127.0.0.1:1/v1 --model m --requests 0" + o, "--requests"},
                        Case{"--base-url http://127.0.0.1:1/v1 --model m --api-key-env SPECSIM_NO_SUCH_VARIABLE" + o, "SPECSIM_NO_SUCH_VARIABLE"},
                        Case{"--model m" + o, "--base-url"}}) {
    const auto out = run_specsim("live calibrate " + c.args);
    INFO(c.args << "\n" << out.output);
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Catch::Contains(c.says));
  }
  CHECK(!std::filesystem::exists(dir / "p.yaml"));
}

TEST_CASE("a profile file that is missing or bad is an error naming it", "[live][calibrate]") {
  const specsim::testing::TempDir dir;
  const auto scenario = [&](const std::string& profile) {
    std::ofstream(dir / "s.yaml") << "name: s\nepisodes: 2\nagents:\n  approx: {model: gpt-4o-mini}\n"
                                     "  target: {model: gpt-4o, latency: {kind: served, profile: " << profile << "}}\n"
                                     "workload: {kind: synthetic, steps: {kind: fixed, n: 2}, match: {kind: iid, p: 0.5}}\n"
                                     "policies: [sequential]\n";
    return run_specsim("run " + (dir / "s.yaml").string());
  };
  auto out = scenario("missing.yaml");
  CHECK(out.exit_code == 2);
  CHECK_THAT(out.output, Catch::Contains("no profile file") && Catch::Contains("missing.yaml"));
  std::ofstream(dir / "bad.yaml") << "- {concurrency: 2, prefill_tps: 100, decode_tps: 10}\n";
  out = scenario("bad.yaml");
  CHECK(out.exit_code == 2);
  CHECK_THAT(out.output, Catch::Contains("bad.yaml:1") && Catch::Contains("first row must be concurrency 1"));
}
