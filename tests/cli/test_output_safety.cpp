// Output safety, end to end: no command overwrites its inputs or writes two outputs to one file,
// outputs land together or not at all, an interrupted run leaves nothing behind, and a scenario
// of any size can be stored in its result file.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/run_specsim.hpp"
#include "support/temp_dir.hpp"

using namespace specsim;
using testing::run_specsim;
namespace fs = std::filesystem;

namespace {

const std::string kQuickstart = SPECSIM_SOURCE_DIR "/scenarios/quickstart.yaml";

std::string copy_scenario(const testing::TempDir& tmp, const std::string& name = "q.yaml") {
  const std::string path = (tmp / name).string();
  fs::copy_file(kQuickstart, path);
  return path;
}

std::size_t files_in(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

}  // namespace

TEST_CASE("an output that is an input or another output is refused before the run", "[output]") {
  const testing::TempDir tmp;
  const std::string q = copy_scenario(tmp);
  const std::string original = testing::read_file(q);
  fs::create_symlink(q, tmp / "link.yaml");
  fs::create_hard_link(q, tmp / "hard.yaml");
  fs::create_directory(tmp / "folder");
  const std::string t = tmp.path().string();

  struct Case {
    std::string args, message;
  };
  for (const Case& c : std::vector<Case>{
           {"run " + q + " -o " + q, "-o: is also the input given as scenario"},
           {"run " + q + " --json " + q, "--json: is also the input given as scenario"},
           {"run " + q + " --csv " + t + "/link.yaml", "--csv: is also the input given as scenario"},
           {"run " + q + " --json " + t + "/hard.yaml", "--json: is also the input given as scenario"},
           {"run " + q + " -o " + t + "/x.h5 --json " + t + "/x.h5", "--json: is also the output given as -o"},
           {"run " + q + " -o " + t + "/folder", "-o: is a folder; a file is expected here"},
           {"run " + q + " --json " + q + "/x.json", "cannot write below"},
           {"trace synth " + q + " -o " + q, "-o: is also the input given as scenario"},
           {std::string("sweep ") + SPECSIM_SOURCE_DIR "/scenarios/sweeps/k-vs-match-rate.yaml -o " + q, "-o: is a file; a folder is expected"},
           {"plot " + q + " -o " + q, "-o: is a file; a folder is expected"},
       }) {
    INFO(c.args);
    const auto out = run_specsim(c.args);
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Catch::Contains(c.message));
  }
  CHECK(testing::read_file(q) == original);
  CHECK(files_in(tmp.path()) == 4);  // q.yaml, link.yaml, hard.yaml, folder: nothing written
}

TEST_CASE("trace commands never write over the files they read", "[output]") {
  const testing::TempDir tmp;
  const std::string q = copy_scenario(tmp);
  const std::string trace = (tmp / "t.jsonl").string();
  REQUIRE(run_specsim("trace synth " + q + " -o " + trace + " --episodes 3").exit_code == 0);
  const std::string before = testing::read_file(trace);
  auto out = run_specsim("trace stats " + trace + " --json " + trace);
  CHECK(out.exit_code == 2);
  CHECK_THAT(out.output, Catch::Contains("--json: is also the input given as file"));
  out = run_specsim("trace fidelity " + trace + " --json " + trace);
  CHECK(out.exit_code == 2);
  fs::create_directory(tmp / "logs");
  const std::string log = (tmp / "logs" / "approximation_datapoint01.log").string();
  std::ofstream(log) << "01/01/2025, 00:00:00: task description: t\n";
  out = run_specsim("trace import-dsp " + (tmp / "logs").string() + " -o " + (tmp / "x.jsonl").string() + " --report " + log);
  CHECK(out.exit_code == 2);
  CHECK_THAT(out.output, Catch::Contains("--report: is also the input given as dir"));
  CHECK(testing::read_file(log) == "01/01/2025, 00:00:00: task description: t\n");
  CHECK(testing::read_file(trace) == before);
}

