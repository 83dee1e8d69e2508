#pragma once
// The summary as CSV (one line per policy, the columns of the HDF5 summary table), written
// atomically when the run ends: for spreadsheets and pandas without h5py.
#include <string>

#include "analysis/sinks/summary_sink.hpp"
#include "sim/files.hpp"

namespace specsim::analysis {

class CsvSink final : public sim::RunObserver {
 public:
  CsvSink(std::string path, const SummarySink& summary, sim::CommitGroup* group = nullptr)
      : path_(std::move(path)), summary_(summary), group_(group) {}
  void on_run_end() override;

 private:
  std::string path_;
  const SummarySink& summary_;
  sim::CommitGroup* group_;
};

}  // namespace specsim::analysis
