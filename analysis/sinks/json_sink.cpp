#include "analysis/sinks/json_sink.hpp"

#include "analysis/report.hpp"
#include "sim/files.hpp"

namespace specsim::analysis {

void JsonSink::on_run_end() {
  const sim::RunInfo& run = summary_.run();
  sim::write_file_atomically(path_, summary_json(run.name, run.seed, summary_.rows(), summary_.objective()), group_);
}

}  // namespace specsim::analysis
