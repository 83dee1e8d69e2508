#pragma once
// A live episode as a trace task (docs/traces.md), so that `specsim run` with
// `workload: {kind: trace}` replays it and `specsim trace fidelity` compares its timing: the
// committed steps (T's calls and action; A's guess on the committed path and the verdict), the
// rounds and their k, the measured latency. Every call of the episode, on the path or not, goes
// to the task's `source` object: agent, step, call, conditioning, request and response text,
// tokens, requested / started / first token / end / cancel times (seconds from the episode
// start), attempts with their HTTP status and error, and the call's status and role.
#include <optional>
#include <string_view>
#include <vector>

#include "models/live/live_backend.hpp"
#include "models/live/live_config.hpp"
#include "models/trace/trace.hpp"
#include "sim/planner.hpp"

namespace specsim::models::live {

// nullopt when the episode committed no step (a trace task has at least one).
// `episode_start` is the clock time the episode began; `policy` the lane's label.
std::optional<trace::Task> record_task(const LiveTask& task, const sim::EpisodeRun& run, const std::vector<LiveCallLog>& calls,
                                       sim::Time episode_start, std::string_view terminate, std::string_view policy);

}  // namespace specsim::models::live
