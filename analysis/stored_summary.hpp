#pragma once
// The summary table as HDF5 stores it (one row per policy, fixed-size strings then the
// figures), shared by run files and sweep summaries, and read back by sweeps, which summarise
// from the files so that resumed and merged sweeps need no state but the files.
#include <cstddef>
#include <string>
#include <vector>

#include "analysis/csv_table.hpp"
#include "analysis/h5_table.hpp"
#include "analysis/summary.hpp"

namespace specsim::analysis {

// A summary row as stored: fixed-size strings, then the figures.
constexpr std::size_t kLabelSize = 96;
struct StoredSummary {
  char name[32];
  char label[kLabelSize];
  SummaryFigures r;
};
StoredSummary to_stored(const SummaryRow& row);

// The summary table of a complete result file.
std::vector<SummaryRow> read_summary(const std::string& path);
// The HDF5 fields of a StoredSummary placed `base` bytes into a row.
std::vector<h5::Field> summary_fields(hid_t name_type, hid_t label_type, std::size_t base);
// The CSV columns of a StoredSummary placed `base` bytes into a row.
std::vector<CsvColumn> summary_csv_columns(std::size_t base);

}  // namespace specsim::analysis
