#pragma once
// The --json summary (fields: shared/DESIGN.md §4).
#include "analysis/sinks/summary_file_sink.hpp"

namespace specsim::analysis {

class JsonSink final : public SummaryFileSink {
 public:
  JsonSink(std::string path, const SummarySink& summary, sim::CommitGroup* group = nullptr)
      : SummaryFileSink(std::move(path), summary, group) {}

 private:
  std::string render(const SummarySink& summary) const override;
};

}  // namespace specsim::analysis