TEST_CASE("relative outputs in folders yet to be made are fine (the README's first command)", "[output]") {
  const testing::TempDir tmp;
  copy_scenario(tmp);
  const std::string command = "cd '" + tmp.path().string() + "' && '" + SPECSIM_BINARY +
                              "' run q.yaml --episodes 5 -q -o out/q.h5 --json out/deeper/q.json";
  const int status = std::system(command.c_str());
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(fs::exists(tmp / "out" / "q.h5"));
  CHECK(fs::exists(tmp / "out" / "deeper" / "q.json"));
}

TEST_CASE("an output folder that cannot be made is an error before anything is written", "[output]") {
  const testing::TempDir tmp;
  const std::string q = copy_scenario(tmp);
  // Nobody, not even root, can make a folder in /proc. The folders made for -o go again.
  const auto out = run_specsim("run " + q + " --episodes 20 -o " + (tmp / "new" / "deeper" / "r.h5").string() +
                               " --json /proc/specsim-test/s.json");
  CHECK(out.exit_code == 2);
  CHECK_THAT(out.output, Catch::Contains("/proc/specsim-test/s.json"));
  CHECK(files_in(tmp.path()) == 1);  // only the scenario: no result, no temporary file, no folder
}

TEST_CASE("SIGINT and SIGTERM stop a run: exit 130 or 143, no file, no temporary file, no folder", "[output][signal]") {
  for (const int signal : {SIGINT, SIGTERM}) {
    const testing::TempDir tmp;
    const std::string q = copy_scenario(tmp);
    // The outputs' folders are made by the run: it removes them again.
    const fs::path out_dir = tmp / "out" / "deeper";
    const std::string h5 = (out_dir / "r.h5").string(), json = (tmp / "out" / "s.json").string();
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      const std::string binary = SPECSIM_BINARY;
      execl(binary.c_str(), binary.c_str(), "run", q.c_str(), "--episodes", "100000000", "--threads", "2", "-o",
            h5.c_str(), "--json", json.c_str(), "-q", static_cast<char*>(nullptr));
      _exit(127);
    }
    // Wait until the run writes its temporary result file, then stop it.
    const auto t0 = std::chrono::steady_clock::now();
    const auto has_temporary = [&] {
      std::error_code ec;
      if (!fs::exists(out_dir, ec)) return false;
      for (const auto& e : fs::directory_iterator(out_dir))
        if (e.path().filename().string().find(".tmp-") != std::string::npos) return true;
      return false;
    };
    while (!has_temporary() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30))
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(has_temporary());
    ::kill(pid, signal);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == (signal == SIGINT ? 130 : 143));
    CHECK(files_in(tmp.path()) == 1);  // only the scenario: the folders the run made went too
  }
}

TEST_CASE("a stale temporary file of a killed run is removed by the next run into that folder", "[output]") {
  const testing::TempDir tmp;
  const std::string q = copy_scenario(tmp);
  const fs::path stale = tmp / "r.h5.tmp-999999999";  // no process has this id
  std::ofstream(stale) << "debris";
  REQUIRE(run_specsim("run " + q + " --episodes 10 -q -o " + (tmp / "r.h5").string()).exit_code == 0);
  CHECK_FALSE(fs::exists(stale));
  CHECK(fs::exists(tmp / "r.h5"));
}

TEST_CASE("a scenario of any size is stored whole in its result file", "[output]") {
  const testing::TempDir tmp;
  std::string text = testing::read_file(kQuickstart);
  text += "\n# " + std::string(100'000, 'x') + "\n";  // a 100 KB comment: past HDF5's 64 KB compact limit
  const std::string q = (tmp / "big.yaml").string();
  std::ofstream(q) << text;
  const auto out = run_specsim("run " + q + " --episodes 10 -q -o " + (tmp / "r.h5").string());
  CHECK(out.exit_code == 0);
  CHECK(out.output.empty());
  CHECK(files_in(tmp.path()) == 2);
}
