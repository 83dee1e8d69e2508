#include "tools/runner/advice.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "analysis/result_reader.hpp"
#include "analysis/stored_summary.hpp"
#include "sim/files.hpp"
#include "sim/input_error.hpp"
#include "tools/runner/sweep.hpp"

namespace specsim::runner {

namespace fs = std::filesystem;

namespace {

constexpr double kZ95 = 1.959964;

// One result file's summary (or a JSON summary's), and where it sits in a sweep.
struct Source {
  std::string file;  // empty for a JSON summary: no episodes to pair
  std::uint64_t seed = 0;      // a sweep run's (one file's policies share their episodes anyway)
  // A sweep run's axis values: of the world axes, of the decision axes, and of the decision axes
  // outside the policies (the agents' models: they may change every policy's results).
  std::string world, setting, choice;
  std::vector<analysis::SummaryRow> rows;
  std::vector<std::string> configs;  // per row: the policy's config, which tells settings apart
  analysis::Objective stated;
};

// The figures advice reads from a JSON summary; an optional one missing is NaN (not stated).
struct SummaryField {
  const char* key;
  double analysis::SummaryRow::*member;
  bool required;
};
constexpr SummaryField kSummaryFields[] = {
    {"latency_mean_s", &analysis::SummaryRow::latency_mean_s, true},
    {"latency_ci95_s", &analysis::SummaryRow::latency_ci95_s, false},
    {"latency_p95_s", &analysis::SummaryRow::latency_p95_s, true},
    {"latency_p99_s", &analysis::SummaryRow::latency_p99_s, true},
    {"cost_usd", &analysis::SummaryRow::cost_usd, true},
    {"cost_ci95_usd", &analysis::SummaryRow::cost_ci95_usd, false},
    {"seconds_saved_s", &analysis::SummaryRow::seconds_saved_s, true},
    {"seconds_saved_ci95_s", &analysis::SummaryRow::seconds_saved_ci95_s, false},
    {"extra_cost_usd", &analysis::SummaryRow::extra_cost_usd, true},
    {"extra_cost_ci95_usd", &analysis::SummaryRow::extra_cost_ci95_usd, false},
    {"net_value_usd", &analysis::SummaryRow::net_value_usd, false},
    {"net_value_ci95_usd", &analysis::SummaryRow::net_value_ci95_usd, false},
};

Source json_source(const std::string& path) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(sim::read_text_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw sim::InputError(path, 0, 0, "", std::string("not a JSON summary: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("policies") || !doc["policies"].is_array())
    throw sim::InputError(path, 0, 0, "policies", "not a specsim JSON summary (no policies list)");
  Source s;
  if (doc.contains("objective")) {
    const std::string text = doc["objective"].dump();  // JSON is YAML: decode it as a scenario's
    s.stated = analysis::decode_objective(sim::ConfigNode::load_string(text, path + " (objective)"));
  }
  for (std::size_t i = 0; i < doc["policies"].size(); ++i) {
    const auto& p = doc["policies"][i];
    const std::string field = "policies[" + std::to_string(i) + "]";
    for (const char* key : {"name", "label"})
      if (!p.contains(key) || !p[key].is_string()) throw sim::InputError(path, 0, 0, field + "." + key, "expected a string");
    analysis::SummaryRow r;
    if (!p.contains("episodes") || !p["episodes"].is_number())
      throw sim::InputError(path, 0, 0, field + ".episodes", "expected a number (a summary of this specsim version)");
    r.name = p["name"];
    r.label = p["label"];
    r.episodes = p["episodes"];
    for (const auto& [key, member, required] : kSummaryFields) {
      if (p.contains(key) && p[key].is_number())
        r.*member = p[key].get<double>();
      else if (required)
        throw sim::InputError(path, 0, 0, field + "." + key, "expected a number (a summary of this specsim version)");
      else
        r.*member = std::nan("");
    }
    s.rows.push_back(r);
    s.configs.push_back(r.label);
  }
  return s;
}

Source h5_source(const std::string& path) {
  Source s;
  s.file = path;
  s.rows = analysis::read_summary(path);
  for (const auto& r : s.rows) s.configs.push_back(analysis::read_policy_attribute(path, r.label, "config"));
  if (const auto text = analysis::read_root_attribute(path, "scenario_yaml"))
    s.stated = analysis::objective_of_scenario_text(*text, path + " (scenario_yaml)");
  return s;
}

std::vector<Source> sweep_sources(const std::string& dir) {
  const nlohmann::json m = read_sweep_manifest(dir);
  std::vector<Source> sources;
  for (const auto& run : m["runs"]) {
    const std::string file = dir + "/runs/" + run["id"].get<std::string>() + ".h5";
    if (!fs::exists(file)) continue;
    Source s = h5_source(file);
    s.seed = run["seed"].get<std::uint64_t>();
    for (std::size_t a = 0; a < m["axes"].size(); ++a) {
      const auto& axis = m["axes"][a];
      const std::string path = axis["path"].get<std::string>();
      // Folders written before axes said so: by the path.
      const bool decision = axis.contains("decision") ? axis["decision"].get<bool>() : decision_by_default(path);
      const std::string value = path + "=" + run["values"][a].get<std::string>();
      std::string& part = decision ? s.setting : s.world;
      part += (part.empty() ? "" : ", ") + value;
      if (decision && path.rfind("policies", 0) != 0) s.choice += (s.choice.empty() ? "" : ", ") + value;
    }
    sources.push_back(std::move(s));
  }
  if (sources.empty()) throw sim::InputError(dir, 0, 0, "runs", "the sweep folder holds no finished run");
  return sources;
}

std::vector<Source> load_sources(const std::string& results) {
  if (fs::is_directory(results)) return sweep_sources(results);
  if (!fs::exists(results)) throw sim::InputError(results, 0, 0, "", "no such file or folder");
  if (fs::path(results).extension() == ".json") return {json_source(results)};
  return {h5_source(results)};
}

analysis::Objective merged(const analysis::Objective& stated, const analysis::Objective& given) {
  analysis::Objective o = stated;
  if (given.value_of_time_usd_per_s) o.value_of_time_usd_per_s = given.value_of_time_usd_per_s;
  if (given.slo) o.slo = given.slo;
  if (given.budget_usd_per_episode) o.budget_usd_per_episode = given.budget_usd_per_episode;
  return o;
}

enum class Rule { net_value, latency, cost };

Rule rule_of(const analysis::Objective& o, const std::string& results) {
  if (o.value_of_time_usd_per_s) return Rule::net_value;
  if (o.budget_usd_per_episode) return Rule::latency;
  if (o.slo) return Rule::cost;
  throw sim::InputError(results, 0, 0, "objective",
                        "states no objective: add `objective: {value_of_time_usd_per_s: ..., slo: {p95: SECONDS}, "
                        "budget_usd_per_episode: ...}` to the scenario, or give --value-of-time, --slo-p95, "
                        "--slo-p99 or --budget");
}

std::string rule_text(Rule rule) {
  switch (rule) {
    case Rule::net_value: return "the highest net value per episode (value of time x seconds saved - dollars added)";
    case Rule::latency: return "the lowest mean latency within the budget";
    case Rule::cost: return "the lowest cost per episode within the SLO";
  }
  return "";
}

// Lower is better: the figure the rule minimises, per episode.
double score(Rule rule, const analysis::Objective& o, double latency_s, double cost_usd) {
  switch (rule) {
    case Rule::net_value: return cost_usd + *o.value_of_time_usd_per_s * latency_s;
    case Rule::latency: return latency_s;
    case Rule::cost: return cost_usd;
  }
  return 0;
}

double candidate_score(Rule rule, const Candidate& c) {
  return rule == Rule::net_value ? -c.net_value_usd : rule == Rule::latency ? c.latency_mean_s : c.cost_usd;
}

double candidate_ci(Rule rule, const Candidate& c) {
  return rule == Rule::net_value ? c.net_value_ci95_usd : rule == Rule::latency ? c.latency_ci95_s : c.cost_ci95_usd;
}

// Pools a policy's rows over seeds: means weighted by episodes, independent seeds' intervals.
struct Pool {
  Candidate c;
  double lat = 0, cost = 0, net = 0, lat_var = 0, cost_var = 0, net_var = 0;
  void add(const analysis::SummaryRow& r, double net_value, double net_ci, const Source& s) {
    const auto n = static_cast<double>(r.episodes);
    c.episodes += r.episodes;
    lat += n * r.latency_mean_s;
    cost += n * r.cost_usd;
    net += n * net_value;
    lat_var += std::pow(n * r.latency_ci95_s, 2);
    cost_var += std::pow(n * r.cost_ci95_usd, 2);
    net_var += std::pow(n * net_ci, 2);
    if (!s.file.empty()) c.episodes_from.push_back({s.file, r.label, s.seed});
  }
  Candidate done(const analysis::Objective& o, double slo_s) {
    const auto n = static_cast<double>(c.episodes);
    c.latency_mean_s = lat / n;
    c.cost_usd = cost / n;
    c.net_value_usd = net / n;
    c.latency_ci95_s = std::sqrt(lat_var) / n;
    c.cost_ci95_usd = std::sqrt(cost_var) / n;
    c.net_value_ci95_usd = std::sqrt(net_var) / n;
    c.latency_slo_s = o.slo ? slo_s : 0;
    return c;
  }
};

// The net value under `o`: as stored if the run stated the same value of time; otherwise from the
// seconds saved and dollars added, with an interval bounded by the sum of theirs.
std::pair<double, double> net_value(const analysis::SummaryRow& r, const analysis::Objective& stated,
                                    const analysis::Objective& o) {
  if (!o.value_of_time_usd_per_s) return {std::nan(""), std::nan("")};
  const double v = *o.value_of_time_usd_per_s;
  if (stated.value_of_time_usd_per_s == o.value_of_time_usd_per_s && !std::isnan(r.net_value_usd))
    return {r.net_value_usd, r.net_value_ci95_usd};
  return {v * r.seconds_saved_s - r.extra_cost_usd, v * r.seconds_saved_ci95_s + r.extra_cost_ci95_usd};
}

// Paired per-episode difference of the rule's score (b minus a), over the seeds both ran.
std::optional<Difference> paired(Rule rule, const analysis::Objective& o, const Candidate& a, const Candidate& b) {
  if (a.episodes_from.empty() || a.episodes_from.size() != b.episodes_from.size()) return std::nullopt;
  double sum = 0, sum2 = 0;
  std::int64_t n = 0;
  for (std::size_t s = 0; s < a.episodes_from.size(); ++s) {
    const Candidate::EpisodesOf &from_a = a.episodes_from[s], &from_b = b.episodes_from[s];
    if (from_a.seed != from_b.seed) return std::nullopt;
    const auto ea = analysis::read_episode_outcomes(from_a.file, from_a.label);
    const auto eb = analysis::read_episode_outcomes(from_b.file, from_b.label);
    if (ea.size() != eb.size()) return std::nullopt;
    for (std::size_t i = 0; i < ea.size(); ++i) {
      if (ea[i].episode != eb[i].episode) return std::nullopt;
      const double d = score(rule, o, eb[i].latency_s, eb[i].cost_usd) - score(rule, o, ea[i].latency_s, ea[i].cost_usd);
      sum += d;
      sum2 += d * d;
      ++n;
    }
  }
  if (n < 2) return std::nullopt;
  const double mean = sum / static_cast<double>(n);
  const double var = std::max(0.0, (sum2 - static_cast<double>(n) * mean * mean) / static_cast<double>(n - 1));
  return Difference{mean, kZ95 * std::sqrt(var / static_cast<double>(n)), n};
}

// Whether a policy's (label, config) gives other figures under other choices of a decision axis
// outside the policies (an agent's model) for some seed: then each choice is a setting of its
// own; else (sequential, which never calls A) the choices are one setting.
std::set<std::pair<std::string, std::string>> moved_by_choices(const std::vector<const Source*>& sources) {
  std::map<std::tuple<std::string, std::string, std::uint64_t>, std::pair<double, double>> first;
  std::set<std::pair<std::string, std::string>> moved;
  for (const Source* s : sources)
    for (std::size_t i = 0; i < s->rows.size(); ++i) {
      const analysis::SummaryRow& r = s->rows[i];
      const auto figures = std::pair{r.latency_mean_s, r.cost_usd};
      const auto [it, inserted] = first.try_emplace({r.label, s->configs[i], s->seed}, figures);
      if (!inserted && it->second != figures) moved.insert({r.label, s->configs[i]});
    }
  return moved;
}

Advice advise_world(const std::string& world, const std::vector<const Source*>& sources, Rule rule,
                    const analysis::Objective& o) {
  // A (label, config) is one setting, and under each choice of the agents' models one if the
  // choices move its figures; the same setting in two runs of one seed is one result.
  const auto moved = moved_by_choices(sources);
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, Pool> pools;
  std::map<std::pair<std::string, std::string>, double> slo;
  std::map<std::tuple<std::string, std::string, std::uint64_t>, bool> seen;
  std::map<std::string, std::string> config_of_label;
  for (const Source* s : sources) {
    for (std::size_t i = 0; i < s->rows.size(); ++i) {
      const analysis::SummaryRow& r = s->rows[i];
      const std::string label = moved.count({r.label, s->configs[i]}) ? r.label + " [" + s->choice + "]" : r.label;
      const std::pair<std::string, std::string> key{label, s->configs[i]};
      if (seen[{key.first, key.second, s->seed}]) continue;
      seen[{key.first, key.second, s->seed}] = true;
      if (!pools.count(key)) {
        order.push_back(key);
        Pool& p = pools[key];
        p.c.kind = r.name;
        // Two settings under one label (a swept field the label does not show): name the setting.
        const bool clash = config_of_label.count(label) && config_of_label[label] != key.second;
        p.c.label = clash ? label + " [" + s->setting + "]" : label;
        config_of_label.emplace(label, key.second);
      }
      const auto [net, net_ci] = net_value(r, s->stated, o);
      pools[key].add(r, net, net_ci, *s);
      if (o.slo) {
        const double q = o.slo->quantile > 0.98 ? r.latency_p99_s : r.latency_p95_s;
        slo[key] = std::max(slo[key], q);
      }
    }
  }
  Advice advice;
  advice.world = world;
  advice.rule = rule_text(rule);
  std::vector<Candidate> feasible;
  for (const auto& key : order) {
    Candidate c = pools[key].done(o, slo[key]);
    if (c.kind == "oracle") {
      advice.bound = c;
      continue;
    }
    ++advice.candidates;
    const bool within_slo = !o.slo || c.latency_slo_s <= o.slo->seconds;
    const bool within_budget = !o.budget_usd_per_episode || c.cost_usd <= *o.budget_usd_per_episode;
    if (within_slo && within_budget) feasible.push_back(std::move(c));
    else ++advice.infeasible;
  }
  std::stable_sort(feasible.begin(), feasible.end(),
                   [rule](const Candidate& a, const Candidate& b) { return candidate_score(rule, a) < candidate_score(rule, b); });
  if (!feasible.empty()) advice.best = feasible[0];
  if (feasible.size() > 1) {
    advice.runner_up = feasible[1];
    advice.difference = paired(rule, o, feasible[0], feasible[1]);
    if (!advice.difference) {
      const double ca = candidate_ci(rule, feasible[0]), cb = candidate_ci(rule, feasible[1]);
      advice.difference = Difference{candidate_score(rule, feasible[1]) - candidate_score(rule, feasible[0]),
                                     std::sqrt(ca * ca + cb * cb), 0};
    }
  }
  return advice;
}

std::string objective_text(const analysis::Objective& o) {
  std::vector<std::string> parts;
  if (o.value_of_time_usd_per_s) parts.push_back(fmt::format("a second is worth ${}", *o.value_of_time_usd_per_s));
  if (o.slo) parts.push_back(fmt::format("{} latency <= {} s", o.slo->name(), o.slo->seconds));
  if (o.budget_usd_per_episode) parts.push_back(fmt::format("cost <= ${} per episode", *o.budget_usd_per_episode));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

std::string candidate_line(const char* role, const Candidate& c, const analysis::Objective& o) {
  const bool net = o.value_of_time_usd_per_s.has_value();
  std::string line = fmt::format("  {:<10} {}: ", role, c.label);
  if (net) line += fmt::format("net value ${:.5f} ±{:.5f}/episode, ", c.net_value_usd, c.net_value_ci95_usd);
  line += fmt::format("latency {:.3f} ±{:.3f} s, cost ${:.5f} ±{:.5f}/episode", c.latency_mean_s, c.latency_ci95_s,
                      c.cost_usd, c.cost_ci95_usd);
  if (o.slo) line += fmt::format(", {} {:.3f} s", o.slo->name(), c.latency_slo_s);
  return line + "\n";
}

}  // namespace

AdviceReport advise(const std::string& results, const analysis::Objective& given) {
  const std::vector<Source> sources = load_sources(results);
  AdviceReport report;
  report.objective = merged(sources.front().stated, given);
  const Rule rule = rule_of(report.objective, results);
  std::vector<std::string> worlds;
  std::map<std::string, std::vector<const Source*>> by_world;
  for (const Source& s : sources) {
    if (!by_world.count(s.world)) worlds.push_back(s.world);
    by_world[s.world].push_back(&s);
  }
  for (const auto& w : worlds) report.worlds.push_back(advise_world(w, by_world[w], rule, report.objective));
  return report;
}

std::string format_advice(const AdviceReport& report) {
  const bool net = report.objective.value_of_time_usd_per_s.has_value();
  std::string out = "objective: " + objective_text(report.objective) + "\n";
  if (!report.worlds.empty()) out += "ranked by " + report.worlds.front().rule + "\n";
  for (const Advice& a : report.worlds) {
    if (!a.world.empty()) out += a.world + ":\n";
    if (!a.best) {
      out += fmt::format("  no policy meets the constraints ({} of {} fail them)\n", a.infeasible, a.candidates);
      continue;
    }
    out += candidate_line("best", *a.best, report.objective);
    if (a.runner_up) {
      out += candidate_line("runner-up", *a.runner_up, report.objective);
      const Difference& d = *a.difference;
      const std::string how = d.pairs > 0 ? fmt::format("paired over {} episodes", d.pairs)
                                          : "from the two intervals: no episodes to pair";
      const bool seconds = !net && a.rule.find("latency") != std::string::npos;
      out += fmt::format("  difference {}{:.5f} ±{:.5f}{} per episode ({}): {}\n", seconds ? "" : "$", d.mean, d.ci95,
                         seconds ? " s" : "", how,
                         d.significant() ? "significant" : "not significant, the two are equally good on this evidence");
    }
    if (a.infeasible > 0) out += fmt::format("  {} of {} policies fail the SLO or the budget\n", a.infeasible, a.candidates);
    if (a.bound) out += candidate_line("bound", *a.bound, report.objective);
  }
  return out;
}

}  // namespace specsim::runner
