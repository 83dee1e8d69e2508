#include "analysis/fleet_report.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstddef>
#include <cstring>

#include "analysis/h5_table.hpp"

namespace specsim::analysis {

namespace {

std::string percent(double x) { return std::isnan(x) ? "-" : fmt::format("{:.0f}%", 100 * x); }

// NaN (a bound the limit does not set) is null in JSON.
nlohmann::ordered_json number(double x) { return std::isnan(x) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(x); }

constexpr std::size_t kName = 64;

struct FleetH5Row {
  double load;
  char policy[kName];
  char kind[kName];
  std::int64_t tasks;
  double window_s, throughput_per_s, latency_mean_s, latency_p50_s, latency_p95_s, latency_p99_s, queue_delay_mean_s,
      rejections_per_task, cost_per_task_usd, sessions_mean, arrival_rate_per_s, little_error;
};

struct LimitH5Row {
  double load;
  char policy[kName];
  char limit[kName];
  double in_flight_utilisation, requests_utilisation, tokens_utilisation, wait_mean_s;
  std::int64_t rejections;
};

struct BreakEvenH5Row {
  char policy[kName];
  char kind[kName];
  double load;
};

struct TaskH5Row {
  double load;
  std::int32_t policy, replication;
  std::int64_t episode;
  double arrival_s, latency_s, queue_delay_s, cost_usd;
  std::int64_t rejections;
  std::int32_t steps;
  std::int32_t measured;
};

void copy_name(char (&to)[kName], const std::string& from) {
  std::memset(to, 0, kName);
  std::memcpy(to, from.data(), std::min(from.size(), kName - 1));
}

#define SPECSIM_FIELD(T, f, type) h5::Field { #f, offsetof(T, f), type }

}  // namespace

std::string format_fleet_table(const FleetResult& result) {
  std::string out;
  for (const FleetPoint& point : result.points) {
    out += fmt::format("load {:g} {}\n", point.load, result.load_unit);
    out += fmt::format("  {:<22} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>7} {:>9}  {}\n", "policy", "tasks", "tasks/s",
                       "p50 s", "p95 s", "p99 s", "queue s", "$/task", "429s", "Little", "limits used (in flight, rpm, tpm)");
    for (const FleetRow& r : point.rows) {
      std::string limits;
      for (const FleetLimitRow& l : r.limits)
        limits += fmt::format("{}{} {}/{}/{}", limits.empty() ? "" : "; ", l.name, percent(l.in_flight_utilisation),
                              percent(l.requests_utilisation), percent(l.tokens_utilisation));
      out += fmt::format("  {:<22} {:>7} {:>9.4g} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>10.5f} {:>7.3f} {:>8.2f}%  {}\n",
                         r.label, r.tasks, r.throughput_per_s, r.latency_p50_s, r.latency_p95_s, r.latency_p99_s,
                         r.queue_delay_mean_s, r.cost_per_task_usd, r.rejections_per_task, 100 * r.little_error, limits);
    }
  }
  if (result.points.size() > 1)
    for (const BreakEven& b : break_even_loads(result))
      out += std::isnan(b.load) ? fmt::format("{}: beats sequential on p95 latency at every load swept\n", b.label)
                                : fmt::format("{}: stops beating sequential on p95 latency at {:.3g} {}\n", b.label, b.load,
                                              result.load_unit);
  for (const FleetPoint& point : result.points)
    for (const FleetRow& r : point.rows)
      if (r.little_error > 0.01)
        out += fmt::format("note: {} at {:g} {}: Little's law is off by {:.1f}%: not in a steady state (overloaded, or "
                           "too few tasks for its latency)\n", r.label, point.load, result.load_unit, 100 * r.little_error);
  return out;
}

nlohmann::ordered_json fleet_json(const FleetResult& result) {
  nlohmann::ordered_json j;
  j["scenario"] = result.scenario;
  j["seed"] = result.seed;
  j["load_unit"] = result.load_unit;
  j["points"] = nlohmann::ordered_json::array();
  for (const FleetPoint& point : result.points) {
    nlohmann::ordered_json p;
    p["load"] = point.load;
    p["policies"] = nlohmann::ordered_json::array();
    for (const FleetRow& r : point.rows) {
      nlohmann::ordered_json row{{"name", r.label}, {"kind", r.kind}, {"tasks", r.tasks}, {"window_s", r.window_s},
                                 {"throughput_per_s", r.throughput_per_s}, {"latency_mean_s", r.latency_mean_s},
                                 {"latency_p50_s", r.latency_p50_s}, {"latency_p95_s", r.latency_p95_s},
                                 {"latency_p99_s", r.latency_p99_s}, {"queue_delay_mean_s", r.queue_delay_mean_s},
                                 {"rejections_per_task", r.rejections_per_task}, {"cost_per_task_usd", r.cost_per_task_usd},
                                 {"sessions_mean", r.sessions_mean}, {"arrival_rate_per_s", r.arrival_rate_per_s},
                                 {"little_error", r.little_error}};
      row["limits"] = nlohmann::ordered_json::array();
      for (const FleetLimitRow& l : r.limits)
        row["limits"].push_back({{"name", l.name}, {"in_flight_utilisation", number(l.in_flight_utilisation)},
                                 {"requests_utilisation", number(l.requests_utilisation)},
                                 {"tokens_utilisation", number(l.tokens_utilisation)}, {"wait_mean_s", l.wait_mean_s},
                                 {"rejections", l.rejections}});
      p["policies"].push_back(std::move(row));
    }
    j["points"].push_back(std::move(p));
  }
  j["break_even"] = nlohmann::ordered_json::array();
  for (const BreakEven& b : break_even_loads(result))
    j["break_even"].push_back({{"name", b.label}, {"kind", b.kind}, {"load", number(b.load)}});
  return j;
}

void write_fleet_h5(const std::string& path, const std::map<std::string, std::string>& attributes,
                    const FleetResult& result, sim::CommitGroup* group) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  {
    sim::AtomicFile target(path, group);
    {
      h5::Handle fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
      h5::check(H5Pset_attr_phase_change(fcpl.get(), 0, 0), "H5Pset_attr_phase_change");
      h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
      h5::check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), "H5Pset_libver_bounds");
      const hid_t f = H5Fcreate(target.temp_path().c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get());
      if (f < 0) throw std::runtime_error("cannot create result file " + target.temp_path());
      const h5::Handle file(f, H5Fclose);
      for (const auto& [name, value] : attributes) h5::set_string_attribute(f, name, value);
      h5::set_uint_attribute(f, "seed", result.seed);
      h5::set_string_attribute(f, "load_unit", result.load_unit);

