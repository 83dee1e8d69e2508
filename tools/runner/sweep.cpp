#include "tools/runner/sweep.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "analysis/h5_table.hpp"
#include "analysis/stored_summary.hpp"
#include "sim/files.hpp"
#include "sim/random.hpp"
#include "sim/ordered_pool.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/scenario.hpp"

namespace fs = std::filesystem;

namespace specsim::runner {

namespace {

std::string hex(std::uint64_t v, int digits) { return fmt::format("{:0{}x}", v, 16).substr(0, static_cast<std::size_t>(digits)); }

// Values of a range axis, rounded so that 0.1 + 0.2 prints as 0.3.
std::vector<std::string> range_values(const sim::ConfigNode& axis) {
  const double from = axis.get<double>("from"), to = axis.get<double>("to"), step = axis.get<double>("step");
  if (step <= 0) axis.at("step").fail("must be > 0");
  if (to < from) axis.at("to").fail("must be >= from");
  std::vector<std::string> values;
  const auto n = static_cast<long long>(std::floor((to - from) / step + 1e-9));
  if (n > 100000) axis.fail("range has too many values");
  for (long long i = 0; i <= n; ++i) values.push_back(fmt::format("{}", std::round((from + static_cast<double>(i) * step) * 1e12) / 1e12));
  return values;
}

bool is_number(const std::string& s) {
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

// A field path such as `policies[1].k`: map keys and sequence indices.
struct PathStep {
  std::string key;
  long index = -1;
};

std::vector<PathStep> parse_path(const sim::ConfigNode& where, const std::string& path) {
  std::vector<PathStep> steps;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '[') {
      const auto close = path.find(']', i);
      if (close == std::string::npos) where.fail("malformed path '" + path + "'");
      const std::string digits = path.substr(i + 1, close - i - 1);
      long index = -1;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || index < 0 || index > 1'000'000)
        where.fail("malformed path '" + path + "': an index is a whole number in [0, 1000000], got '" + digits + "'");
      steps.push_back({"", index});
      i = close + 1;
      if (i < path.size() && path[i] == '.') ++i;
    } else {
      const auto end = path.find_first_of(".[", i);
      steps.push_back({path.substr(i, end - i), -1});
      i = end == std::string::npos ? path.size() : (path[end] == '.' ? end + 1 : end);
    }
  }
  if (steps.empty()) where.fail("empty path");
  return steps;
}

// The node at `path` inside `root` (which must exist: a sweep only changes what the base has).
YAML::Node at_path(YAML::Node root, const std::vector<PathStep>& steps, const sim::ConfigNode& where,
                   const std::string& path) {
  YAML::Node node = root;
  std::string walked;
  for (const PathStep& s : steps) {
    walked += s.index >= 0 ? "[" + std::to_string(s.index) + "]" : (walked.empty() ? "" : ".") + s.key;
    const bool found = s.index >= 0 ? node.IsSequence() && static_cast<std::size_t>(s.index) < node.size()
                                     : node.IsMap() && node[s.key];
    if (!found) where.fail("path '" + path + "' does not exist in the base scenario (no '" + walked + "')");
    node.reset(s.index >= 0 ? node[static_cast<std::size_t>(s.index)] : node[s.key]);
  }
  return node;
}

std::string emit(const YAML::Node& node) {
  YAML::Emitter out;
  out << node;
  return std::string(out.c_str()) + "\n";
}

// What the fingerprint hashes, one by one, so that a refusal can say what changed.
nlohmann::ordered_json input_hashes(const SweepSpec& spec) {
  return {{"sweep_file", hex(sim::hash_name(spec.text), 16)},
          {"base_scenario", hex(sim::hash_name(spec.base_text), 16)},
          {"episodes", spec.episodes ? std::to_string(*spec.episodes) : "the base scenario's"}};
}

std::string run_file(const std::string& dir, const SweepRun& run) { return dir + "/runs/" + run.id + ".h5"; }

