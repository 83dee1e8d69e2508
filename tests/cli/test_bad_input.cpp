#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

#include "support/run_specsim.hpp"
#include "support/small_scenario.hpp"
#include "support/temp_dir.hpp"

using specsim::testing::Outcome;
using specsim::testing::run_specsim;

namespace {

const std::string kValid = specsim::testing::small_scenario("bad-input") + "policies:\n  - sequential\n  - {kind: fixed_k, k: 2}\n";

std::string with(const std::string& from, const std::string& to) {
  std::string s = kValid;
  const auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  s.replace(at, from.size(), to);
  return s;
}

// This process's scratch folder, removed at exit.
const specsim::testing::TempDir& scratch() {
  static const specsim::testing::TempDir dir;
  return dir;
}

// Writes the scenario, runs it with result outputs requested, and checks the exit code, the
// message and that no result file (nor a temporary one) was left behind.
void expect_bad(const std::string& text, const std::string& message) {
  const std::string dir = (scratch() / "bad-input").string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/bad.yaml";
  std::ofstream(path) << text;
  const Outcome o = run_specsim("run " + path + " -o " + dir + "/out.h5 --json " + dir + "/out.json");
  INFO(o.output);
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.output, Catch::Contains(message));
  CHECK(std::count(o.output.begin(), o.output.end(), '\n') == 1);  // one line
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files += entry.path().filename() != "bad.yaml";
  CHECK(files == 0);
}

}  // namespace

TEST_CASE("the valid base scenario runs", "[bad_input]") {
  const std::string dir = (scratch() / "bad-input-ok").string();
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/ok.yaml") << kValid;
  const Outcome o = run_specsim("run " + dir + "/ok.yaml -q -o " + dir + "/out.h5");
  CHECK(o.exit_code == 0);
  CHECK(std::filesystem::exists(dir + "/out.h5"));
}

TEST_CASE("bad scenarios exit 2 with file, line, column and field", "[bad_input]") {
  SECTION("unknown key") { expect_bad(with("episodes: 5", "episodes: 5\ntua: 0.7"), "bad.yaml:3:1: tua: unknown key"); }
  SECTION("missing key") { expect_bad(with("name: bad-input\n", ""), "bad.yaml:1:1: name: missing required key"); }
  SECTION("wrong type") { expect_bad(with("episodes: 5", "episodes: many"), "bad.yaml:2:11: episodes: expected an integer, got 'many'"); }
  SECTION("negative latency") {
    expect_bad(with("output_tokens: 20}", "output_tokens: 20, latency: {kind: fixed, seconds: -1}}"),
               "bad.yaml:5:119: agents.target.latency.seconds: must be >= 0");
  }
  SECTION("negative price") {
    expect_bad(with("episodes: 5", "episodes: 5\nmodels:\n  cheap: {price: {input: -1, output: 1}}"),
               "bad.yaml:4:26: models.cheap.price.input: must be in [0, 10000], got -1");
  }
  SECTION("p outside [0, 1]") { expect_bad(with("p: 0.5", "p: 1.5"), "bad.yaml:9:25: workload.match.p: must be a probability in [0, 1]"); }
  SECTION("k < 1") { expect_bad(with("k: 2", "k: 0"), "bad.yaml:12:24: policies[1].k: must be in [1, 1000]"); }
  SECTION("empty policy list") {
    expect_bad(with("  - sequential\n  - {kind: fixed_k, k: 2}\n", "  []\n").replace(kValid.find("policies:") + 9, 1, " "),
               "policies: needs at least one policy");
  }
  SECTION("unknown model") { expect_bad(with("gpt-4o-mini", "gpt-5-ultra"), "bad.yaml:4:19: agents.approx.model: unknown model 'gpt-5-ultra'"); }
  SECTION("unknown policy") { expect_bad(with("- sequential", "- seqential"), "bad.yaml:11:5: policies[0].kind: unknown policy 'seqential'"); }
  SECTION("unknown billing rule") { expect_bad(with("episodes: 5", "episodes: 5\nbilling: half"), "bad.yaml:3:10: billing: unknown billing rule 'half'"); }
  SECTION("invalid YAML") { expect_bad(with("kind: synthetic", "kind: [synthetic"), "bad.yaml:8:8: invalid YAML"); }
  SECTION("not a mapping") { expect_bad("- just\n- a list\n", "a scenario must be a mapping"); }
  SECTION("an integer that does not fit") { expect_bad(with("k: 2", "k: 4294967298"), "bad.yaml:12:24: policies[1].k: must be in [1, 1000]"); }
  SECTION("a duration beyond simulated time") {
    expect_bad(with("output_tokens: 20}", "output_tokens: 20, latency: {kind: fixed, seconds: 1e300}}"),
               "agents.target.latency.seconds: must be at most 1e6 seconds");
  }
  SECTION("steps below 1") { expect_bad(with("n: 5", "n: 0"), "bad.yaml:8:27: workload.steps.n: must be in [1, 10000000]"); }
}

TEST_CASE("a missing scenario file exits 2 and names the file", "[bad_input]") {
  const Outcome o = run_specsim("run no/such/scenario.yaml");
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.output, Catch::Contains("no/such/scenario.yaml: cannot open file"));
}

TEST_CASE("bad command-line flags exit 2", "[bad_input]") {
  CHECK(run_specsim("run").exit_code == 2);
  CHECK(run_specsim("run x.yaml --threads -3").exit_code == 2);
  CHECK(run_specsim("run x.yaml --episodes 0").exit_code == 2);
  CHECK(run_specsim("frobnicate").exit_code == 2);
  CHECK(run_specsim("--help").exit_code == 0);
  CHECK_THAT(run_specsim("--version").output, Catch::Contains("specsim"));
}
