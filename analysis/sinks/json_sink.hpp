#pragma once
// The --json summary (fields: shared/DESIGN.md §4), written atomically when the run ends.
#include <string>

#include "analysis/sinks/summary_sink.hpp"

namespace specsim::analysis {

class JsonSink final : public sim::RunObserver {
 public:
  JsonSink(std::string path, const SummarySink& summary) : path_(std::move(path)), summary_(summary) {}
  void on_run_end() override;

 private:
  std::string path_;
  const SummarySink& summary_;
};

}  // namespace specsim::analysis
