#pragma once
// Parameter sweeps: a base scenario plus axes over any of its fields (by path, e.g.
// `workload.match.p` or `policies[1].k`), combined as a product or zipped, replicated over
// seeds. Every run has a stable id derived from its parameters and writes one result file;
// a run whose file exists is complete (files are renamed into place), so an interrupted sweep
// resumes where it stopped, and shards of a sweep can run anywhere and be merged.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config_node.hpp"

namespace specsim::runner {

struct SweepAxis {
  std::string path;
  std::vector<std::string> values;  // YAML scalars, as written
  bool numeric = true;
  // Its values are alternatives to choose from (`specsim advise` ranks them against each other),
  // not conditions of the world (it advises per condition): `decision:` in the sweep file, by
  // default decision_by_default(path).
  bool decision = false;
};

// The policies and the agents' models are decisions; every other field is a world condition.
bool decision_by_default(std::string_view path);

struct SweepSpec {
  std::string name, file, base_file, base_text;
  std::vector<SweepAxis> axes;
  bool zip = false;
  std::vector<std::uint64_t> seeds;  // one run per seed and grid point
  std::optional<std::int64_t> episodes;
  std::string text;                  // the sweep file's
  std::vector<std::string> warnings;  // the base scenario's (runs share its defaults)
};

// What identifies a sweep's results folder: its file, its base scenario and the episodes it runs.
std::string sweep_fingerprint(const SweepSpec& spec);


struct SweepRun {
  std::size_t index = 0;
  std::string id;
  std::vector<std::string> values;  // one per axis
  std::uint64_t seed = 0;
  std::string scenario_text;
};

SweepSpec load_sweep(const std::string& path);
// Expands and validates every run (a value that makes the scenario invalid is an error at the
// sweep file's line that gave it), on `jobs` threads; the same runs for any number of them.
std::vector<SweepRun> expand_sweep(const SweepSpec& spec, int jobs = 1);

struct SweepOptions {
  std::string out_dir;
  int jobs = 1;
  int shard = 1, shards = 1;  // run the runs whose index % shards == shard - 1
  bool progress = true;
};

// Returns the number of runs left undone (0 when complete; more if interrupted via `stop`).
std::size_t run_sweep(const SweepSpec& spec, const SweepOptions& options, const std::atomic<bool>& stop);

// A results folder's sweep.json, checked field by field (axes, runs with id, seed and values).
nlohmann::json read_sweep_manifest(const std::string& dir);

// Merges shard folders of one sweep into `out_dir`: their runs and a summary over all of them.
void merge_sweeps(const std::vector<std::string>& dirs, const std::string& out_dir);

}  // namespace specsim::runner
