#include <catch2/catch.hpp>

#include "analysis/report.hpp"
#include "support/h5_read.hpp"
#include "support/temp_dir.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/scenario.hpp"

using namespace specsim;

namespace {

struct Result {
  std::string json;
  std::map<std::string, std::vector<char>> tables;
};

Result run(const runner::Scenario& s, int threads, std::int64_t chunk, const std::string& h5) {
  runner::RunOptions options;
  options.threads = threads;
  options.chunk_episodes = chunk;
  Result r;
  {
    const auto outcome = runner::run_to_file(s, options, h5, {{"scenario_yaml", s.text}});
    r.json = analysis::summary_json(s.name, s.seed, outcome.rows, s.objective);
  }
  r.tables = testing::read_all_datasets(h5);
  return r;
}

}  // namespace

TEST_CASE("the same scenario and seed give identical results on 1 and 2 threads", "[determinism]") {
  runner::Scenario s = runner::load_scenario(SPECSIM_SOURCE_DIR "/scenarios/quickstart.yaml");
  s.episodes = 700;  // three chunks of 256, the last one partial
  const testing::TempDir tmp;
  const Result one = run(s, 1, 256, (tmp / "determinism-1.h5").string());
  const Result two = run(s, 2, 256, (tmp / "determinism-2.h5").string());
  CHECK(one.json == two.json);
  REQUIRE(one.tables.size() == two.tables.size());
  CHECK(one.tables.count("summary") == 1);
  CHECK(one.tables.count("policies/fixed_k(k=3)/episodes") == 1);
  for (const auto& [name, bytes] : one.tables) {
    INFO(name);
    REQUIRE(two.tables.count(name) == 1);
    CHECK(bytes == two.tables.at(name));
  }
  // Episode rows: 700 per policy.
  CHECK(one.tables.at("policies/sequential/episodes").size() % 700 == 0);
}

TEST_CASE("every policy sees the same episodes: sequential and k = 1 commit the same steps", "[determinism]") {
  runner::Scenario s = runner::load_scenario(SPECSIM_SOURCE_DIR "/scenarios/quickstart.yaml");
  s.episodes = 300;
  runner::RunOptions options;
  options.threads = 2;
  const auto out = runner::run_summary(s, options);
  for (const auto& row : out.rows) CHECK(row.steps == out.rows[0].steps);
}

TEST_CASE("a different seed gives different results", "[determinism]") {
  runner::Scenario s = runner::load_scenario(SPECSIM_SOURCE_DIR "/scenarios/quickstart.yaml");
  s.episodes = 200;
  runner::RunOptions options;
  const auto a = runner::run_summary(s, options);
  s.seed += 1;
  const auto b = runner::run_summary(s, options);
  CHECK(a.rows[0].latency_mean_s != b.rows[0].latency_mean_s);
}

TEST_CASE("a top-K tree gives identical results on 1 and 2 threads", "[determinism][top_k]") {
  runner::Scenario s = runner::load_scenario(SPECSIM_SOURCE_DIR "/scenarios/validation/iid-top-k.yaml");
  std::string text = s.text;
  const std::string from = "top_k: {candidates: 3, pricing: one_call}";
  REQUIRE(text.rfind(from) != std::string::npos);
  text.replace(text.rfind(from), from.size(), "top_k: {candidates: 3, budget: 9, pricing: one_call}");
  const std::string k = "k: 2";
  text.replace(text.rfind(k), k.size(), "k: [2, 3, 4]");
  s = runner::parse_scenario(text, "iid-top-k (a tree)");
  s.episodes = 600;
  const testing::TempDir tmp;
  const Result one = run(s, 1, 256, (tmp / "tree-1.h5").string());
  const Result two = run(s, 2, 256, (tmp / "tree-2.h5").string());
  CHECK(one.json == two.json);
  REQUIRE(one.tables.size() == two.tables.size());
  CHECK(one.tables.count("policies/fixed_k(k=4)/episodes") == 1);
  for (const auto& [name, bytes] : one.tables) {
    INFO(name);
    REQUIRE(two.tables.count(name) == 1);
    CHECK(bytes == two.tables.at(name));
  }
}
