#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "analysis/stored_summary.hpp"
#include "support/run_specsim.hpp"
#include "support/sweep_base.hpp"
#include "sim/files.hpp"
#include "support/temp_dir.hpp"
#include "tools/runner/sweep.hpp"

namespace fs = std::filesystem;
using namespace specsim;

namespace {

const std::string kBase = testing::sweep_base_scenario(40);


// A folder holding base.yaml and a sweep file with the given body; the sweep is named after it.
std::string make_sweep(const std::string& dir, const std::string& body) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir + "/base.yaml") << kBase;
  std::ofstream(dir + "/sweep.yaml") << "name: " << fs::path(dir).filename().string() << "\nbase: base.yaml\n" << body;
  return dir + "/sweep.yaml";
}


int run(const std::string& args, std::string* output = nullptr) {
  const auto o = testing::run_specsim(args);
  if (output) *output = o.output;
  return o.exit_code;
}

std::string read(const std::string& path) { return testing::read_file(path); }

const std::string kGrid =
    "axes:\n  - {path: workload.match.p, values: [0.2, 0.5, 0.8]}\n  - {path: \"policies[1].k\", values: [1, 3]}\n";

}  // namespace

TEST_CASE("zipped axes may repeat a value on one axis, as the bundled dsp-knobs sweep does", "[sweep]") {
  const testing::TempDir tmp;
  const auto runs = runner::expand_sweep(runner::load_sweep(make_sweep(
      (tmp / "sweep-zip").string(), "combine: zip\naxes:\n  - {path: workload.match.p, values: [0.5, 0.5]}\n"
                                     "  - {path: \"policies[1].k\", values: [1, 2]}\n")));
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].values == std::vector<std::string>{"0.5", "1"});
  CHECK(runs[1].values == std::vector<std::string>{"0.5", "2"});
  CHECK(runs[0].id != runs[1].id);
  CHECK_NOTHROW(runner::load_sweep(SPECSIM_SOURCE_DIR "/scenarios/sweeps/dsp-knobs.yaml"));
}

TEST_CASE("sweep expansion: product, zip, seeds, ranges and stable ids", "[sweep]") {
  const testing::TempDir tmp;
  const auto product = runner::expand_sweep(runner::load_sweep(make_sweep((tmp / "sweep-expand").string(), kGrid + "seeds: [1, 2]\n")));
  REQUIRE(product.size() == 12);  // 3 x 2 x 2 seeds
  CHECK(product[0].values == std::vector<std::string>{"0.2", "1"});
  CHECK(product[0].seed == 1);
  CHECK(product[1].seed == 2);
  CHECK(product[2].values == std::vector<std::string>{"0.2", "3"});
  CHECK(product[11].values == std::vector<std::string>{"0.8", "3"});
  std::set<std::string> ids;
  for (const auto& r : product) ids.insert(r.id);
  CHECK(ids.size() == 12);
  CHECK_THAT(product[2].scenario_text, Catch::Contains("k: 3") && Catch::Contains("p: 0.2") && Catch::Contains("seed: 1"));

  // The same parameters give the same id, whatever else the sweep holds.
  const auto other = runner::expand_sweep(runner::load_sweep(make_sweep(
      (tmp / "sweep-expand-2").string(), "seeds: [2]\naxes:\n  - {path: workload.match.p, values: [0.8]}\n  - {path: \"policies[1].k\", values: [3]}\n")));
  CHECK(other[0].id == product[11].id);

  const auto zipped = runner::expand_sweep(runner::load_sweep(make_sweep(
      (tmp / "sweep-zip").string(), "combine: zip\naxes:\n  - {path: workload.match.p, values: [0.2, 0.5]}\n  - {path: \"policies[1].k\", values: [1, 3]}\n")));
  REQUIRE(zipped.size() == 2);
  CHECK(zipped[1].values == std::vector<std::string>{"0.5", "3"});

  const auto range = runner::load_sweep(make_sweep((tmp / "sweep-range").string(), "axes:\n  - {path: workload.match.p, from: 0.1, to: 0.9, step: 0.1}\n"));
  CHECK(range.axes[0].values == std::vector<std::string>{"0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"});
}

