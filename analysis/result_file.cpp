#include "analysis/result_file.hpp"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "analysis/h5_table.hpp"
#include "analysis/stored_summary.hpp"
#include "sim/files.hpp"

namespace specsim::analysis {

namespace {

#define SPECSIM_FIELD(T, member, type) h5::Field{#member, offsetof(T, member), type}

std::vector<h5::Field> episode_fields() {
  using E = EpisodeMetrics;
  return {SPECSIM_FIELD(E, episode, H5T_NATIVE_INT64), SPECSIM_FIELD(E, steps, H5T_NATIVE_INT32),
          SPECSIM_FIELD(E, rounds, H5T_NATIVE_INT32), SPECSIM_FIELD(E, terminated, H5T_NATIVE_INT32),
          SPECSIM_FIELD(E, latency_s, H5T_NATIVE_DOUBLE), SPECSIM_FIELD(E, cost_usd, H5T_NATIVE_DOUBLE),
          SPECSIM_FIELD(E, unnecessary_cost_usd, H5T_NATIVE_DOUBLE),
          SPECSIM_FIELD(E, speculation_cost_usd, H5T_NATIVE_DOUBLE),
          SPECSIM_FIELD(E, calls_target, H5T_NATIVE_INT32), SPECSIM_FIELD(E, calls_approx, H5T_NATIVE_INT32),
          SPECSIM_FIELD(E, calls_cancelled, H5T_NATIVE_INT32),
          SPECSIM_FIELD(E, input_tokens_target, H5T_NATIVE_INT64),
          SPECSIM_FIELD(E, output_tokens_target, H5T_NATIVE_INT64),
          SPECSIM_FIELD(E, input_tokens_approx, H5T_NATIVE_INT64),
          SPECSIM_FIELD(E, output_tokens_approx, H5T_NATIVE_INT64),
          SPECSIM_FIELD(E, concurrency_mean, H5T_NATIVE_DOUBLE),
          SPECSIM_FIELD(E, concurrency_peak, H5T_NATIVE_INT32), SPECSIM_FIELD(E, mean_k, H5T_NATIVE_DOUBLE),
          SPECSIM_FIELD(E, k_cut_rounds, H5T_NATIVE_INT32),
          SPECSIM_FIELD(E, calls_environment, H5T_NATIVE_INT32),
          SPECSIM_FIELD(E, environment_ahead_calls, H5T_NATIVE_INT32),
          SPECSIM_FIELD(E, environment_cost_usd, H5T_NATIVE_DOUBLE),
          SPECSIM_FIELD(E, environment_wasted_cost_usd, H5T_NATIVE_DOUBLE)};
}

std::vector<h5::Field> call_fields() {
  using C = CallRow;
  return {SPECSIM_FIELD(C, episode, H5T_NATIVE_INT64), SPECSIM_FIELD(C, round, H5T_NATIVE_INT32),
          SPECSIM_FIELD(C, pos, H5T_NATIVE_INT32), SPECSIM_FIELD(C, step, H5T_NATIVE_INT32),
          SPECSIM_FIELD(C, call_index, H5T_NATIVE_INT32), SPECSIM_FIELD(C, agent, H5T_NATIVE_UINT8),
          SPECSIM_FIELD(C, status, H5T_NATIVE_UINT8), SPECSIM_FIELD(C, role, H5T_NATIVE_UINT8),
          SPECSIM_FIELD(C, on_path, H5T_NATIVE_UINT8), SPECSIM_FIELD(C, requested_s, H5T_NATIVE_DOUBLE),
          SPECSIM_FIELD(C, started_s, H5T_NATIVE_DOUBLE), SPECSIM_FIELD(C, ended_s, H5T_NATIVE_DOUBLE),
          SPECSIM_FIELD(C, input_tokens, H5T_NATIVE_INT32), SPECSIM_FIELD(C, output_tokens, H5T_NATIVE_INT32),
          SPECSIM_FIELD(C, billed_input_tokens, H5T_NATIVE_INT32),
          SPECSIM_FIELD(C, billed_output_tokens, H5T_NATIVE_INT32), SPECSIM_FIELD(C, cost_usd, H5T_NATIVE_DOUBLE)};
}

std::vector<h5::Field> round_fields() {
  using R = RoundRow;
  return {SPECSIM_FIELD(R, episode, H5T_NATIVE_INT64), SPECSIM_FIELD(R, round, H5T_NATIVE_INT32),
          SPECSIM_FIELD(R, start_step, H5T_NATIVE_INT32), SPECSIM_FIELD(R, k, H5T_NATIVE_INT32),
          SPECSIM_FIELD(R, committed, H5T_NATIVE_INT32), SPECSIM_FIELD(R, mismatch, H5T_NATIVE_INT32),
          SPECSIM_FIELD(R, start_s, H5T_NATIVE_DOUBLE), SPECSIM_FIELD(R, end_s, H5T_NATIVE_DOUBLE)};
}

std::vector<h5::Field> learning_fields() {
  using L = LearningRow;
  return {SPECSIM_FIELD(L, episode, H5T_NATIVE_INT64), SPECSIM_FIELD(L, predictions, H5T_NATIVE_INT32),
          SPECSIM_FIELD(L, evaluated, H5T_NATIVE_INT32), SPECSIM_FIELD(L, accuracy, H5T_NATIVE_DOUBLE),
          SPECSIM_FIELD(L, mae, H5T_NATIVE_DOUBLE), SPECSIM_FIELD(L, mean_k, H5T_NATIVE_DOUBLE),
          SPECSIM_FIELD(L, training_jobs, H5T_NATIVE_INT32), SPECSIM_FIELD(L, staleness, H5T_NATIVE_DOUBLE)};
}

std::vector<h5::Field> k_count_fields() {
  return {SPECSIM_FIELD(KCountRow, k, H5T_NATIVE_INT32), SPECSIM_FIELD(KCountRow, count, H5T_NATIVE_INT64)};
}

#undef SPECSIM_FIELD

// Numbers are stored as numbers: the run's episodes, and a sweep axis' value when it is one.
void set_attribute(hid_t file, const std::string& name, const std::string& value) {
  char* end = nullptr;
  if (name == "episodes") {
    const long long episodes = std::strtoll(value.c_str(), &end, 10);
    if (!value.empty() && *end == '\0') return h5::set_int_attribute(file, name, episodes);
  }
  if (name.rfind("axis:", 0) == 0) {
    const double number = std::strtod(value.c_str(), &end);
    if (!value.empty() && *end == '\0' && std::isfinite(number)) return h5::set_double_attribute(file, name, number);
  }
  h5::set_string_attribute(file, name, value);
}

h5::Handle group_without_times(hid_t parent, const std::string& name) {
  h5::Handle gcpl(H5Pcreate(H5P_GROUP_CREATE), H5Pclose);
  h5::check(H5Pset_obj_track_times(gcpl.get(), false), "H5Pset_obj_track_times");
  h5::check(H5Pset_attr_phase_change(gcpl.get(), 0, 0), "H5Pset_attr_phase_change");
  hid_t g = H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT);
  if (g < 0) throw std::runtime_error("HDF5: cannot create group " + name);
  return h5::Handle(g, H5Gclose);
}

}  // namespace