nlohmann::ordered_json manifest(const SweepSpec& spec, const std::vector<SweepRun>& runs) {
  nlohmann::ordered_json m;
  m["sweep"] = spec.name;
  m["fingerprint"] = sweep_fingerprint(spec);
  m["inputs"] = input_hashes(spec);
  m["axes"] = nlohmann::ordered_json::array();
  for (const auto& a : spec.axes)
    m["axes"].push_back({{"path", a.path}, {"values", a.values}, {"numeric", a.numeric}, {"decision", a.decision}});
  m["runs"] = nlohmann::ordered_json::array();
  for (const auto& r : runs) m["runs"].push_back({{"index", r.index}, {"id", r.id}, {"seed", r.seed}, {"values", r.values}});
  return m;
}

// A manifest is read back from disk, where anything may have happened to it: every field the
// summary and the merge use is checked here, once (a short `values` list once read past its end).
void check_manifest(const nlohmann::json& m, const std::string& path) {
  const auto bad = [&](const std::string& field, const std::string& what) {
    throw sim::InputError(path, 0, 0, field, "not a sweep manifest: " + what);
  };
  if (!m.is_object()) bad("", "expected a JSON object");
  for (const char* key : {"sweep", "fingerprint"})
    if (!m.contains(key) || !m[key].is_string()) bad(key, "expected a string");
  if (!m.contains("axes") || !m["axes"].is_array()) bad("axes", "expected an array");
  if (!m.contains("runs") || !m["runs"].is_array()) bad("runs", "expected an array");
  for (std::size_t a = 0; a < m["axes"].size(); ++a) {
    const auto& axis = m["axes"][a];
    const std::string field = "axes[" + std::to_string(a) + "]";
    if (!axis.is_object() || !axis.contains("path") || !axis["path"].is_string() || !axis.contains("numeric") ||
        !axis["numeric"].is_boolean() || (axis.contains("decision") && !axis["decision"].is_boolean()))
      bad(field, "expected {path: string, numeric: bool, decision: bool}");
  }
  for (std::size_t i = 0; i < m["runs"].size(); ++i) {
    const auto& r = m["runs"][i];
    const std::string field = "runs[" + std::to_string(i) + "]";
    if (!r.is_object()) bad(field, "expected an object");
    // The id names a file below runs/: hexadecimal digits only, so no path can escape the folder.
    if (!r.contains("id") || !r["id"].is_string() || r["id"].get<std::string>().empty() ||
        r["id"].get<std::string>().size() > 16 ||
        r["id"].get<std::string>().find_first_not_of("0123456789abcdef") != std::string::npos)
      bad(field + ".id", "expected up to 16 hexadecimal digits");
    for (const char* key : {"index", "seed"})
      if (!r.contains(key) || !r[key].is_number_unsigned()) bad(field + "." + key, "expected a non-negative integer");
    if (!r.contains("values") || !r["values"].is_array() || r["values"].size() != m["axes"].size())
      bad(field + ".values", "expected one value per axis");
    for (const auto& v : r["values"])
      if (!v.is_string()) bad(field + ".values", "expected strings");
  }
}

