#pragma once
// Replaying a recorded trace: episode i replays task i (cycling through the tasks). Calls on the
// committed path take their recorded latency and tokens exactly; whether A's guess matches is
// the recorded verdict, or else the match rule on the two actions; a step A never guessed in the
// recording gets a guess drawn from A's fitted model that does not match. The features a learned
// policy sees are the task's own plus hashed text of the task and of the actions so far.
#include <memory>
#include <optional>
#include <vector>

#include "models/trace/match_rule.hpp"
#include "models/trace/text_features.hpp"
#include "models/trace/trace.hpp"
#include "models/workload.hpp"

namespace specsim::models::trace {

struct TraceWorkloadConfig {
  std::unique_ptr<MatchRule> match_rule;
  std::optional<TextFeatureConfig> text_features;
  bool fit_agents = true;  // off-path calls from models fitted to the trace (else the scenario's)
  std::string file;        // where the trace was read from
};

class TraceWorkload final : public Workload {
 public:
  TraceWorkload(Trace trace, TraceWorkloadConfig config);
  void script(std::int64_t episode, int max_steps, const Agents& agents, sim::RandomStream& rng,
              EpisodeScript& out) const override;
  void adapt_agents(Agents& agents) const override;
  std::vector<std::string> files() const override { return {config_.file}; }
  const Trace& trace() const { return trace_; }

 private:
  Trace trace_;
  TraceWorkloadConfig config_;
  std::vector<std::vector<double>> features_;  // per task: [step * dim + i]
  int feature_dim_ = 0;
};

// `{kind: trace, file: PATH, match_rule: exact, text_features: {dim: 64}, offpath: fitted}`;
// the file is relative to the scenario's folder.
std::unique_ptr<Workload> decode_trace_workload(const sim::ConfigNode& node);

}  // namespace specsim::models::trace