std::string policy_group_name(const std::string& label) {
  std::string s = label;
  for (char& c : s)
    if (c == '/') c = '_';  // the only character an HDF5 link name cannot hold
  return s;
}

struct ResultFile::Impl {
  Impl(std::string path, sim::CommitGroup* group) : target(std::move(path), group) {}
  // Declared first, so destroyed last: the HDF5 handles close before an uncommitted file goes.
  sim::AtomicFile target;
  h5::Handle file;
  struct PolicyTables {
    h5::Handle group;
    std::unique_ptr<h5::Table> episodes, rounds, calls, learning;
  };
  std::vector<PolicyTables> policies;
};

ResultFile::ResultFile(std::string path, const std::map<std::string, std::string>& attributes,
                       std::uint64_t seed, const std::vector<PolicyInfo>& policies, sim::CommitGroup* group)
    : impl_(std::make_unique<Impl>(std::move(path), group)) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become exceptions, not stderr dumps
  const std::string& temp = impl_->target.temp_path();
  // Attributes of any size (the scenario text, a policy's config) need dense attribute storage,
  // which needs the 1.8 file format: compact storage stops at 64 KB per object.
  h5::Handle fcpl = h5::file_creation_without_times();
  h5::check(H5Pset_attr_phase_change(fcpl.get(), 0, 0), "H5Pset_attr_phase_change");
  h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  h5::check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), "H5Pset_libver_bounds");
  hid_t f = H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get());
  if (f < 0) throw std::runtime_error("cannot create result file " + temp);
  impl_->file = h5::Handle(f, H5Fclose);
  for (const auto& [name, value] : attributes) set_attribute(f, name, value);
  h5::set_uint_attribute(f, "seed", seed);

  h5::Handle root = group_without_times(f, "policies");
  for (std::size_t i = 0; i < policies.size(); ++i) {
    Impl::PolicyTables t;
    t.group = group_without_times(root.get(), policy_group_name(policies[i].label));
    h5::set_string_attribute(t.group.get(), "label", policies[i].label);
    h5::set_string_attribute(t.group.get(), "kind", policies[i].kind);
    h5::set_string_attribute(t.group.get(), "config", policies[i].config);
    h5::set_int_attribute(t.group.get(), "index", static_cast<long long>(i));
    t.episodes = std::make_unique<h5::Table>(t.group.get(), "episodes", sizeof(EpisodeMetrics), episode_fields());
    t.rounds = std::make_unique<h5::Table>(t.group.get(), "rounds", sizeof(RoundRow), round_fields(), 256);
    t.calls = std::make_unique<h5::Table>(t.group.get(), "calls", sizeof(CallRow), call_fields(), 256);
    h5::set_string_attribute(t.calls->dataset(), "agent", "0 approx, 1 target, 2 environment");
    h5::set_string_attribute(t.calls->dataset(), "status", "2 finished, 3 cancelled, 4 cancelled while queued");
    h5::set_string_attribute(t.calls->dataset(), "role", "1 committed, 2 speculation, 3 wasted");
    impl_->policies.push_back(std::move(t));
  }
}