nlohmann::json read_manifest(const std::string& dir) {
  const std::string path = dir + "/sweep.json";
  nlohmann::json m;
  try {
    m = nlohmann::json::parse(sim::read_text_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw sim::InputError(path, 0, 0, "", std::string("not a sweep manifest: ") + e.what());
  }
  check_manifest(m, path);
  return m;
}

// A run's summary rows as stored, by run id.
using StoredRuns = std::map<std::string, std::vector<analysis::StoredSummary>>;

// The merged summary of the runs listed in a manifest whose files are present: one row per run
// and policy, with the run's id, seed and axis values as columns. Written as HDF5 and CSV.
// `known` holds the rows of runs this process wrote: the same rows as their files', which are
// read only for the others (opening a file under HDF5's lock was most of this serial step).
std::size_t write_summary(const std::string& dir, const nlohmann::json& m, const StoredRuns& known = {}) {
  constexpr std::size_t kId = 24, kText = 64;
  struct Column {
    std::string name;
    bool numeric;
    std::size_t offset;
  };
  std::vector<Column> axes;
  std::size_t offset = kId + sizeof(std::uint64_t);
  for (const auto& a : m["axes"]) {
    const bool numeric = a["numeric"].get<bool>();
    axes.push_back({a["path"].get<std::string>(), numeric, offset});
    offset += numeric ? sizeof(double) : kText;
  }
  const std::size_t base = (offset + 7) / 8 * 8;
  const std::size_t row_size = base + sizeof(analysis::StoredSummary);

  std::vector<char> rows;
  std::size_t count = 0;
  for (const auto& r : m["runs"]) {
    const std::string id = r["id"].get<std::string>();
    std::vector<analysis::StoredSummary> read;
    const auto it = known.find(id);
    if (it == known.end()) {
      const std::string file = dir + "/runs/" + id + ".h5";
      if (!fs::exists(file)) continue;
      for (const analysis::SummaryRow& s : analysis::read_summary(file)) read.push_back(analysis::to_stored(s));
    }
    for (const analysis::StoredSummary& stored : it == known.end() ? read : it->second) {
      std::vector<char> row(row_size, 0);
      std::memcpy(row.data(), id.data(), std::min(id.size(), kId - 1));
      const std::uint64_t seed = r["seed"].get<std::uint64_t>();
      std::memcpy(row.data() + kId, &seed, sizeof seed);
      for (std::size_t a = 0; a < axes.size(); ++a) {
        const std::string v = r["values"][a].get<std::string>();
        if (axes[a].numeric) {
          const double d = std::strtod(v.c_str(), nullptr);
          std::memcpy(row.data() + axes[a].offset, &d, sizeof d);
        } else {
          std::memcpy(row.data() + axes[a].offset, v.data(), std::min(v.size(), kText - 1));
        }
      }
      std::memcpy(row.data() + base, &stored, sizeof stored);
      rows.insert(rows.end(), row.begin(), row.end());
      ++count;
    }
  }

  // The same column list drives the HDF5 table and the CSV file.
  using analysis::CsvColumn;
  analysis::h5::Handle id_type(analysis::h5::string_type(kId), H5Tclose), text_type(analysis::h5::string_type(kText), H5Tclose);
  analysis::h5::Handle name_type(analysis::h5::string_type(32), H5Tclose);
  analysis::h5::Handle label_type(analysis::h5::string_type(analysis::kLabelSize), H5Tclose);
  std::vector<analysis::h5::Field> fields{{"run_id", 0, id_type.get()}, {"seed", kId, H5T_NATIVE_UINT64}};
  std::vector<CsvColumn> columns{{"run_id", 0, CsvColumn::Kind::text, kId}, {"seed", kId, CsvColumn::Kind::u64, 0}};
  for (const auto& a : axes) {
    fields.push_back({a.name.c_str(), a.offset, a.numeric ? H5T_NATIVE_DOUBLE : text_type.get()});
    columns.push_back({a.name, a.offset, a.numeric ? CsvColumn::Kind::f64 : CsvColumn::Kind::text, kText});
  }
  for (const auto& f : analysis::summary_fields(name_type.get(), label_type.get(), base)) fields.push_back(f);
  for (const auto& c : analysis::summary_csv_columns(base)) columns.push_back(c);

  std::string csv;
  for (std::size_t c = 0; c < columns.size(); ++c) csv += (c ? "," : "") + columns[c].name;
  csv += "\n";
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t c = 0; c < columns.size(); ++c) csv += (c ? "," : "") + analysis::csv_cell(rows.data() + i * row_size, columns[c]);
    csv += "\n";
  }
  sim::write_file_atomically(dir + "/summary.csv", csv);

  sim::AtomicFile h5(dir + "/summary.h5");
  {
    const analysis::h5::Handle fcpl = analysis::h5::file_creation_without_times();
    analysis::h5::Handle file(H5Fcreate(h5.temp_path().c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT), H5Fclose);
    if (!file) throw std::runtime_error("cannot create " + h5.temp_path());
    analysis::h5::set_string_attribute(file.get(), "sweep", m["sweep"].get<std::string>());
    analysis::h5::set_string_attribute(file.get(), "fingerprint", m["fingerprint"].get<std::string>());
    analysis::h5::Table table(file.get(), "summary", row_size, fields, 256);
    table.append(rows.data(), count);
    table.finish();
  }
  h5.commit();
  return count;
}

