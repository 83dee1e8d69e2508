#include "analysis/result_reader.hpp"

#include "analysis/h5_table.hpp"
#include "analysis/result_file.hpp"
#include "sim/input_error.hpp"

namespace specsim::analysis {

namespace {

h5::Handle open_file(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw sim::InputError(path, 0, 0, "", "not a readable HDF5 result file");
  return h5::Handle(f, H5Fclose);
}

std::string policy_path(const std::string& label) { return "/policies/" + policy_group_name(label); }

std::optional<std::string> string_attribute(hid_t object, const std::string& name) {
  if (H5Aexists(object, name.c_str()) <= 0) return std::nullopt;
  h5::Handle attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  h5::Handle stored(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(stored.get()) != H5T_STRING) return std::nullopt;
  h5::Handle type(h5::string_type(H5Tget_size(stored.get())), H5Tclose);
  std::string value(H5Tget_size(stored.get()), '\0');
  h5::check(H5Aread(attr.get(), type.get(), value.data()), "H5Aread");
  value.resize(value.find('\0') == std::string::npos ? value.size() : value.find('\0'));
  return value;
}

}  // namespace

std::optional<std::string> read_root_attribute(const std::string& path, const std::string& name) {
  const h5::Handle file = open_file(path);
  return string_attribute(file.get(), name);
}

std::string read_policy_attribute(const std::string& path, const std::string& label, const std::string& name) {
  const h5::Handle file = open_file(path);
  hid_t g = H5Gopen2(file.get(), policy_path(label).c_str(), H5P_DEFAULT);
  if (g < 0) throw sim::InputError(path, 0, 0, policy_path(label), "missing policy group");
  h5::Handle group(g, H5Gclose);
  return string_attribute(g, name).value_or("");
}

std::vector<EpisodeOutcome> read_episode_outcomes(const std::string& path, const std::string& label) {
  const h5::Handle file = open_file(path);
  const std::string table = policy_path(label) + "/episodes";
  hid_t d = H5Dopen2(file.get(), table.c_str(), H5P_DEFAULT);
  if (d < 0) throw sim::InputError(path, 0, 0, table, "missing table");
  h5::Handle dataset(d, H5Dclose);
  h5::Handle space(H5Dget_space(d), H5Sclose);
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  // HDF5 reads the named members of a compound into this smaller layout.
  h5::Handle type(H5Tcreate(H5T_COMPOUND, sizeof(EpisodeOutcome)), H5Tclose);
  h5::check(H5Tinsert(type.get(), "episode", offsetof(EpisodeOutcome, episode), H5T_NATIVE_INT64), "H5Tinsert");
  h5::check(H5Tinsert(type.get(), "latency_s", offsetof(EpisodeOutcome, latency_s), H5T_NATIVE_DOUBLE), "H5Tinsert");
  h5::check(H5Tinsert(type.get(), "cost_usd", offsetof(EpisodeOutcome, cost_usd), H5T_NATIVE_DOUBLE), "H5Tinsert");
  std::vector<EpisodeOutcome> rows(n);
  const h5::Handle transfer = h5::transfer_for(n * sizeof(EpisodeOutcome));
  if (n > 0 && H5Dread(d, type.get(), H5S_ALL, H5S_ALL, transfer.get(), rows.data()) < 0)
    throw sim::InputError(path, 0, 0, table, "unreadable (not a specsim episodes table)");
  return rows;
}

}  // namespace specsim::analysis