ResultFile::~ResultFile() = default;

void ResultFile::add_episodes(std::size_t policy, const std::vector<EpisodeMetrics>& rows) {
  impl_->policies.at(policy).episodes->append(rows.data(), rows.size());
}
void ResultFile::add_rounds(std::size_t policy, const std::vector<RoundRow>& rows) {
  impl_->policies.at(policy).rounds->append(rows.data(), rows.size());
}
void ResultFile::add_calls(std::size_t policy, const std::vector<CallRow>& rows) {
  impl_->policies.at(policy).calls->append(rows.data(), rows.size());
}

void ResultFile::add_learning(std::size_t policy, const std::vector<LearningRow>& rows) {
  auto& t = impl_->policies.at(policy);
  if (!t.learning) t.learning = std::make_unique<h5::Table>(t.group.get(), "learning", sizeof(LearningRow), learning_fields());
  t.learning->append(rows.data(), rows.size());
}

void ResultFile::write_summary(const std::vector<SummaryRow>& rows) {
  for (std::size_t p = 0; p < rows.size() && p < impl_->policies.size(); ++p) {
    std::vector<KCountRow> counts;
    for (std::size_t k = 0; k < rows[p].k_histogram.size(); ++k)
      if (rows[p].k_histogram[k] > 0) counts.push_back({static_cast<std::int32_t>(k), rows[p].k_histogram[k]});
    h5::Table histogram(impl_->policies[p].group.get(), "k_histogram", sizeof(KCountRow), k_count_fields(), 64);
    histogram.append(counts.data(), counts.size());
    histogram.finish();
  }

  h5::Handle name_type(h5::string_type(32), H5Tclose), label_type(h5::string_type(kLabelSize), H5Tclose);
  h5::Table table(impl_->file.get(), "summary", sizeof(StoredSummary),
                  summary_fields(name_type.get(), label_type.get(), 0), 64);
  std::vector<StoredSummary> records;
  for (const SummaryRow& row : rows) records.push_back(to_stored(row));
  table.append(records.data(), records.size());
  table.finish();
}

void ResultFile::commit() {
  for (auto& t : impl_->policies)
    for (h5::Table* table : {t.episodes.get(), t.rounds.get(), t.calls.get(), t.learning.get()})
      if (table) table->finish();
  impl_->policies.clear();
  h5::check(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), "H5Fflush");
  impl_->file = h5::Handle();
  impl_->target.commit();
}

}  // namespace specsim::analysis