// A folder holds one version of one sweep: runs of an edited sweep (or base scenario, or another
// --episodes) have other ids, and mixing them would summarise two experiments as one.
// `mine` is the manifest of the sweep about to write into `dir`.
void check_same_sweep(const std::string& dir, const nlohmann::json& mine) {
  if (!fs::exists(dir + "/sweep.json")) return;
  const nlohmann::json m = read_manifest(dir);
  if (m.value("fingerprint", "") == mine.value("fingerprint", "")) return;
  const std::string held = m.value("sweep", "?");
  if (held != mine.value("sweep", ""))
    throw sim::InputError(dir + "/sweep.json", 0, 0, "fingerprint",
                          "this results folder holds another sweep, '" + held +
                              "'; choose another -o folder, or remove this one");
  std::string changed;
  const nlohmann::json now = mine.value("inputs", nlohmann::json::object());
  const nlohmann::json before = m.value("inputs", nlohmann::json::object());
  for (const auto& [what, value] : now.items())
    if (!before.contains(what) || before[what] != value) changed += (changed.empty() ? "" : ", ") + what;
  throw sim::InputError(dir + "/sweep.json", 0, 0, "fingerprint",
                        "this results folder holds an earlier version of sweep '" + held + "' (changed since: " +
                            (changed.empty() ? "its inputs" : changed) +
                            "); its runs are not reused: choose another -o folder, or remove this one");
}

class Progress {
 public:
  Progress(std::size_t total, bool enabled) : total_(total), enabled_(enabled), tty_(::isatty(STDERR_FILENO)),
                                              start_(std::chrono::steady_clock::now()) {}
  void done_one() {
    std::lock_guard lock(mutex_);
    ++done_;
    if (!enabled_) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
    if (tty_) {
      const std::size_t width = 30, filled = total_ ? width * done_ / total_ : width;
      std::cerr << fmt::format("\r[{}{}] {}/{} runs, {:.2f} runs/s, ETA {:.0f} s ", std::string(filled, '#'),
                               std::string(width - filled, '.'), done_, total_, rate, eta)
                << (done_ == total_ ? "\n" : "") << std::flush;
    } else if (elapsed - last_line_ >= 10 || done_ == total_) {
      last_line_ = elapsed;
      std::cerr << fmt::format("sweep: {}/{} runs done, {:.2f} runs/s, ETA {:.0f} s\n", done_, total_, rate, eta);
    }
  }

 private:
  std::size_t total_, done_ = 0;
  bool enabled_, tty_;
  std::chrono::steady_clock::time_point start_;
  double last_line_ = -1e9;
  std::mutex mutex_;
};

}  // namespace

nlohmann::json read_sweep_manifest(const std::string& dir) { return read_manifest(dir); }

bool decision_by_default(std::string_view path) {
  return path.rfind("policies", 0) == 0 || path == "agents.approx.model" || path == "agents.target.model";
}

std::string sweep_fingerprint(const SweepSpec& spec) {
  const std::string episodes = spec.episodes ? std::to_string(*spec.episodes) : "";
  return hex(sim::hash_name(spec.text + '\0' + spec.base_text + '\0' + episodes), 16);
}

constexpr double kDefaultMaxRuns = 100'000;

