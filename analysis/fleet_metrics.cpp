#include "analysis/fleet_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace specsim::analysis {

namespace {

// Nearest rank: the smallest value with at least q of the values at or below it.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

FleetRow fleet_row(const std::string& label, const std::string& kind, const std::vector<models::LimitSpec>& limits,
                   const std::vector<FleetReplication>& reps) {
  FleetRow row;
  row.label = label;
  row.kind = kind;
  std::vector<double> latencies;
  double latency_sum = 0, waited_sum = 0, cost_sum = 0;
  std::int64_t rejections = 0, in_flight_ns = 0;
  sim::Time window;
  std::vector<models::LimitUsage> usage(limits.size());
  for (const FleetReplication& r : reps) {
    window += r.window;
    in_flight_ns += r.in_flight_ns;
    for (std::size_t l = 0; l < usage.size(); ++l) usage[l] = usage[l] + r.usage[l];
    for (const FleetTask& t : r.tasks) {
      if (!t.measured) continue;
      ++row.tasks;
      latencies.push_back(t.latency.seconds());
      latency_sum += t.latency.seconds();
      waited_sum += t.waited.seconds();
      cost_sum += t.cost_usd;
      rejections += t.rejections;
    }
  }
  row.window_s = window.seconds();
  const double n = static_cast<double>(std::max<std::int64_t>(row.tasks, 1));
  std::sort(latencies.begin(), latencies.end());
  row.throughput_per_s = row.window_s > 0 ? static_cast<double>(row.tasks) / row.window_s : 0;
  row.arrival_rate_per_s = row.throughput_per_s;
  row.latency_mean_s = latency_sum / n;
  row.latency_p50_s = quantile(latencies, 0.50);
  row.latency_p95_s = quantile(latencies, 0.95);
  row.latency_p99_s = quantile(latencies, 0.99);
  row.queue_delay_mean_s = waited_sum / n;
  row.rejections_per_task = static_cast<double>(rejections) / n;
  row.cost_per_task_usd = cost_sum / n;
  row.sessions_mean = row.window_s > 0 ? static_cast<double>(in_flight_ns) / 1e9 / row.window_s : 0;
  const double little = row.arrival_rate_per_s * row.latency_mean_s;
  row.little_error = row.sessions_mean > 0 ? std::fabs(row.sessions_mean - little) / row.sessions_mean : 0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t l = 0; l < usage.size(); ++l) {
    const models::LimitSpec& spec_l = limits[l];
    const models::LimitUsage& u = usage[l];
    const double minutes = row.window_s / 60;
    FleetLimitRow lr;
    lr.name = spec_l.name;
    lr.in_flight_utilisation = spec_l.max_in_flight > 0 ? static_cast<double>(u.busy_ns) / 1e9 / (row.window_s * spec_l.max_in_flight) : nan;
    lr.requests_utilisation = spec_l.requests_per_min > 0 ? static_cast<double>(u.requests) / (minutes * static_cast<double>(spec_l.requests_per_min)) : nan;
    lr.tokens_utilisation = spec_l.tokens_per_min > 0 ? static_cast<double>(u.tokens) / (minutes * static_cast<double>(spec_l.tokens_per_min)) : nan;
    lr.wait_mean_s = u.requests > 0 ? static_cast<double>(u.wait_ns) / 1e9 / static_cast<double>(u.requests) : 0;
    lr.rejections = u.rejections;
    row.limits.push_back(lr);
  }
  return row;
}

std::vector<BreakEven> break_even_loads(const FleetResult& result) {
  std::vector<BreakEven> out;
  if (result.points.empty()) return out;
  const auto& first = result.points.front().rows;
  const auto seq = std::find_if(first.begin(), first.end(), [](const FleetRow& r) { return r.kind == "sequential"; });
  if (seq == first.end()) return out;
  const auto s = static_cast<std::size_t>(seq - first.begin());
  for (std::size_t p = 0; p < first.size(); ++p) {
    if (p == s) continue;
    BreakEven b{first[p].label, first[p].kind, std::numeric_limits<double>::quiet_NaN()};
    double before = 0, load_before = 0;
    for (std::size_t i = 0; i < result.points.size(); ++i) {
      const FleetPoint& point = result.points[i];
      const double gap = point.rows[p].latency_p95_s - point.rows[s].latency_p95_s;
      if (gap >= 0) {
        b.load = i == 0 ? point.load : load_before + (point.load - load_before) * (-before) / (gap - before);
        break;
      }
      before = gap;
      load_before = point.load;
    }
    out.push_back(b);
  }
  return out;
}

}  // namespace specsim::analysis
