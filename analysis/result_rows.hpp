#pragma once
// The rows a run's result file stores per policy, built from the planner's records: one per
// call and one per round (for timelines), one per episode of a learning policy, and the
// histogram of chosen k. Plain structs, laid out for HDF5 tables (analysis/result_file.cpp).
#include <cstdint>
#include <vector>

#include "models/pricing.hpp"
#include "models/workload.hpp"
#include "sim/planner.hpp"

namespace specsim::analysis {

struct CallRow {
  std::int64_t episode;
  std::int32_t round, pos, step, call_index;
  std::uint8_t agent, status, role, on_path;  // see the attributes of the calls table
  double requested_s, started_s, ended_s;
  std::int32_t input_tokens, output_tokens, billed_input_tokens, billed_output_tokens;
  double cost_usd;
};

struct RoundRow {
  std::int64_t episode;
  std::int32_t round, start_step, k, committed, mismatch;
  double start_s, end_s;
};

struct LearningRow {  // one episode of a learning policy
  std::int64_t episode;
  std::int32_t predictions, evaluated;
  double accuracy, mae, mean_k;
  std::int32_t training_jobs;  // completed so far
  double staleness;
};

struct KCountRow {
  std::int32_t k;
  std::int64_t count;
};

std::vector<CallRow> call_rows(const sim::EpisodeRun& run, const models::Agents& agents, models::Billing billing);
std::vector<RoundRow> round_rows(const sim::EpisodeRun& run);

}  // namespace specsim::analysis