SweepSpec load_sweep(const std::string& path) {
  const std::string text = sim::read_text_file(path);
  const sim::ConfigNode root = sim::ConfigNode::load_string(text, path);
  root.expect_keys({"name", "description", "base", "combine", "episodes", "seeds", "axes", "limits"});
  SweepSpec spec;
  spec.file = path;
  spec.name = root.get<std::string>("name");
  const sim::ConfigNode base = root.at("base");
  spec.base_file = (fs::path(path).parent_path() / base.as<std::string>()).lexically_normal().string();
  if (!fs::exists(spec.base_file)) base.fail("base scenario '" + spec.base_file + "' does not exist");
  spec.base_text = sim::read_text_file(spec.base_file);
  const Scenario scenario = parse_scenario(spec.base_text, spec.base_file);  // errors point into the base
  spec.warnings = scenario.warnings;

  const std::string combine = root.get<std::string>("combine", "product");
  if (combine != "product" && combine != "zip") root.at("combine").fail("expected product or zip");
  spec.zip = combine == "zip";
  if (root.has("episodes")) spec.episodes = root.get_int_min("episodes", 1);
  if (auto seeds = root.find("seeds")) {
    for (const auto& s : seeds->items()) {
      const auto seed = s.as<std::uint64_t>();
      if (std::find(spec.seeds.begin(), spec.seeds.end(), seed) != spec.seeds.end())
        s.fail("seed " + std::to_string(seed) + " is listed twice (its runs would be the same run)");
      spec.seeds.push_back(seed);
    }
    if (spec.seeds.empty()) seeds->fail("needs at least one seed");
  } else {
    spec.seeds.push_back(scenario.seed);
  }

  const sim::ConfigNode axes = root.at("axes");
  const auto items = axes.items();
  if (items.empty()) axes.fail("needs at least one axis");
  YAML::Node base_yaml = YAML::Load(spec.base_text);
  for (const auto& item : items) {
    item.expect_keys({"path", "values", "from", "to", "step", "decision"});
    SweepAxis axis;
    axis.path = item.get<std::string>("path");
    axis.decision = item.get<bool>("decision", decision_by_default(axis.path));
    if (axis.path == "seed" || axis.path == "episodes" || axis.path == "name")
      item.at("path").fail("the sweep itself sets '" + axis.path + "' (use `seeds:` or `episodes:` of the sweep; a sweep has one name)");
    for (const auto& other : spec.axes)
      if (other.path == axis.path) item.at("path").fail("'" + axis.path + "' is already an axis of this sweep");
    at_path(base_yaml, parse_path(item.at("path"), axis.path), item.at("path"), axis.path);
    if (auto values = item.find("values")) {
      for (const auto& v : values->items()) {
        const std::string value = v.as<std::string>();
        // Zipped, a value may repeat on one axis (tau 0.5 with several offsets); the points may not.
        if (!spec.zip && std::find(axis.values.begin(), axis.values.end(), value) != axis.values.end())
          v.fail("the value " + value + " is listed twice (its runs would be the same run)");
        axis.values.push_back(value);
      }
      if (axis.values.empty()) values->fail("an axis needs at least one value");
    } else {
      axis.values = range_values(item);
      if (axis.values.empty()) item.fail("an axis needs at least one value");
    }
    for (const auto& v : axis.values) axis.numeric = axis.numeric && is_number(v);
    spec.axes.push_back(axis);
  }
  if (spec.zip)
    for (std::size_t a = 1; a < spec.axes.size(); ++a)
      if (spec.axes[a].values.size() != spec.axes[0].values.size())
        items[a].fail(fmt::format("zipped axes must have the same length ({} has {} values, {} has {})", spec.axes[0].path,
                                  spec.axes[0].values.size(), spec.axes[a].path, spec.axes[a].values.size()));
  // Every run is expanded and checked before the first starts: a product with a list too many
  // would spend minutes and gigabytes on that alone.
  double max_runs = kDefaultMaxRuns;
  if (auto limits = root.find("limits")) {
    limits->expect_keys({"runs"});
    max_runs = limits->get_real("runs", 1, 1e9, max_runs);
  }
  double runs = static_cast<double>(spec.seeds.size());
  if (spec.zip) runs *= static_cast<double>(spec.axes[0].values.size());
  else
    for (const auto& axis : spec.axes) runs *= static_cast<double>(axis.values.size());
  if (runs > max_runs)
    axes.fail(fmt::format("the axes and seeds make {:.0f} runs, above the limit of {:.0f}; raise it with `limits: {{runs: N}}`",
                          runs, max_runs));
  if (spec.zip) {
    std::map<std::vector<std::string>, std::size_t> seen;  // point -> its first index
    for (std::size_t i = 0; i < spec.axes[0].values.size(); ++i) {
      std::vector<std::string> point;
      for (const auto& axis : spec.axes) point.push_back(axis.values[i]);
      if (const auto [it, fresh] = seen.emplace(std::move(point), i); !fresh)
        items[0].fail(fmt::format("zipped point {} repeats point {} on every axis (its runs would be the same run)", i + 1,
                                  it->second + 1));
    }
  }
  spec.text = text;
  return spec;
}

