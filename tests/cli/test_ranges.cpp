// Every number a user gives has a range checked where it is read: no value wraps, overflows or
// turns into NaN further down (shared/DESIGN.md: bad input exits 2 with file, line and field).
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>

#include "support/run_specsim.hpp"
#include "support/temp_dir.hpp"

using namespace specsim;
using testing::run_specsim;

namespace {

const std::string kBase = testing::read_file(SPECSIM_SOURCE_DIR "/scenarios/quickstart.yaml");

// The quickstart scenario with one line replaced (by regex), run for a few episodes.
testing::Outcome run_edited(const testing::TempDir& tmp, const std::string& pattern, const std::string& replacement,
                            const std::string& extra = "--episodes 5 -q") {
  const std::string text = std::regex_replace(kBase, std::regex(pattern), replacement);
  REQUIRE(text != kBase);
  const std::string path = (tmp / "s.yaml").string();
  std::ofstream(path) << text;
  return run_specsim("run " + path + " " + extra);
}

}  // namespace

TEST_CASE("out-of-range scenario numbers exit 2 naming the field", "[ranges]") {
  const testing::TempDir tmp;
  struct Case {
    std::string pattern, replacement, message;
  };
  for (const Case& c : std::vector<Case>{
           {"episodes: [0-9]+", "episodes: 9223372036854775807", "episodes: must be in [1, 1000000000]"},  // ran 0 episodes
           {"episodes: [0-9]+", "episodes: 2000000000", "episodes: must be in [1, 1000000000]"},
           {"kind: dsp", "kind: dsp, offset: 1e300", "offset: must be in [-1000, 1000], got 1e300"},  // wrapped to k_min
           {"  - oracle", "  - {kind: oracle, label: '.'}", "a policy label must be a name, got '.'"},  // HDF5 failed late
           {"  - oracle", "  - {kind: oracle, label: ''}", "a policy label must be a name, got ''"},
           {"\\{kind: dsp, tau", "{kind: dsp, label: " + std::string(120, 'x') + ", tau", "has 129 bytes; at most 95 fit"},  // 120 and "(tau=0.5)"
           {"alpha: 6, beta: 4", "alpha: 1e-300, beta: 1e-300",
            "alpha: must be in [0.001, 1000000], got 1e-300"},  // never matched
       }) {
    INFO(c.replacement);
    const auto out = run_edited(tmp, c.pattern, c.replacement, "-q");
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Catch::Contains(c.message));
  }
}

TEST_CASE("seeds and episodes on the command line are parsed strictly", "[ranges]") {
  const std::string q = SPECSIM_SOURCE_DIR "/scenarios/quickstart.yaml";
  for (const std::string seed : {"-1", "18446744073709551616", "1e23", "0x10", ""}) {
    INFO(seed);
    const auto out = run_specsim("run " + q + " --episodes 2 -q --seed '" + seed + "'");
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Catch::Contains("a seed is a whole number in [0, 18446744073709551615]"));
  }
  CHECK(run_specsim("run " + q + " --episodes 2 -q --seed 18446744073709551615").exit_code == 0);
  // More threads than a process can start ended in std::terminate.
  const auto threads = run_specsim("run " + q + " --episodes 2 -q --threads 100000");
  CHECK(threads.exit_code == 2);
  CHECK_THAT(threads.output, Catch::Contains("--threads: Value 100000 not in range 0 to 1024"));
  CHECK(run_specsim("run " + q + " --episodes 2000000000 -q").exit_code == 2);
}

TEST_CASE("a run whose simulated clock would pass int64 nanoseconds stops with exit 2", "[ranges]") {
  const testing::TempDir tmp;
  // Calls of 1e6 s (the largest a latency may be), 20000 steps: 2e10 s, past the 9.2e9 s of int64 ns.
  const std::string path = (tmp / "long.yaml").string();
  std::ofstream(path) << "name: long\nepisodes: 2\nmax_steps: 20000\n"
                         "agents:\n  approx: {model: gpt-4o-mini, latency: {kind: fixed, seconds: 1000000}}\n"
                         "  target: {model: gpt-4o, latency: {kind: fixed, seconds: 1000000}}\n"
                         "workload: {kind: synthetic, steps: {kind: fixed, n: 20000}, match: {kind: iid, p: 0.5}}\n"
                         "policies: [sequential]\n";
  const auto out = run_specsim("run " + path + " -q");
  CHECK(out.exit_code == 2);
  CHECK_THAT(out.output, Catch::Contains("takes the simulated clock past 292 years"));
}

TEST_CASE("a run's work is estimated before it starts, against limits a scenario can raise", "[ranges]") {
  const testing::TempDir tmp;
  // 8 policies x 30 steps x 1e9 episodes: beyond the default of 1e11 simulated steps.
  auto out = run_edited(tmp, "episodes: [0-9]+", "episodes: 1000000000", "-q");
  CHECK(out.exit_code == 2);
  CHECK_THAT(out.output, Catch::Contains("s.yaml: episodes: 1000000000 episodes x 8 policies x max_steps 30 is up to 2.4e+11"));
  out = run_edited(tmp, "episodes: [0-9]+", "limits: {simulated_steps: 100}\nepisodes: 2", "-q");
  CHECK(out.exit_code == 2);
  CHECK_THAT(out.output, Catch::Contains("above the limit of 100; raise it with `limits: {simulated_steps: N}`"));
  // --episodes is checked as well, after it replaced the scenario's value.
  out = run_edited(tmp, "episodes: [0-9]+", "limits: {simulated_steps: 1000}\nepisodes: 2", "--episodes 100 -q");
  CHECK(out.exit_code == 2);
  CHECK_THAT(out.output, Catch::Contains("100 episodes x 8 policies"));

  // Learners that would hold gigabytes (two wide layers, a long buffer), found before any is built.
  const std::string wide = "{kind: dsp, predictor: {hidden: [4096, 4096, 4096]}, training: {buffer: 10000000}, tau";
  out = run_edited(tmp, "\\{kind: dsp, tau", wide, "-q");
  CHECK(out.exit_code == 2);
  CHECK_THAT(out.output, Catch::Contains("s.yaml:32:3: policies: the policies hold at least 9.16 GiB at once, above the limit of 8 GiB; "
                                         "raise it with `limits: {memory_gib: N}` if the machine has the memory"));
  out = run_edited(tmp, "\\{kind: dsp, tau", "{kind: dsp, predictor: {hidden: [64]}, tau", "--episodes 2 -q");
  CHECK(out.exit_code == 0);
}