      const h5::Handle name_type(h5::string_type(kName), H5Tclose);
      const hid_t s = name_type.get();
      h5::Table fleet(f, "fleet", sizeof(FleetH5Row),
                      {SPECSIM_FIELD(FleetH5Row, load, H5T_NATIVE_DOUBLE), SPECSIM_FIELD(FleetH5Row, policy, s),
                       SPECSIM_FIELD(FleetH5Row, kind, s), SPECSIM_FIELD(FleetH5Row, tasks, H5T_NATIVE_INT64),
                       SPECSIM_FIELD(FleetH5Row, window_s, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(FleetH5Row, throughput_per_s, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(FleetH5Row, latency_mean_s, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(FleetH5Row, latency_p50_s, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(FleetH5Row, latency_p95_s, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(FleetH5Row, latency_p99_s, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(FleetH5Row, queue_delay_mean_s, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(FleetH5Row, rejections_per_task, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(FleetH5Row, cost_per_task_usd, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(FleetH5Row, sessions_mean, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(FleetH5Row, arrival_rate_per_s, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(FleetH5Row, little_error, H5T_NATIVE_DOUBLE)});
      h5::Table limits(f, "fleet_limits", sizeof(LimitH5Row),
                       {SPECSIM_FIELD(LimitH5Row, load, H5T_NATIVE_DOUBLE), SPECSIM_FIELD(LimitH5Row, policy, s),
                        SPECSIM_FIELD(LimitH5Row, limit, s),
                        SPECSIM_FIELD(LimitH5Row, in_flight_utilisation, H5T_NATIVE_DOUBLE),
                        SPECSIM_FIELD(LimitH5Row, requests_utilisation, H5T_NATIVE_DOUBLE),
                        SPECSIM_FIELD(LimitH5Row, tokens_utilisation, H5T_NATIVE_DOUBLE),
                        SPECSIM_FIELD(LimitH5Row, wait_mean_s, H5T_NATIVE_DOUBLE),
                        SPECSIM_FIELD(LimitH5Row, rejections, H5T_NATIVE_INT64)});
      h5::Table tasks(f, "fleet_tasks", sizeof(TaskH5Row),
                      {SPECSIM_FIELD(TaskH5Row, load, H5T_NATIVE_DOUBLE), SPECSIM_FIELD(TaskH5Row, policy, H5T_NATIVE_INT32),
                       SPECSIM_FIELD(TaskH5Row, replication, H5T_NATIVE_INT32),
                       SPECSIM_FIELD(TaskH5Row, episode, H5T_NATIVE_INT64),
                       SPECSIM_FIELD(TaskH5Row, arrival_s, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(TaskH5Row, latency_s, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(TaskH5Row, queue_delay_s, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(TaskH5Row, cost_usd, H5T_NATIVE_DOUBLE),
                       SPECSIM_FIELD(TaskH5Row, rejections, H5T_NATIVE_INT64),
                       SPECSIM_FIELD(TaskH5Row, steps, H5T_NATIVE_INT32), SPECSIM_FIELD(TaskH5Row, measured, H5T_NATIVE_INT32)},
                      4096);
      h5::Table breaks(f, "fleet_break_even", sizeof(BreakEvenH5Row),
                       {SPECSIM_FIELD(BreakEvenH5Row, policy, s), SPECSIM_FIELD(BreakEvenH5Row, kind, s),
                        SPECSIM_FIELD(BreakEvenH5Row, load, H5T_NATIVE_DOUBLE)});
      for (const BreakEven& b : break_even_loads(result)) {
        BreakEvenH5Row row{{}, {}, b.load};
        copy_name(row.policy, b.label);
        copy_name(row.kind, b.kind);
        breaks.append(&row, 1);
      }
      for (const FleetPoint& point : result.points) {
        for (std::size_t p = 0; p < point.rows.size(); ++p) {
          const FleetRow& r = point.rows[p];
          FleetH5Row row{point.load, {}, {}, r.tasks, r.window_s, r.throughput_per_s, r.latency_mean_s, r.latency_p50_s,
                         r.latency_p95_s, r.latency_p99_s, r.queue_delay_mean_s, r.rejections_per_task, r.cost_per_task_usd,
                         r.sessions_mean, r.arrival_rate_per_s, r.little_error};
          copy_name(row.policy, r.label);
          copy_name(row.kind, r.kind);
          fleet.append(&row, 1);
          for (const FleetLimitRow& l : r.limits) {
            LimitH5Row lr{point.load, {}, {}, l.in_flight_utilisation, l.requests_utilisation, l.tokens_utilisation,
                          l.wait_mean_s, l.rejections};
            copy_name(lr.policy, r.label);
            copy_name(lr.limit, l.name);
            limits.append(&lr, 1);
          }
          std::vector<TaskH5Row> rows;
          rows.reserve(point.tasks[p].size());
          for (const FleetTask& t : point.tasks[p])
            rows.push_back({point.load, static_cast<std::int32_t>(p), t.replication, t.episode, t.arrival.seconds(),
                            t.latency.seconds(), t.waited.seconds(), t.cost_usd, t.rejections, t.steps, t.measured ? 1 : 0});
          if (!rows.empty()) tasks.append(rows.data(), rows.size());
        }
      }
      for (h5::Table* table : {&fleet, &limits, &breaks, &tasks}) table->finish();
    }
    target.commit();
  }
}

#undef SPECSIM_FIELD

}  // namespace specsim::analysis