std::vector<SweepRun> expand_sweep(const SweepSpec& spec, int jobs) {
  // Grid points: the product (first axis outermost) or the zip of the axes' value lists.
  std::vector<std::vector<std::size_t>> points;
  if (spec.zip) {
    for (std::size_t i = 0; i < spec.axes[0].values.size(); ++i) points.emplace_back(spec.axes.size(), i);
  } else {
    points.emplace_back();
    for (const auto& axis : spec.axes) {
      std::vector<std::vector<std::size_t>> next;
      for (const auto& p : points)
        for (std::size_t v = 0; v < axis.values.size(); ++v) {
          next.push_back(p);
          next.back().push_back(v);
        }
      points = std::move(next);
    }
  }

  const sim::ConfigNode sweep_root = sim::ConfigNode::load_file(spec.file);
  const auto axis_nodes = sweep_root.at("axes").items();
  std::vector<std::vector<PathStep>> paths;
  for (std::size_t a = 0; a < spec.axes.size(); ++a) paths.push_back(parse_path(axis_nodes[a], spec.axes[a].path));

  // Writing and checking a run's scenario is a YAML parse or two: on a sweep of cheap runs it
  // was a tenth of the sweep's work, so blocks of runs are expanded on `jobs` threads. A run
  // depends on its index only; the blocks are gathered in order and the first invalid run (by
  // index) is the one reported, for any number of threads.
  struct Expanded {
    SweepRun run;
    std::string key, error;  // error: why its scenario is invalid
  };
  const std::size_t total = points.size() * spec.seeds.size();
  constexpr std::size_t kBlock = 8;
  const auto expand_block = [&](std::size_t, std::int64_t block) {
    const YAML::Node base = YAML::Load(spec.base_text);  // a tree per block: yaml-cpp shares nothing safely
    std::vector<Expanded> out;
    const std::size_t first = static_cast<std::size_t>(block) * kBlock;
    for (std::size_t i = first; i < std::min(total, first + kBlock); ++i) {
      Expanded e;
      SweepRun& run = e.run;
      const auto& point = points[i / spec.seeds.size()];
      run.index = i;
      run.seed = spec.seeds[i % spec.seeds.size()];
      YAML::Node doc = YAML::Clone(base);
      for (std::size_t a = 0; a < spec.axes.size(); ++a) {
        const SweepAxis& axis = spec.axes[a];
        const std::string& value = axis.values[point[a]];
        run.values.push_back(value);
        YAML::Node target = at_path(doc, paths[a], axis_nodes[a], axis.path);
        target = YAML::Load(value);
        e.key += axis.path + "=" + value + ";";
      }
      doc["seed"] = run.seed;
      if (spec.episodes) doc["episodes"] = *spec.episodes;
      run.scenario_text = emit(doc);
      // Everything that changes the run's result is in its scenario text: base, values, seed, episodes.
      run.id = hex(sim::hash_name(run.scenario_text), 12);
      try {
        parse_scenario(run.scenario_text, spec.base_file + " (run " + run.id + ")");
      } catch (const sim::InputError& error) {
        e.error = error.what();
      }
      out.push_back(std::move(e));
    }
    return out;
  };
  std::vector<SweepRun> runs;
  runs.reserve(total);
  const auto gather = [&](std::int64_t, std::vector<std::vector<Expanded>>& blocks) {
    for (Expanded& e : blocks.front()) {
      if (!e.error.empty())
        axis_nodes.front().fail("run " + e.run.id + " (" + e.key + " seed=" + std::to_string(e.run.seed) +
                                ") makes an invalid scenario: " + e.error);
      runs.push_back(std::move(e.run));
    }
  };
  sim::PoolOptions pool;
  pool.threads = std::max(1, jobs);
  pool.window = 4 * pool.threads;
  sim::run_ordered<std::vector<Expanded>>(static_cast<std::int64_t>((total + kBlock - 1) / kBlock), {false}, pool,
                                          expand_block, gather);
  return runs;
}

