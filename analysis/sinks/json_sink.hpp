#pragma once
// The --json summary (fields: shared/DESIGN.md §4), written atomically when the run ends.
#include <string>

#include "analysis/sinks/summary_sink.hpp"
#include "sim/files.hpp"

namespace specsim::analysis {

class JsonSink final : public sim::RunObserver {
 public:
  JsonSink(std::string path, const SummarySink& summary, sim::CommitGroup* group = nullptr)
      : path_(std::move(path)), summary_(summary), group_(group) {}
  void on_run_end() override;

 private:
  std::string path_;
  const SummarySink& summary_;
  sim::CommitGroup* group_;
};

}  // namespace specsim::analysis
