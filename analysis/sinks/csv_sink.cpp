#include "analysis/sinks/csv_sink.hpp"

#include "analysis/stored_summary.hpp"

namespace specsim::analysis {

std::string CsvSink::render(const SummarySink& summary) const {
  const std::vector<CsvColumn> columns = summary_csv_columns(0);
  std::string text;
  for (std::size_t i = 0; i < columns.size(); ++i) text += (i ? "," : "") + columns[i].name;
  text += "\n";
  for (const SummaryRow& row : summary.rows()) {
    const StoredSummary stored = to_stored(row);
    for (std::size_t i = 0; i < columns.size(); ++i)
      text += (i ? "," : "") + csv_cell(reinterpret_cast<const char*>(&stored), columns[i]);
    text += "\n";
  }
  return text;
}

}  // namespace specsim::analysis