std::size_t run_sweep(const SweepSpec& spec, const SweepOptions& o, const std::atomic<bool>& stop) {
  const std::vector<SweepRun> runs = expand_sweep(spec, o.jobs);
  fs::create_directories(o.out_dir + "/runs");
  const sim::FolderLock lock(o.out_dir);
  const auto m = manifest(spec, runs);
  check_same_sweep(o.out_dir, nlohmann::json::parse(m.dump()));
  // Temporary files of a run that was killed are debris: its run is simply redone.
  for (const auto& entry : fs::directory_iterator(o.out_dir + "/runs"))
    if (sim::is_atomic_temporary(entry.path().filename().string())) fs::remove(entry.path());
  sim::write_file_atomically(o.out_dir + "/sweep.json", m.dump(2) + "\n");

  std::vector<const SweepRun*> todo;
  for (const auto& r : runs)
    if (static_cast<int>(r.index % static_cast<std::size_t>(o.shards)) == o.shard - 1 && !fs::exists(run_file(o.out_dir, r)))
      todo.push_back(&r);

  Progress progress(todo.size(), o.progress);
  std::atomic<std::size_t> done{0};
  StoredRuns written;
  std::mutex written_mutex;
  // Each run writes its own file, so the pool may finish them in any order (no ordered window).
  sim::PoolOptions pool;
  pool.threads = std::max(1, o.jobs);
  pool.window = static_cast<std::int64_t>(todo.size());
  pool.stop = &stop;
  const auto run_one = [&](std::size_t, std::int64_t i) {
    const SweepRun& run = *todo[static_cast<std::size_t>(i)];
    const Scenario scenario = parse_scenario(run.scenario_text, spec.base_file + " (run " + run.id + ")");
    std::map<std::string, std::string> attributes{{"scenario_name", scenario.name}, {"scenario_yaml", run.scenario_text},
                                                  {"sweep", spec.name}, {"run_id", run.id}};
    for (std::size_t a = 0; a < spec.axes.size(); ++a) attributes["axis:" + spec.axes[a].path] = run.values[a];
    RunOptions options;
    options.threads = 1;  // parallelism is across runs
    options.stop = &stop;  // a run in flight stops too, and leaves no file
    const RunOutcome outcome = run_to_file(scenario, options, run_file(o.out_dir, run), attributes);
    if (!outcome.completed) return false;
    std::vector<analysis::StoredSummary> stored;
    for (const analysis::SummaryRow& row : outcome.rows) stored.push_back(analysis::to_stored(row));
    {
      std::lock_guard hold(written_mutex);
      written.emplace(run.id, std::move(stored));
    }
    ++done;
    progress.done_one();
    return true;
  };
  sim::run_ordered<bool>(static_cast<std::int64_t>(todo.size()), {false}, pool, run_one,
                         [](std::int64_t, std::vector<bool>&) {});

  const std::size_t left = todo.size() - done;
  if (left == 0) {
    nlohmann::ordered_json mine = m;
    if (o.shards > 1) {
      mine["runs"] = nlohmann::ordered_json::array();
      for (const auto& r : m["runs"])
        if (static_cast<int>(r["index"].get<std::size_t>() % static_cast<std::size_t>(o.shards)) == o.shard - 1)
          mine["runs"].push_back(r);
    }
    write_summary(o.out_dir, nlohmann::json::parse(mine.dump()), written);
  }
  return left;
}

void merge_sweeps(const std::vector<std::string>& dirs, const std::string& out_dir) {
  if (dirs.empty()) throw sim::InputError("", 0, 0, "", "sweep merge needs at least one folder");
  nlohmann::json first = read_manifest(dirs.front());
  const std::string fingerprint = first.value("fingerprint", "");
  for (const auto& d : dirs) {
    const nlohmann::json m = read_manifest(d);
    if (m.value("fingerprint", "") != fingerprint)
      throw sim::InputError(d + "/sweep.json", 0, 0, "fingerprint",
                            "belongs to another sweep than " + dirs.front() + "; only shards of one sweep merge");
  }
  fs::create_directories(out_dir + "/runs");
  const sim::FolderLock lock(out_dir);
  check_same_sweep(out_dir, first);
  std::size_t missing = 0;
  for (const auto& r : first["runs"]) {
    const std::string name = r["id"].get<std::string>() + ".h5";
    bool found = fs::exists(out_dir + "/runs/" + name);
    for (const auto& d : dirs) {
      if (found) break;
      if (fs::exists(d + "/runs/" + name)) {
        sim::AtomicFile copy(out_dir + "/runs/" + name);
        fs::copy_file(d + "/runs/" + name, copy.temp_path(), fs::copy_options::overwrite_existing);
        copy.commit();
        found = true;
      }
    }
    missing += !found;
  }
  // Every shard holds the whole manifest, checked above: copied as written, the merged folder's
  // is the one a sweep run in one place writes.
  sim::write_file_atomically(out_dir + "/sweep.json", sim::read_text_file(dirs.front() + "/sweep.json"));
  write_summary(out_dir, first);
  if (missing) std::cerr << "specsim: warning: " << missing << " runs of the sweep are in none of the folders\n";
}

}  // namespace specsim::runner
