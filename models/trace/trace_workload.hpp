#pragma once
// Replaying a recorded trace: episode i replays task i (cycling through the tasks). Calls on the
// committed path take their recorded latency and tokens exactly; whether A's guess matches is
// the recorded verdict, or else the match rule on the two actions; a step A never guessed in the
// recording gets a guess drawn from A's fitted model that does not match. The features a learned
// policy sees are the task's own plus hashed text of the task and of the actions so far.
// `latency: fitted` replaces every recorded latency (and predictor latency) by a draw from latency
// models fitted per call kind (models/trace/latency_fit.hpp) given the call's recorded tokens;
// `verdicts: model` replaces the recorded verdicts by i.i.d. draws at a match rate.
#include <memory>
#include <optional>
#include <vector>

#include "models/trace/latency_fit.hpp"
#include "models/trace/match_rule.hpp"
#include "models/trace/text_features.hpp"
#include "models/trace/trace.hpp"
#include "models/workload.hpp"

namespace specsim::models::trace {

struct TraceWorkloadConfig {
  std::shared_ptr<const MatchRule> match_rule;
  std::optional<TextFeatureConfig> text_features;
  bool fit_agents = true;  // off-path calls from models fitted to the trace (else the scenario's)
  bool fitted_latency = false;   // `latency: fitted` (else recorded)
  // `latency: agents`: the committed path's calls drawn from the scenario's agent models, for
  // traces that record actions but no timings (Speculative Actions' logs).
  bool agent_latency = false;
  bool modelled_verdicts = false;  // `verdicts: model` (else recorded)
  // For fitted latencies: the models, or null to fit them to the trace itself.
  std::shared_ptr<const LatencyFit> latency_fit;
  // For modelled verdicts: the match rate, or none for the trace's own.
  std::optional<double> match_rate;
  // For modelled verdicts: the top-K curve whose ranks the misses draw (held-out predictions of
  // a trace with top-K candidates); none: one candidate.
  std::optional<TopKCurve> top_k;
  std::string file;        // where the trace was read from
};

class TraceWorkload final : public Workload {
 public:
  TraceWorkload(Trace trace, TraceWorkloadConfig config);
  void script(std::int64_t episode, int max_steps, const Agents& agents, const WorldStreams& streams,
              EpisodeScript& out) const override;
  void adapt_agents(Agents& agents) const override;
  std::vector<std::string> files() const override { return {config_.file}; }
  const Trace& trace() const { return trace_; }
  const TraceWorkloadConfig& config() const { return config_; }

 private:
  Trace trace_;
  TraceWorkloadConfig config_;
  std::vector<std::vector<double>> features_;  // per task: [step * dim + i]
  int feature_dim_ = 0;
};

// The fraction of guessed steps whose guess matches.
double match_rate(const Trace& trace, const MatchRule& rule);

// `{kind: trace, file: PATH, match_rule: exact, text_features: {dim: 64}, offpath: fitted,
// latency: recorded | fitted, verdicts: recorded | model}`;
// the file is relative to the scenario's folder.
std::unique_ptr<Workload> decode_trace_workload(const sim::ConfigNode& node);

}  // namespace specsim::models::trace
