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
#include "analysis/h5_table.hpp"
#include "analysis/summary.hpp"
#include "sim/planner.hpp"

namespace specsim::analysis {

struct PolicyInfo {
  std::string label, kind, config;
};

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

// A summary row as stored: fixed-size strings, then the figures.
constexpr std::size_t kLabelSize = 96;
struct StoredSummary {
  char name[32];
  char label[kLabelSize];
  SummaryFigures r;
};
StoredSummary to_stored(const SummaryRow& row);

// The summary table of a complete result file (for sweeps, which summarise from the files so
// that resumed and merged sweeps need no state but the files).
std::vector<SummaryRow> read_summary(const std::string& path);

// One table of plain rows described by fields, as CSV: a header of field names, then one line
// per row (numbers in their shortest exact form).
struct CsvColumn {
  std::string name;
  std::size_t offset;
  enum class Kind { f64, i64, i32, u64, text } kind;
  std::size_t size = 0;  // for text
};
std::vector<CsvColumn> summary_csv_columns(std::size_t base_offset);
// The HDF5 fields of a StoredSummary placed `base` bytes into a row.
std::vector<h5::Field> summary_fields(hid_t name_type, hid_t label_type, std::size_t base);
std::string csv_cell(const char* row, const CsvColumn& column);

class ResultFile {
 public:
  ResultFile(std::string path, const std::map<std::string, std::string>& attributes, std::uint64_t seed,
             const std::vector<PolicyInfo>& policies);
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
