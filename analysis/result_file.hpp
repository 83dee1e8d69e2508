#pragma once
// The HDF5 result file of one run. Layout (docs/results.md):
//   /                 attributes: seed, scenario text, specsim version and git revision, libraries
//   /summary          one row per policy (SummaryRow)
//   /policies/<label> attributes: label, kind, config, index
//       episodes      one row per episode (EpisodeMetrics)
//       rounds        the rounds of the first recorded episodes
//       calls         the calls of the first recorded episodes (for timelines)
// Written under a temporary name and renamed by commit(): a result file is always complete.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analysis/episode_metrics.hpp"
#include "analysis/result_rows.hpp"
#include "analysis/summary.hpp"
#include "sim/files.hpp"

namespace specsim::analysis {

struct PolicyInfo {
  std::string label, kind, config;
};

// The name of a policy's group below /policies.
std::string policy_group_name(const std::string& label);

class ResultFile {
 public:
  ResultFile(std::string path, const std::map<std::string, std::string>& attributes, std::uint64_t seed,
             const std::vector<PolicyInfo>& policies, sim::CommitGroup* group = nullptr);
  ~ResultFile();
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;

  void add_episodes(std::size_t policy, const std::vector<EpisodeMetrics>& rows);
  void add_rounds(std::size_t policy, const std::vector<RoundRow>& rows);
  void add_calls(std::size_t policy, const std::vector<CallRow>& rows);
  void add_learning(std::size_t policy, const std::vector<LearningRow>& rows);
  // The summary table, and each policy's histogram of chosen k.
  void write_summary(const std::vector<SummaryRow>& rows);
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace specsim::analysis
