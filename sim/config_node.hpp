#pragma once
// ConfigNode: a YAML node that knows its file and field path, so every decode error names
// FILE:LINE:COLUMN and the field (e.g. "policies[2].k"). Decoders ask for the keys they know
// with expect_keys(); anything else is an error, which catches typos like "tua: 0.7".
#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/input_error.hpp"
#include "sim/time.hpp"

namespace specsim::sim {

class ConfigNode {
 public:
  ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path,
             YAML::Mark fallback = YAML::Mark::null_mark());

  static ConfigNode load_file(const std::string& path);
  static ConfigNode load_string(const std::string& text, const std::string& name);

  const std::string& path() const { return path_; }
  const std::string& file() const { return *file_; }
  const YAML::Node& yaml() const { return node_; }
  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool is_null() const { return !node_ || node_.IsNull(); }
  bool has(std::string_view key) const;

  // Required member: a missing key is reported at this map's position (it has no mark itself).
  ConfigNode at(std::string_view key) const;
  std::optional<ConfigNode> find(std::string_view key) const;
  ConfigNode operator[](std::size_t i) const;

  std::vector<ConfigNode> items() const;  // a sequence's elements
  std::vector<std::pair<std::string, ConfigNode>> entries() const;  // a map's members, in order

  // Errors if this is not a map or holds a key not in `allowed`.
  void expect_keys(std::initializer_list<std::string_view> allowed) const;
  void expect_map() const;

  template <class T> T as() const;
  template <class T> T get(std::string_view key) const { return at(key).as<T>(); }
  template <class T> T get(std::string_view key, T fallback) const {
    auto n = find(key);
    return n ? n->as<T>() : fallback;
  }

  // Range-checked numbers: the message says which bound was violated.
  double get_nonneg(std::string_view key) const;
  double get_nonneg(std::string_view key, double fallback) const;
  double get_probability(std::string_view key) const;
  // A real within [min, max]: every real field has a documented range (docs/scenarios.md), so
  // no value overflows what is computed from it.
  double get_real(std::string_view key, double min, double max) const;
  double get_real(std::string_view key, double min, double max, double fallback) const;
  long long get_int_min(std::string_view key, long long min) const;
  long long get_int_min(std::string_view key, long long min, long long fallback) const;
  // An int within [min, max] (a value that does not fit is an error, never a silent wrap).
  int get_int(std::string_view key, int min, int max) const;
  int get_int(std::string_view key, int min, int max, int fallback) const;
  // A duration in seconds, in [0, 1e6]: a valid sim::Time whose sums stay far from overflow.
  Time get_seconds(std::string_view key) const;
  Time get_seconds(std::string_view key, Time fallback) const;

  [[noreturn]] void fail(const std::string& message) const;
  // The error fail() throws, for a check made later (an environment variable read at run time).
  InputError error(const std::string& message) const;
  std::string child_path(std::string_view key) const;

 private:
  YAML::Mark mark() const;

  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string path_;
  YAML::Mark fallback_;
};

template <> double ConfigNode::as<double>() const;
template <> long long ConfigNode::as<long long>() const;
template <> int ConfigNode::as<int>() const;
template <> std::uint64_t ConfigNode::as<std::uint64_t>() const;
template <> bool ConfigNode::as<bool>() const;
template <> std::string ConfigNode::as<std::string>() const;

}  // namespace specsim::sim