TEST_CASE("a sweep's summary is the same with 1 and 2 jobs, and sharded then merged", "[sweep]") {
  const testing::TempDir tmp;
  const std::string dir = (tmp / "sweep-jobs").string();
  const std::string sweep = make_sweep(dir, kGrid);
  REQUIRE(run("sweep " + sweep + " -o " + dir + "/one --jobs 1 -q") == 0);
  REQUIRE(run("sweep " + sweep + " -o " + dir + "/two --jobs 2 -q") == 0);
  const std::string whole = read(dir + "/one/summary.csv");
  CHECK(whole == read(dir + "/two/summary.csv"));
  CHECK(std::count(whole.begin(), whole.end(), '\n') == 1 + 6 * 2);  // header + runs x policies
  CHECK_THAT(whole, Catch::StartsWith("run_id,seed,workload.match.p,policies[1].k,name,label,"));

  REQUIRE(run("sweep " + sweep + " -o " + dir + "/s1 --shard 1/2 -q") == 0);
  REQUIRE(run("sweep " + sweep + " -o " + dir + "/s2 --shard 2/2 -q") == 0);
  CHECK(std::distance(fs::directory_iterator(dir + "/s1/runs"), fs::directory_iterator{}) == 3);
  REQUIRE(run("sweep merge " + dir + "/s1 " + dir + "/s2 -o " + dir + "/merged -q") == 0);
  CHECK(read(dir + "/merged/summary.csv") == whole);
  CHECK(analysis::read_summary(dir + "/merged/runs/" + runner::expand_sweep(runner::load_sweep(sweep))[0].id + ".h5").size() == 2);
}

TEST_CASE("an interrupted sweep leaves only complete files and resumes without redoing runs", "[sweep]") {
  // Enough runs that a kill lands in the middle.
  const testing::TempDir tmp;
  const std::string dir = (tmp / "sweep-kill").string();
  const std::string sweep = make_sweep(dir,
      "episodes: 400\naxes:\n  - {path: workload.match.p, from: 0.05, to: 0.95, step: 0.05}\n  - {path: \"policies[1].k\", values: [1, 2, 3, 4]}\n");
  REQUIRE(run("sweep " + sweep + " -o " + dir + "/whole --jobs 2 -q") == 0);
  const std::string whole = read(dir + "/whole/summary.csv");

  for (int sig : {SIGKILL, SIGINT}) {
    INFO("signal " << sig);
    const std::string out = dir + "/out";
    fs::remove_all(out);
    const pid_t pid = fork();
    if (pid == 0) {
      execl(SPECSIM_BINARY, SPECSIM_BINARY, "sweep", sweep.c_str(), "-o", out.c_str(), "--jobs", "1", "-q", nullptr);
      _exit(127);
    }
    // Wait until some runs are complete, then stop it.
    for (int i = 0; i < 400 && (!fs::exists(dir + "/out/runs") ||
                                std::distance(fs::directory_iterator(dir + "/out/runs"), fs::directory_iterator{}) < 8); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    kill(pid, sig);
    int status = 0;
    waitpid(pid, &status, 0);
    if (sig == SIGINT) CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 130));

    std::map<std::string, fs::file_time_type> done;
    for (const auto& e : fs::directory_iterator(dir + "/out/runs")) {
      const std::string name = e.path().filename().string();
      if (name.find(".tmp-") != std::string::npos) {
        CHECK(sig == SIGKILL);  // only a kill -9 can leave a temporary file, never a result file
        continue;
      }
      CHECK_NOTHROW(analysis::read_summary(e.path().string()));  // every result file is complete
      done[name] = fs::last_write_time(e.path());
    }
    CHECK(done.size() >= 4);
    CHECK(done.size() < 76);
    CHECK_FALSE(fs::exists(dir + "/out/summary.csv"));

    REQUIRE(run("sweep " + sweep + " -o " + dir + "/out --jobs 2 -q") == 0);
    for (const auto& [name, time] : done) CHECK(fs::last_write_time(dir + "/out/runs/" + name) == time);
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir + "/out/runs")) {
      CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
      ++files;
    }
    CHECK(files == 76);
    CHECK(read(dir + "/out/summary.csv") == whole);
  }
}

