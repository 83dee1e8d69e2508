#pragma once
// The summary of a run: one row per reported policy, each episode paired with the sequential
// baseline's run of the same episode (speedup, cost ratio). The other summaries (JSON, CSV, the
// console table, the HDF5 summary table) read their rows from here once the run has ended.
#include <vector>

#include "analysis/episode_metrics.hpp"
#include "analysis/objective.hpp"
#include "analysis/summary.hpp"
#include "sim/run_observer.hpp"

namespace specsim::analysis {

class SummarySink final : public sim::RunObserver {
 public:
  // The objective's value of a second, if it states one, gives each row its net value.
  SummarySink(const models::Agents& agents, models::Billing billing, Objective objective)
      : agents_(agents), billing_(billing), objective_(std::move(objective)) {}

  void on_run_start(const sim::RunInfo& run) override;
  void on_episode(std::size_t lane, const sim::EpisodeRun& episode) override;
  void on_run_end() override;

  const sim::RunInfo& run() const { return run_; }
  const Objective& objective() const { return objective_; }
  // In the scenario's policy order; complete after on_run_end.
  const std::vector<SummaryRow>& rows() const { return rows_; }
  std::int64_t simulated_steps() const { return steps_; }

 private:
  const models::Agents& agents_;
  models::Billing billing_;
  Objective objective_;
  sim::RunInfo run_;
  std::vector<PolicyAccumulator> acc_;               // one per reported lane
  std::vector<EpisodeMetrics> current_;               // this episode, by lane
  std::vector<std::optional<sim::LearningStats>> learning_;  // cumulative, by lane
  std::vector<std::vector<std::int64_t>> k_counts_;
  std::vector<SummaryRow> rows_;
  std::int64_t steps_ = 0;
};

}  // namespace specsim::analysis
