#pragma once
// The summary as CSV (one line per policy, the columns of the HDF5 summary table): for
// spreadsheets and pandas without h5py.
#include "analysis/sinks/summary_file_sink.hpp"

namespace specsim::analysis {

class CsvSink final : public SummaryFileSink {
 public:
  CsvSink(std::string path, const SummarySink& summary, sim::CommitGroup* group = nullptr)
      : SummaryFileSink(std::move(path), summary, group) {}

 private:
  std::string render(const SummarySink& summary) const override;
};

}  // namespace specsim::analysis
