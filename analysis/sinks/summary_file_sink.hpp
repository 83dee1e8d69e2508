#pragma once
// A file rendered from the run's summary when the run ends and written atomically (together with
// the run's other outputs when they share a CommitGroup). A format is one subclass: its render().
#include <string>

#include "analysis/sinks/summary_sink.hpp"
#include "sim/files.hpp"

namespace specsim::analysis {

class SummaryFileSink : public sim::RunObserver {
 public:
  SummaryFileSink(std::string path, const SummarySink& summary, sim::CommitGroup* group)
      : path_(std::move(path)), summary_(summary), group_(group) {}
  void on_run_end() final { sim::write_file_atomically(path_, render(summary_), group_); }

 private:
  virtual std::string render(const SummarySink& summary) const = 0;

  std::string path_;
  const SummarySink& summary_;
  sim::CommitGroup* group_;
};

}  // namespace specsim::analysis
