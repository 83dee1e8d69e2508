#include "models/trace/fitted_agents.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace specsim::models::trace {

namespace {

// y = a + b x by least squares, with b >= 0 (prompts grow, latencies rise with output).
std::pair<double, double> line_fit(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  const double var = sxx - sx * sx / n;
  double b = var > 1e-12 ? (sxy - sx * sy / n) / var : 0.0;
  b = std::max(0.0, b);
  const double a = std::max(0.0, (sy - b * sx) / n);
  return {a, b};
}

struct CallSamples {
  std::vector<double> step, input, output, latency;
};

}  // namespace

AgentModel fit_agent(const Trace& trace, sim::Agent agent, const AgentModel& base) {
  std::map<std::size_t, int> calls_count;  // calls per step -> steps
  std::vector<CallSamples> by_call;
  for (const Task& task : trace.tasks) {
    for (std::size_t s = 0; s < task.steps.size(); ++s) {
      const Step& step = task.steps[s];
      const AgentStep* a = agent == sim::Agent::target ? &step.target : (step.approx ? &*step.approx : nullptr);
      if (!a || a->calls.empty()) continue;
      ++calls_count[a->calls.size()];
      if (by_call.size() < a->calls.size()) by_call.resize(a->calls.size());
      std::int64_t prior = 0;
      for (std::size_t c = 0; c < a->calls.size(); ++c) {
        const Call& call = a->calls[c];
        CallSamples& samples = by_call[c];
        samples.step.push_back(static_cast<double>(s));
        samples.input.push_back(static_cast<double>(call.input_tokens - prior));
        samples.output.push_back(static_cast<double>(call.output_tokens));
        samples.latency.push_back(call.latency.seconds() / static_cast<double>(std::max<std::int64_t>(1, call.attempts)));
        prior += call.output_tokens;
      }
    }
  }
  if (calls_count.empty()) return base;

  AgentModel m = base;
  m.candidates = 1;  // its tokens are the recorded calls', a top-K guess's whole list already
  m.calls_per_step = static_cast<int>(std::max_element(calls_count.begin(), calls_count.end(), [](auto& a, auto& b) {
                                        return a.second < b.second;
                                      })->first);
  by_call.resize(static_cast<std::size_t>(m.calls_per_step));

  // The prompt: the first call's size against the step index.
  const auto [input_base, input_per_step] = line_fit(by_call[0].step, by_call[0].input);
  m.input_base = input_base;
  m.input_per_step = input_per_step;

  // The output: a lognormal per call of the step (mean and sigma of the logs).
  m.output.clear();
  std::vector<double> out_all, latency_all;
  for (const CallSamples& c : by_call) {
    double mean = 0, log_sum = 0, log_sq = 0;
    int n = 0;
    for (double o : c.output) {
      mean += o;
      if (o > 0) {
        log_sum += std::log(o);
        log_sq += std::log(o) * std::log(o);
        ++n;
      }
    }
    mean = c.output.empty() ? 0.0 : mean / static_cast<double>(c.output.size());
    const double log_var = n > 1 ? std::max(0.0, (log_sq - log_sum * log_sum / n) / (n - 1)) : 0.0;
    m.output.push_back(TokenDistribution{mean, std::sqrt(log_var)});
    out_all.insert(out_all.end(), c.output.begin(), c.output.end());
    latency_all.insert(latency_all.end(), c.latency.begin(), c.latency.end());
  }

  // The latency: time to first token plus output / decode rate, from all of the agent's calls.
  const auto [ttft, per_token] = line_fit(out_all, latency_all);
  m.latency.kind = LatencyModel::Kind::tokens;
  m.latency.ttft_s = ttft;
  m.latency.prefill_tokens_per_s = 0;  // folded into the time to first token
  m.latency.decode_tokens_per_s = per_token > 0 ? 1.0 / per_token : 0.0;
  double sq = 0;
  int n = 0;
  for (std::size_t i = 0; i < out_all.size(); ++i) {
    const double predicted = ttft + per_token * out_all[i];
    if (predicted > 0 && latency_all[i] > 0) {
      const double r = std::log(latency_all[i] / predicted);
      sq += r * r;
      ++n;
    }
  }
  m.latency.jitter_sigma = n > 1 ? std::sqrt(sq / (n - 1)) : 0.0;
  return m;
}

}  // namespace specsim::models::trace
