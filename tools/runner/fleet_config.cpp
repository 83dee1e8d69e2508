#include "tools/runner/fleet_config.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "sim/files.hpp"
#include "sim/input_error.hpp"
#include "sim/registry.hpp"

namespace specsim::runner {

namespace {

// One time in seconds per line (blank lines and `#` comments skipped), in non-decreasing order.
std::vector<sim::Time> read_arrival_times(const std::string& path) {
  std::vector<sim::Time> times;
  int line_no = 0;
  sim::for_each_line(path, [&](std::string_view line) {
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.empty() || line.front() == '#') return;
    double s = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), s);
    if (ec != std::errc() || end != line.data() + line.size() || !std::isfinite(s) || s < 0 || s > 1e9)
      throw sim::InputError(path, line_no, 1, "arrival", "'" + std::string(line) + "' is not a time in seconds in [0, 1e9]");
    const sim::Time t = sim::Time::from_seconds(s);
    if (!times.empty() && t < times.back())
      throw sim::InputError(path, line_no, 1, "arrival", "arrival times must not decrease");
    times.push_back(t);
  });
  if (times.empty()) throw sim::InputError(path, 0, 0, "arrival", "the file holds no arrival time");
  return times;
}

// A number in [min, max], or a non-empty list of them (a sweep over load).
std::vector<double> one_or_list(const sim::ConfigNode& node, std::string_view key, double min, double max) {
  const sim::ConfigNode value = node.at(key);
  if (!value.is_sequence()) return {node.get_real(key, min, max)};
  if (value.items().empty()) value.fail("a list of loads must not be empty");
  std::vector<double> values;
  for (const sim::ConfigNode& item : value.items()) {
    const double v = item.as<double>();
    if (!(v >= min && v <= max)) item.fail(fmt::format("must be in [{:g}, {:g}]", min, max));
    values.push_back(v);
  }
  return values;
}

Arrivals decode_arrivals(const sim::ConfigNode& node, std::vector<double>& loads) {
  node.expect_map();
  using Kind = Arrivals::Kind;
  using R = sim::Registry<Kind>;
  static const R kinds{"arrivals kind", {{"poisson", R::constant(Kind::poisson)}, {"closed", R::constant(Kind::closed)},
                                         {"trace", R::constant(Kind::trace)}}};
  Arrivals a;
  a.kind = kinds.decode(node.at("kind"));
  switch (a.kind) {
    case Kind::poisson:
      node.expect_keys({"kind", "rate_per_s"});
      loads = one_or_list(node, "rate_per_s", 1e-6, 1e6);
      a.rate_per_s = loads.front();
      break;
    case Kind::closed:
      node.expect_keys({"kind", "users", "think_s"});
      loads = one_or_list(node, "users", 1, 1'000'000);
      for (std::size_t i = 0; i < loads.size(); ++i)
        if (loads[i] != std::floor(loads[i]))
          (node.at("users").is_sequence() ? node.at("users")[i] : node.at("users")).fail("must be a whole number of users");
      a.users = static_cast<int>(loads.front());
      a.think = node.get_seconds("think_s", sim::Time::zero());
      break;
    case Kind::trace: {
      node.expect_keys({"kind", "file"});
      const auto file = node.at("file");
      a.file = (std::filesystem::path(node.file()).parent_path() / file.as<std::string>()).lexically_normal().string();
      a.times = read_arrival_times(a.file);
      break;
    }
  }
  return a;
}

}  // namespace

FleetSpec decode_fleet(const sim::ConfigNode& node, const std::vector<std::string>& models) {
  node.expect_keys({"arrivals", "tasks", "duration_s", "warmup_s", "replications", "limits"});
  FleetSpec f;
  f.arrivals = decode_arrivals(node.at("arrivals"), f.loads);
  if (node.has("tasks") && node.has("duration_s")) node.fail("give tasks or duration_s, not both");
  if (node.has("tasks")) f.tasks = node.get_int("tasks", 1, 100'000'000);
  if (node.has("duration_s")) {
    f.duration = node.get_seconds("duration_s");
    if (*f.duration <= sim::Time::zero()) node.at("duration_s").fail("must be > 0");
  }
  if (!f.tasks && !f.duration) {
    if (f.arrivals.kind != Arrivals::Kind::trace) node.fail("give tasks or duration_s: when do arrivals stop?");
    f.tasks = static_cast<std::int64_t>(f.arrivals.times.size());
  }
  if (f.tasks && f.arrivals.kind == Arrivals::Kind::trace && *f.tasks > static_cast<std::int64_t>(f.arrivals.times.size()))
    node.at("tasks").fail("the arrivals file holds only " + std::to_string(f.arrivals.times.size()) + " times");
  f.warmup = node.get_seconds("warmup_s", sim::Time::zero());
  if (f.duration && f.warmup >= *f.duration) node.at("warmup_s").fail("must be below duration_s");
  f.replications = node.get_int("replications", 1, 100'000, 1);
  if (auto limits = node.find("limits")) f.limits = models::decode_limits(*limits, models);
  return f;
}

FleetSpec at_load(const FleetSpec& fleet, double load) {
  FleetSpec f = fleet;
  if (f.arrivals.kind == Arrivals::Kind::poisson) f.arrivals.rate_per_s = load;
  if (f.arrivals.kind == Arrivals::Kind::closed) f.arrivals.users = static_cast<int>(load);
  return f;
}

}  // namespace specsim::runner
