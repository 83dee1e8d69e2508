#include "analysis/sinks/csv_sink.hpp"

#include "analysis/stored_summary.hpp"
#include "sim/files.hpp"

namespace specsim::analysis {

void CsvSink::on_run_end() {
  const std::vector<CsvColumn> columns = summary_csv_columns(0);
  std::string text;
  for (std::size_t i = 0; i < columns.size(); ++i) text += (i ? "," : "") + columns[i].name;
  text += "\n";
  for (const SummaryRow& row : summary_.rows()) {
    const StoredSummary stored = to_stored(row);
    for (std::size_t i = 0; i < columns.size(); ++i)
      text += (i ? "," : "") + csv_cell(reinterpret_cast<const char*>(&stored), columns[i]);
    text += "\n";
  }
  sim::write_file_atomically(path_, text, group_);
}

}  // namespace specsim::analysis
