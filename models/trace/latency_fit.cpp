#include "models/trace/latency_fit.hpp"

#include <algorithm>
#include <cmath>
#include <climits>
#include <numeric>

namespace specsim::models::trace {

namespace {

struct Sample {
  double input, output, latency;
};

// Least squares over the terms `use` selects, by the normal equations (3 x 3 at most).
std::array<double, 3> solve(const std::vector<Sample>& s, std::array<bool, 3> use) {
  std::array<std::array<double, 4>, 3> a{};
  for (const Sample& x : s) {
    const std::array<double, 3> row{1.0, x.input, x.output};
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) a[i][j] += row[i] * row[j];
      a[i][3] += row[i] * x.latency;
    }
  }
  std::vector<int> idx;
  for (int i = 0; i < 3; ++i)
    if (use[static_cast<std::size_t>(i)]) idx.push_back(i);
  // Gaussian elimination with partial pivoting on the chosen rows and columns.
  const std::size_t n = idx.size();
  std::vector<std::vector<double>> m(n, std::vector<double>(n + 1));
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < n; ++c) m[r][c] = a[static_cast<std::size_t>(idx[r])][static_cast<std::size_t>(idx[c])];
    m[r][n] = a[static_cast<std::size_t>(idx[r])][3];
  }
  std::array<double, 3> b{0, 0, 0};
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::abs(m[r][c]) > std::abs(m[p][c])) p = r;
    std::swap(m[c], m[p]);
    if (std::abs(m[c][c]) < 1e-12) return {-1, -1, -1};  // singular: not a usable subset
    for (std::size_t r = 0; r < n; ++r) {
      if (r == c) continue;
      const double f = m[r][c] / m[c][c];
      for (std::size_t k = c; k <= n; ++k) m[r][k] -= f * m[c][k];
    }
  }
  for (std::size_t r = 0; r < n; ++r) b[static_cast<std::size_t>(idx[r])] = m[r][n] / m[r][r];
  return b;
}

// Non-negative least squares by trying every subset of the three terms (the best feasible one):
// a negative time to first token or rate would make short calls take negative time.
KindLatency fit_kind(const std::vector<Sample>& s) {
  KindLatency k;
  k.samples = s.size();
  if (s.empty()) return k;
  double best = -1;
  std::array<double, 3> chosen{std::accumulate(s.begin(), s.end(), 0.0, [](double a, const Sample& x) { return a + x.latency; }) /
                                   static_cast<double>(s.size()), 0, 0};
  for (int mask = 1; mask < 8; ++mask) {
    const std::array<double, 3> b = solve(s, {(mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0});
    if (b[0] < 0 || b[1] < 0 || b[2] < 0) continue;
    double sq = 0;
    for (const Sample& x : s) sq += std::pow(b[0] + b[1] * x.input + b[2] * x.output - x.latency, 2);
    if (best < 0 || sq < best) {
      best = sq;
      chosen = b;
    }
  }
  k.ttft_s = chosen[0];
  k.prefill_s = chosen[1];
  k.decode_s = chosen[2];
  for (const Sample& x : s) {
    const double line = k.line_s(static_cast<std::int64_t>(x.input), static_cast<std::int64_t>(x.output));
    if (line > 0) k.residuals.push_back(x.latency / line);
  }
  const double mean = k.residuals.empty() ? 1.0
                                          : std::accumulate(k.residuals.begin(), k.residuals.end(), 0.0) /
                                                static_cast<double>(k.residuals.size());
  for (double& r : k.residuals) r /= mean;
  std::sort(k.residuals.begin(), k.residuals.end());
  return k;
}

// Visits every recorded call of the chosen tasks that took one attempt: (kind, call).
template <class F>
void for_each_call(const Trace& trace, std::span<const std::size_t> tasks, F&& f) {
  for (std::size_t t : tasks) {
    for (const Step& step : trace.tasks[t].steps) {
      for (std::size_t c = 0; c < step.target.calls.size(); ++c)
        if (step.target.calls[c].attempts == 1) f(call_kind(sim::Agent::target, c), step.target.calls[c]);
      if (step.approx)
        for (const Call& call : step.approx->calls)
          if (call.attempts == 1) f(CallKind::guess, call);
    }
  }
}

}  // namespace

const char* name(CallKind kind) {
  switch (kind) {
    case CallKind::guess: return "guess";
    case CallKind::thought: return "thought";
    case CallKind::action: return "action";
  }
  return "?";
}

double LatencyFit::expected_s(CallKind kind, std::int64_t input, std::int64_t output) const {
  return std::max(0.0, session * of(kind).line_s(input, output));
}

ScriptedCall LatencyFit::draw(CallKind kind, const Call& recorded, sim::RandomStream& rng) const {
  const KindLatency& k = of(kind);
  double factor = 1;
  if (!k.residuals.empty())
    factor = k.residuals[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(k.residuals.size()) - 1))];
  const double seconds = expected_s(kind, recorded.input_tokens, recorded.output_tokens) * factor;
  const double first = std::min(seconds, session * factor * (k.ttft_s + k.prefill_s * static_cast<double>(recorded.input_tokens)));
  const auto in = static_cast<std::int32_t>(std::min<std::int64_t>(recorded.input_tokens, INT32_MAX));
  const auto out = static_cast<std::int32_t>(std::min<std::int64_t>(recorded.output_tokens, INT32_MAX));
  const auto attempts = static_cast<int>(std::clamp<std::int64_t>(recorded.attempts, 1, 32767));
  return ScriptedCall{sim::Time::from_seconds(seconds), sim::Time::from_seconds(std::max(0.0, first)),
                      sim::CallTokens{in, out, out}, attempts};
}

sim::Time LatencyFit::draw_predictor(sim::RandomStream& rng) const {
  if (predictor_s.empty()) return sim::Time::zero();
  return sim::Time::from_seconds(
      predictor_s[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(predictor_s.size()) - 1))]);
}

LatencyFit fit_latency(const Trace& trace, std::span<const std::size_t> tasks) {
  std::array<std::vector<Sample>, kCallKinds> samples;
  for_each_call(trace, tasks, [&](CallKind kind, const Call& c) {
    samples[static_cast<std::size_t>(kind)].push_back(
        {static_cast<double>(c.input_tokens), static_cast<double>(c.output_tokens), c.latency.seconds()});
  });
  LatencyFit fit;
  for (int k = 0; k < kCallKinds; ++k) fit.kinds[static_cast<std::size_t>(k)] = fit_kind(samples[static_cast<std::size_t>(k)]);
  for (std::size_t t : tasks)
    for (const Round& r : trace.tasks[t].rounds)
      if (r.predictor_latency) fit.predictor_s.push_back(r.predictor_latency->seconds());
  return fit;
}

LatencyFit fit_latency(const Trace& trace) {
  std::vector<std::size_t> all(trace.tasks.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  return fit_latency(trace, all);
}

double session_factor(const LatencyFit& fit, const Trace& trace, std::span<const std::size_t> tasks) {
  double measured = 0, fitted = 0;
  for_each_call(trace, tasks, [&](CallKind kind, const Call& c) {
    measured += c.latency.seconds();
    fitted += fit.of(kind).line_s(c.input_tokens, c.output_tokens);
  });
  return fitted > 0 && measured > 0 ? measured / fitted : 1.0;
}

}  // namespace specsim::models::trace
