#include "analysis/sinks/json_sink.hpp"

#include "analysis/report.hpp"

namespace specsim::analysis {

std::string JsonSink::render(const SummarySink& summary) const {
  const sim::RunInfo& run = summary.run();
  return summary_json(run.name, run.seed, summary.rows(), summary.objective());
}

}  // namespace specsim::analysis
