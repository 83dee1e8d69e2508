#include "analysis/stored_summary.hpp"

#include <algorithm>
#include <cstring>

#include "sim/input_error.hpp"

namespace specsim::analysis {

namespace {

void copy_string(char* dst, std::size_t size, const std::string& src) {
  std::memset(dst, 0, size);
  std::memcpy(dst, src.data(), std::min(size - 1, src.size()));
}

}  // namespace

std::vector<h5::Field> summary_fields(hid_t name_type, hid_t label_type, std::size_t base) {
  using S = StoredSummary;
#define SPECSIM_SUMMARY(member, type) h5::Field{#member, base + offsetof(S, r) + offsetof(SummaryFigures, member), type}
  return {h5::Field{"name", base + offsetof(S, name), name_type}, h5::Field{"label", base + offsetof(S, label), label_type},
          SPECSIM_SUMMARY(episodes, H5T_NATIVE_INT64), SPECSIM_SUMMARY(steps, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(latency_mean_s, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(latency_ci95_s, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(latency_p50_s, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(latency_p50_lo_s, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(latency_p50_hi_s, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(latency_p95_s, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(latency_p95_lo_s, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(latency_p95_hi_s, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(speedup, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(speedup_ci95, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(cost_usd, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(cost_ci95_usd, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(cost_ratio, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(cost_ratio_ci95, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(unnecessary_cost_usd, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(speculation_cost_usd, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(calls_target, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(calls_approx, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(calls_cancelled, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(concurrency_mean, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(concurrency_peak, H5T_NATIVE_INT32), SPECSIM_SUMMARY(mean_k, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(latency_p99_s, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(latency_p99_lo_s, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(latency_p99_hi_s, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(unnecessary_cost_ci95_usd, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(speculation_cost_ci95_usd, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(mean_k_ci95, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(seconds_saved_s, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(seconds_saved_ci95_s, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(extra_cost_usd, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(extra_cost_ci95_usd, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(usd_per_s_saved, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(usd_per_s_saved_ci95, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(net_value_usd, H5T_NATIVE_DOUBLE), SPECSIM_SUMMARY(net_value_ci95_usd, H5T_NATIVE_DOUBLE),
          SPECSIM_SUMMARY(k_cut_share, H5T_NATIVE_DOUBLE)};
#undef SPECSIM_SUMMARY
}

StoredSummary to_stored(const SummaryRow& row) {
  StoredSummary s{};
  copy_string(s.name, sizeof(s.name), row.name);
  copy_string(s.label, sizeof(s.label), row.label);
  s.r = static_cast<const SummaryFigures&>(row);
  return s;
}

std::vector<SummaryRow> read_summary(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw sim::InputError(path, 0, 0, "", "not a readable HDF5 result file");
  h5::Handle file(f, H5Fclose);
  hid_t d = H5Dopen2(f, "summary", H5P_DEFAULT);
  if (d < 0) throw sim::InputError(path, 0, 0, "summary", "missing table (is this a specsim run file?)");
  h5::Handle dataset(d, H5Dclose);
  h5::Handle space(H5Dget_space(d), H5Sclose);
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  h5::Handle name_type(h5::string_type(32), H5Tclose), label_type(h5::string_type(kLabelSize), H5Tclose);
  h5::Handle type(H5Tcreate(H5T_COMPOUND, sizeof(StoredSummary)), H5Tclose);
  for (const h5::Field& field : summary_fields(name_type.get(), label_type.get(), 0))
    h5::check(H5Tinsert(type.get(), field.name, field.offset, field.type), "H5Tinsert");
  std::vector<StoredSummary> records(n);
  const h5::Handle transfer = h5::transfer_for(n * sizeof(StoredSummary));
  if (n > 0) h5::check(H5Dread(d, type.get(), H5S_ALL, H5S_ALL, transfer.get(), records.data()), "H5Dread");
  std::vector<SummaryRow> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    static_cast<SummaryFigures&>(rows[i]) = records[i].r;
    rows[i].name = records[i].name;
    rows[i].label = records[i].label;
  }
  return rows;
}

std::vector<CsvColumn> summary_csv_columns(std::size_t base) {
  h5::Handle name_type(h5::string_type(32), H5Tclose), label_type(h5::string_type(kLabelSize), H5Tclose);
  std::vector<CsvColumn> columns;
  for (const h5::Field& f : summary_fields(name_type.get(), label_type.get(), base)) {
    CsvColumn c{f.name, f.offset, CsvColumn::Kind::f64, 0};
    if (H5Tequal(f.type, H5T_NATIVE_INT64) > 0) c.kind = CsvColumn::Kind::i64;
    else if (H5Tequal(f.type, H5T_NATIVE_INT32) > 0) c.kind = CsvColumn::Kind::i32;
    else if (H5Tget_class(f.type) == H5T_STRING) {
      c.kind = CsvColumn::Kind::text;
      c.size = H5Tget_size(f.type);
    }
    columns.push_back(c);
  }
  return columns;
}

}  // namespace specsim::analysis
