#include "analysis/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "analysis/stored_summary.hpp"

namespace specsim::analysis {

namespace {

// A figure that is undefined (NaN: no time saved, no value of time) prints as a dash.
std::string number(double v, int width, int precision) {
  if (std::isnan(v)) return fmt::format("{:>{}}", "-", width);
  return fmt::format("{:>{}.{}f}", v, width, precision);
}

bool lists_sequential(const std::vector<SummaryRow>& rows) {
  return std::any_of(rows.begin(), rows.end(), [](const SummaryRow& r) { return r.name == "sequential"; });
}

}  // namespace

std::string format_table(const std::vector<SummaryRow>& rows, const Objective& objective) {
  std::size_t width = 6;
  for (const auto& r : rows) width = std::max(width, r.label.size());
  const bool net = objective.value_of_time_usd_per_s.has_value();
  std::string out = fmt::format(
      "{:<{}}  {:>8} {:>6} {:>17} {:>8} {:>8} {:>8} {:>14} {:>11} {:>10} {:>16} {:>16} {:>10}{} {:>6} {:>6} {:>9}\n",
      "policy", width, "episodes", "steps", "latency s (95%CI)", "p50 s", "p95 s", "p99 s", "speedup", "cost $/ep",
      "cost ratio", "unnecessary $/ep", "speculation $/ep", "$/s saved", net ? fmt::format(" {:>11}", "net $/ep") : "",
      "k", "calls", "conc/peak");
  for (const auto& r : rows) {
    out += fmt::format("{:<{}}  {:>8} {:>6.2f} {:>8.3f} ±{:<8.3f} {:>8.3f} {:>8.3f} {:>8.3f} {:>6.3f} ±{:<6.3f} {:>11.5f} "
                       "{:>10.3f} {:>16.5f} {:>16.5f} {}{} {:>6.2f} {:>6.1f} {:>9}\n",
                       r.label, width, r.episodes, r.steps, r.latency_mean_s, r.latency_ci95_s, r.latency_p50_s,
                       r.latency_p95_s, r.latency_p99_s, r.speedup, r.speedup_ci95, r.cost_usd, r.cost_ratio,
                       r.unnecessary_cost_usd, r.speculation_cost_usd, number(r.usd_per_s_saved, 10, 5),
                       net ? " " + number(r.net_value_usd, 11, 5) : "", r.mean_k, r.calls_target + r.calls_approx,
                       fmt::format("{:.2f}/{}", r.concurrency_mean, r.concurrency_peak));
  }
  out += "± 95% interval; speedup, cost ratio and $/s saved (dollars added per second saved) pair each episode with "
         "sequential's run of it";
  out += lists_sequential(rows) ? ".\n" : " (run as a baseline, not listed).\n";
  out += "unnecessary: calls off the committed path; speculation: A's matched guesses; k: mean look-ahead per round; "
         "calls: model calls per episode; conc/peak: mean/peak calls in flight";
  for (const auto& r : rows)
    if (r.k_cut_share > 0)
      out += fmt::format(";\n{}: k cut to the steps left before max_steps in {:.1f}% of rounds (k shows the cut k)",
                         r.label, 100 * r.k_cut_share);
  if (net)
    out += fmt::format(";\nnet $/ep: ${}/s times the seconds saved, less the dollars added",
                       *objective.value_of_time_usd_per_s);
  return out + ".\n";
}

nlohmann::ordered_json objective_json(const Objective& o) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (o.value_of_time_usd_per_s) j["value_of_time_usd_per_s"] = *o.value_of_time_usd_per_s;
  if (o.slo) j["slo"] = {{o.slo->name(), o.slo->seconds}};
  if (o.budget_usd_per_episode) j["budget_usd_per_episode"] = *o.budget_usd_per_episode;
  return j;
}

std::string summary_json(const std::string& scenario, std::uint64_t seed, const std::vector<SummaryRow>& rows,
                         const Objective& objective) {
  nlohmann::ordered_json doc;
  doc["scenario"] = scenario;
  doc["seed"] = seed;
  if (!objective.empty()) doc["objective"] = objective_json(objective);
  doc["policies"] = nlohmann::ordered_json::array();
  // The figures under the names of the HDF5 and CSV summaries (NaN, an undefined figure, as null).
  const std::vector<CsvColumn> columns = summary_csv_columns(0);
  for (const auto& r : rows) {
    const StoredSummary stored = to_stored(r);
    const char* at = reinterpret_cast<const char*>(&stored);
    nlohmann::ordered_json p;
    p["name"] = r.name;
    p["label"] = r.label;
    for (const CsvColumn& c : columns) {
      if (c.kind == CsvColumn::Kind::f64) {
        double v;
        std::memcpy(&v, at + c.offset, sizeof v);
        p[c.name] = std::isnan(v) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
      } else if (c.kind == CsvColumn::Kind::i64) {
        std::int64_t v;
        std::memcpy(&v, at + c.offset, sizeof v);
        p[c.name] = v;
      } else if (c.kind == CsvColumn::Kind::i32) {
        std::int32_t v;
        std::memcpy(&v, at + c.offset, sizeof v);
        p[c.name] = v;
      }
    }
    if (r.learner) {
      nlohmann::ordered_json l;
      l["mean_k"] = r.mean_k;
      l["accuracy"] = r.learner->accuracy;
      l["mae"] = r.learner->mae;
      l["predictions"] = r.learner->predictions;
      l["training_jobs"] = r.learner->training_jobs;
      l["diverged_jobs"] = r.learner->diverged_jobs;
      l["staleness_mean"] = r.learner->staleness_mean;
      l["k_histogram"] = r.k_histogram;
      p["learner"] = std::move(l);
    }
    doc["policies"].push_back(std::move(p));
  }
  return doc.dump(2) + "\n";
}

}  // namespace specsim::analysis