TEST_CASE("a second sweep into a folder in use stops at once, run ids cover everything that changes a run", "[sweep]") {
  const testing::TempDir tmp;
  const std::string dir = (tmp / "sweep-lock").string();
  const std::string sweep = make_sweep(dir, kGrid);
  fs::create_directories(dir + "/out");
  {
    const sim::FolderLock held(dir + "/out");  // as a running sweep holds it
    std::string out;
    CHECK(run("sweep " + sweep + " -o " + dir + "/out -q", &out) == 2);
    CHECK_THAT(out, Catch::Contains("another specsim process is writing into this folder"));
  }
  CHECK(run("sweep " + sweep + " -o " + dir + "/out -q") == 0);  // released

  // The same grid point with other episodes is another run.
  runner::SweepSpec spec = runner::load_sweep(sweep);
  const auto a = runner::expand_sweep(spec);
  spec.episodes = 7;
  const auto b = runner::expand_sweep(spec);
  CHECK(a[0].id != b[0].id);
  CHECK(runner::sweep_fingerprint(spec) != runner::sweep_fingerprint(runner::load_sweep(sweep)));
}

TEST_CASE("bad sweeps exit 2 with file, line and field", "[sweep]") {
  const testing::TempDir tmp;
  const std::string dir = (tmp / "sweep-bad").string();
  const std::string other = (tmp / "sweep-other").string();
  std::string out;
  const auto bad = [&](const std::string& body, const std::string& message, const std::string& extra = "") {
    const std::string sweep = make_sweep(dir, body);
    INFO(body);
    CHECK(run("sweep " + sweep + " -o " + dir + "/out " + extra, &out) == 2);
    CHECK_THAT(out, Catch::Contains(message));
  };
  bad("axes:\n  - {path: workload.match.q, values: [0.1]}\n",
      "sweep.yaml:4:12: axes[0].path: path 'workload.match.q' does not exist in the base scenario (no 'workload.match.q')");
  bad("axes:\n  - {path: \"policies[7].k\", values: [1]}\n", "does not exist in the base scenario (no 'policies[7]')");
  // Found by fuzz_sweep: a non-number index threw std::invalid_argument out of std::stol.
  bad("axes:\n  - {path: \"policies[\x8d" "1].k\", values: [1]}\n", "an index is a whole number in [0, 1000000], got '\x8d" "1'");
  bad("axes:\n  - {path: \"policies[-1].k\", values: [1]}\n", "an index is a whole number in [0, 1000000], got '-1'");
  bad("axes:\n  - {path: \"policies[99999999999999999999].k\", values: [1]}\n", "an index is a whole number");
  bad("axes:\n  - {path: workload.match.p, values: []}\n", "sweep.yaml:4:38: axes[0].values: an axis needs at least one value");
  bad("axes: []\n", "axes: needs at least one axis");
  bad("combine: zip\naxes:\n  - {path: workload.match.p, values: [0.1, 0.2]}\n  - {path: \"policies[1].k\", values: [1]}\n",
      "sweep.yaml:6:5: axes[1]: zipped axes must have the same length");
  bad("axes:\n  - {path: workload.match.p, values: [1.5]}\n", "makes an invalid scenario");
  bad(kGrid, "--shard: expected I/N with 1 <= I <= N <= 1000000, got '3/2'", "--shard 3/2");
  bad(kGrid, "--shard: expected I/N with 1 <= I <= N <= 1000000, got '0/2'", "--shard 0/2");
  bad(kGrid, "--shard: expected I/N with 1 <= I <= N <= 1000000, got '1/4294967297'", "--shard 1/4294967297");  // no wrap to 1/1
  // Runs that would be the same run, and axes on what the sweep itself sets.
  bad("axes:\n  - {path: workload.match.p, values: [0.2, 0.5, 0.2]}\n",
      "sweep.yaml:4:49: axes[0].values[2]: the value 0.2 is listed twice (its runs would be the same run)");
  bad("combine: zip\naxes:\n  - {path: workload.match.p, values: [0.2, 0.5, 0.2]}\n"
      "  - {path: \"policies[1].k\", values: [1, 2, 1]}\n",
      "sweep.yaml:5:5: axes[0]: zipped point 3 repeats point 1 on every axis (its runs would be the same run)");
  bad("seeds: [1, 2, 1]\naxes:\n  - {path: workload.match.p, values: [0.2]}\n",
      "sweep.yaml:3:15: seeds[2]: seed 1 is listed twice");
  for (const char* path : {"seed", "episodes", "name"})
    bad(std::string("axes:\n  - {path: ") + path + ", values: [3]}\n", std::string("the sweep itself sets '") + path + "'");
  bad("axes:\n  - {path: workload.match.p, values: [0.2]}\n  - {path: workload.match.p, values: [0.5]}\n",
      "sweep.yaml:5:12: axes[1].path: 'workload.match.p' is already an axis of this sweep");
  // A product too large to expand, and the limit that admits it.
  bad("axes:\n  - {path: workload.match.p, from: 0.0001, to: 0.9999, step: 0.0001}\n  - {path: \"policies[1].k\", values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}\n",
      "sweep.yaml:4:3: axes: the axes and seeds make 109989 runs, above the limit of 100000; raise it with `limits: {runs: N}`");
  bad("limits: {runs: 2}\n" + kGrid, "sweep.yaml:5:3: axes: the axes and seeds make 6 runs, above the limit of 2");
  bad("limits: {runs: 0}\n" + kGrid, "limits.runs: must be in [1, 1000000000], got 0");
  // A results folder written by another sweep.
  REQUIRE(run("sweep " + make_sweep(dir, kGrid) + " -o " + other + " -q") == 0);
  // The same sweep with other episodes is another sweep: its runs are not reused.
  CHECK(run("sweep " + dir + "/sweep.yaml -o " + other + " --episodes 7 -q", &out) == 2);
  CHECK_THAT(out, Catch::Contains("holds an earlier version of sweep 'sweep-bad' (changed since: episodes); its runs are not reused"));
  CHECK(run("sweep " + make_sweep(dir, "axes:\n  - {path: workload.match.p, values: [0.3]}\n") + " -o " + other, &out) == 2);
  CHECK_THAT(out, Catch::Contains(other + "/sweep.json: fingerprint: this results folder holds an earlier version of "
                                  "sweep 'sweep-bad' (changed since: sweep_file)"));
}

