#pragma once
// The run's HDF5 result file as a sink (layout: analysis/result_file.hpp, docs/results.md):
// every episode's row, the learning record of learning policies, and the calls and rounds of the
// first `record_episodes` episodes. Rows are buffered and appended in blocks; the summary table
// comes from the run's SummarySink, and the file appears under its name only when the run has
// ended (until then it is a temporary file, removed if the run fails).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analysis/result_file.hpp"
#include "analysis/sinks/summary_sink.hpp"
#include "sim/run_observer.hpp"

namespace specsim::analysis {

class H5Sink final : public sim::RunObserver {
 public:
  H5Sink(std::string path, std::map<std::string, std::string> attributes, const SummarySink& summary,
         const models::Agents& agents, models::Billing billing, std::int64_t record_episodes,
         sim::CommitGroup* group = nullptr);

  void on_run_start(const sim::RunInfo& run) override;
  void on_episode(std::size_t lane, const sim::EpisodeRun& episode) override;
  void on_run_end() override;

 private:
  struct Buffer {
    std::vector<EpisodeMetrics> episodes;
    std::vector<CallRow> calls;
    std::vector<RoundRow> rounds;
    std::vector<LearningRow> learning;
  };
  void flush(std::size_t policy);

  std::string path_;
  std::map<std::string, std::string> attributes_;
  const SummarySink& summary_;
  const models::Agents& agents_;
  models::Billing billing_;
  std::int64_t record_episodes_;
  sim::CommitGroup* group_;
  std::vector<std::size_t> policy_of_lane_;  // index in the file; npos for the hidden baseline
  std::vector<Buffer> buffers_;
  std::unique_ptr<ResultFile> file_;
};

}  // namespace specsim::analysis
