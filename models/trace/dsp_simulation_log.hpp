#pragma once
// simulation_datapointNN.log: the user-facing view of the run. It gives the verdict on every
// committed step ("agrees with" / "correcting") and, at the end, the run's summary: wall time
// ("<end> - <begin> = <duration>") and the sequential baseline ("total target step time").
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "models/trace/dsp_log_text.hpp"

namespace specsim::models::trace::dsp {

struct Verdict {
  std::string target_action;
  bool agrees = false;
  std::string approx_action;  // named by "correcting ... which is X"; empty when it agrees
  int line = 0;
};

struct SimulationLog {
  std::string task;
  std::map<int, Verdict> verdicts;       // by 1-based step
  std::map<int, std::string> guesses;    // "The approximation agent thinks step s should be X"
  std::optional<sim::Time> duration;     // end - begin of the whole run
  std::optional<std::vector<std::string>> final_plan;
  std::optional<sim::Time> total_target_step_time;
  // Every "name: value" of the summary, values as numbers (a trailing "%." dropped).
  nlohmann::json summary = nlohmann::json::object();
  LogDiagnostics diag;
};

SimulationLog parse_simulation_log(const LogFile& file);

}  // namespace specsim::models::trace::dsp