TEST_CASE("sweep merge of a damaged manifest exits 2 naming the field, and writes nothing", "[sweep]") {
  const testing::TempDir tmp;
  const std::string dir = (tmp / "sweep-damaged").string();
  REQUIRE(run("sweep " + make_sweep(dir, kGrid) + " -o " + dir + "/out -q") == 0);
  const std::string good = testing::read_file(dir + "/out/sweep.json");
  const auto damaged = [&](const std::string& from, const std::string& to, const std::string& message) {
    std::string text = good;
    if (!from.empty()) {
      const auto at = text.find(from);
      REQUIRE(at != std::string::npos);
      text.replace(at, from.size(), to);
    } else {
      text = to;
    }
    std::ofstream(dir + "/out/sweep.json") << text;
    std::string out;
    INFO(to);
    CHECK(run("sweep merge " + dir + "/out -o " + dir + "/merged -q", &out) == 2);
    CHECK_THAT(out, Catch::Contains(message));
    CHECK_FALSE(fs::exists(dir + "/merged/sweep.json"));
  };
  damaged("", "{}", "sweep: not a sweep manifest: expected a string");
  damaged("", "[1, 2]", "not a sweep manifest: expected a JSON object");
  damaged("\"values\": [\n        \"0.2\",\n        \"1\"\n      ]", "\"values\": [\"0.2\"]",
          "runs[0].values: not a sweep manifest: expected one value per axis");  // was read past its end
  const auto id = good.find("\"id\": \"");
  REQUIRE(id != std::string::npos);
  damaged(good.substr(id, 20), "\"id\": \"../../../etc\"", "runs[0].id: not a sweep manifest: expected up to 16 hexadecimal digits");
  const auto seed = good.find("\"seed\": ");
  REQUIRE(seed != std::string::npos);
  damaged(good.substr(seed, good.find(',', seed) - seed), "\"seed\": -1",
          "runs[0].seed: not a sweep manifest: expected a non-negative integer");
}
