#include "analysis/report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace specsim::analysis {

std::string format_table(const std::vector<SummaryRow>& rows) {
  std::size_t width = 6;
  for (const auto& r : rows) width = std::max(width, r.label.size());
  std::string out = fmt::format("{:<{}}  {:>8} {:>6} {:>17} {:>8} {:>8} {:>14} {:>11} {:>11} {:>10} {:>6} {:>6} {:>9}\n",
                                "policy", width, "episodes", "steps", "latency s (95%CI)", "p50 s", "p95 s",
                                "speedup", "cost $/ep", "cost ratio", "waste $/ep", "k", "calls", "conc/peak");
  for (const auto& r : rows) {
    out += fmt::format("{:<{}}  {:>8} {:>6.2f} {:>8.3f} ±{:<8.3f} {:>8.3f} {:>8.3f} {:>6.3f} ±{:<6.3f} {:>11.5f} {:>11.3f} {:>10.5f} {:>6.2f} {:>6.1f} {:>5.2f}/{:<3}\n",
                       r.label, width, r.episodes, r.steps, r.latency_mean_s, r.latency_ci95_s, r.latency_p50_s,
                       r.latency_p95_s, r.speedup, r.speedup_ci95, r.cost_usd, r.cost_ratio,
                       r.unnecessary_cost_usd, r.mean_k, r.calls_target + r.calls_approx, r.concurrency_mean,
                       r.concurrency_peak);
  }
  return out;
}

std::string summary_json(const std::string& scenario, std::uint64_t seed, const std::vector<SummaryRow>& rows) {
  nlohmann::ordered_json doc;
  doc["scenario"] = scenario;
  doc["seed"] = seed;
  doc["policies"] = nlohmann::ordered_json::array();
  for (const auto& r : rows) {
    nlohmann::ordered_json p;
    p["name"] = r.name;
    p["label"] = r.label;
    p["episodes"] = r.episodes;
    p["steps"] = r.steps;
    p["latency_mean_s"] = r.latency_mean_s;
    p["latency_p50_s"] = r.latency_p50_s;
    p["latency_p95_s"] = r.latency_p95_s;
    p["speedup"] = r.speedup;
    p["cost_usd"] = r.cost_usd;
    p["unnecessary_cost_usd"] = r.unnecessary_cost_usd;
    p["calls_target"] = r.calls_target;
    p["calls_approx"] = r.calls_approx;
    p["calls_cancelled"] = r.calls_cancelled;
    p["concurrency_mean"] = r.concurrency_mean;
    p["concurrency_peak"] = r.concurrency_peak;
    if (r.learner) {
      nlohmann::ordered_json l;
      l["mean_k"] = r.mean_k;
      l["accuracy"] = r.learner->accuracy;
      l["mae"] = r.learner->mae;
      l["predictions"] = r.learner->predictions;
      l["training_jobs"] = r.learner->training_jobs;
      l["staleness_mean"] = r.learner->staleness_mean;
      l["k_histogram"] = r.k_histogram;
      p["learner"] = std::move(l);
    }
    doc["policies"].push_back(std::move(p));
  }
  return doc.dump(2) + "\n";
}

}  // namespace specsim::analysis
