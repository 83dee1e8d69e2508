#include "sim/config_node.hpp"

#include "sim/files.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <sstream>
#include <vector>

namespace specsim::sim {

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path,
                       YAML::Mark fallback)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)), fallback_(fallback) {}

namespace {

// yaml-cpp shares an aliased node instead of copying it, and an alias may even name the node that
// encloses it (`&a [*a]`, a cycle). Code that walks a document (YAML::Clone, the emitter, policy
// grids) would then never end, or take exponential time ("billion laughs"), so the loader walks
// it once, iteratively, and rejects a document that is infinite or larger than any real input.
// yaml-cpp also keeps either value of a key given twice, silently; a typo fixed below the
// original line would then be ignored. The same walk rejects duplicate keys.
constexpr std::size_t kMaxNodes = 100'000;

[[noreturn]] void fail_at(const std::string& name, const YAML::Mark& m, const std::string& message) {
  const bool known = !m.is_null();
  throw InputError(name, known ? m.line + 1 : 0, known ? m.column + 1 : 0, "", message);
}

void check_document(const YAML::Node& root, const std::string& name) {
  std::vector<YAML::Node> stack{root};
  std::size_t visited = 0;
  while (!stack.empty()) {
    const YAML::Node n = stack.back();
    stack.pop_back();
    if (++visited > kMaxNodes)
      fail_at(name, n.Mark(), "invalid YAML: aliases refer to an enclosing node, or expand the document to more than " +
                                  std::to_string(kMaxNodes) + " nodes");
    if (n.IsSequence()) {
      for (const auto& child : n) stack.push_back(child);
    } else if (n.IsMap()) {
      std::map<std::string, int> lines;  // key -> its first line
      for (const auto& kv : n) {
        if (kv.first.IsScalar()) {
          const auto [it, fresh] = lines.emplace(kv.first.Scalar(), kv.first.Mark().line + 1);
          if (!fresh)
            fail_at(name, kv.first.Mark(), "invalid YAML: key '" + it->first + "' is given twice (first on line " +
                                               std::to_string(it->second) + ")");
        }
        stack.push_back(kv.first);
        stack.push_back(kv.second);
      }
    }
  }
}

// Notes where the parser's documents start and ignores their content.
class DocumentStarts final : public YAML::EventHandler {
 public:
  YAML::Mark start;
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// A file holds one document. yaml-cpp's LoadAll never returns on a document that starts with a ','
// outside [ ] or { } (its parser yields an empty document there without consuming the token, again
// and again), so the loader asks for at most two documents and names that ',' if the second starts
// with it.
void reject_second_document(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts first, second;
  if (!parser.HandleNextDocument(first) || !parser.HandleNextDocument(second)) return;
  const auto at = static_cast<std::size_t>(std::max(second.start.pos, 0));
  if (at < text.size() && text[at] == ',') fail_at(name, second.start, "invalid YAML: a ',' outside [ ] or { }");
  fail_at(name, second.start, "invalid YAML: a second document (after '---'); a file holds one");
}

}  // namespace

ConfigNode ConfigNode::load_string(const std::string& text, const std::string& name) {
  auto file = std::make_shared<const std::string>(name);
  try {
    reject_second_document(text, name);
    YAML::Node root = YAML::Load(text);
    check_document(root, name);
    return ConfigNode(root, file, "", YAML::Mark());
  } catch (const YAML::Exception& e) {
    throw InputError(name, e.mark.line + 1, e.mark.column + 1, "", "invalid YAML: " + e.msg);
  }
}

ConfigNode ConfigNode::load_file(const std::string& path) {
  return load_string(read_text_file(path), path);
}

YAML::Mark ConfigNode::mark() const {
  if (node_ && !node_.Mark().is_null()) return node_.Mark();
  return fallback_;
}

void ConfigNode::fail(const std::string& message) const { throw error(message); }

InputError ConfigNode::error(const std::string& message) const {
  const YAML::Mark m = mark();
  const bool known = !m.is_null();
  return InputError(*file_, known ? m.line + 1 : 0, known ? m.column + 1 : 0, path_, message);
}

std::string ConfigNode::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void ConfigNode::expect_map() const {
  if (!node_.IsMap()) fail("expected a mapping (key: value)");
}

bool ConfigNode::has(std::string_view key) const {
  return node_.IsMap() && node_[std::string(key)];
}

std::optional<ConfigNode> ConfigNode::find(std::string_view key) const {
  expect_map();
  YAML::Node child = node_[std::string(key)];
  if (!child) return std::nullopt;
  return ConfigNode(child, file_, child_path(key), mark());
}

ConfigNode ConfigNode::at(std::string_view key) const {
  auto child = find(key);
  if (!child) {
    ConfigNode missing(YAML::Node(), file_, child_path(key), mark());
    missing.fail("missing required key");
  }
  return *child;
}

ConfigNode ConfigNode::operator[](std::size_t i) const {
  return ConfigNode(node_[i], file_, path_ + "[" + std::to_string(i) + "]", mark());
}

std::vector<ConfigNode> ConfigNode::items() const {
  if (!node_.IsSequence()) fail("expected a list");
  std::vector<ConfigNode> out;
  out.reserve(node_.size());
  for (std::size_t i = 0; i < node_.size(); ++i) out.push_back((*this)[i]);
  return out;
}

std::vector<std::pair<std::string, ConfigNode>> ConfigNode::entries() const {
  expect_map();
  std::vector<std::pair<std::string, ConfigNode>> out;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) fail("keys must be plain names");
    const std::string key = kv.first.Scalar();
    out.emplace_back(key, ConfigNode(kv.second, file_, child_path(key), kv.first.Mark()));
  }
  return out;
}

void ConfigNode::expect_keys(std::initializer_list<std::string_view> allowed) const {
  expect_map();
  for (const auto& kv : node_) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    bool known = false;
    for (auto a : allowed) known = known || a == key;
    if (!known) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      ConfigNode at_key(kv.first, file_, child_path(key), mark());
      at_key.fail("unknown key (expected one of: " + list + ")");
    }
  }
}

namespace {
const std::string& scalar_of(const ConfigNode& n, const char* what) {
  if (n.is_null() || !n.is_scalar()) n.fail(std::string("expected ") + what);
  return n.yaml().Scalar();
}
}  // namespace

template <> double ConfigNode::as<double>() const {
  const std::string& s = scalar_of(*this, "a number");
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE) fail("expected a number, got '" + s + "'");
  if (!std::isfinite(v)) fail("expected a finite number, got '" + s + "'");
  return v;
}

template <> long long ConfigNode::as<long long>() const {
  const std::string& s = scalar_of(*this, "an integer");
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE) fail("expected an integer, got '" + s + "'");
  return v;
}

template <> int ConfigNode::as<int>() const {
  const long long v = as<long long>();
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) fail("integer out of range");
  return static_cast<int>(v);
}

template <> std::uint64_t ConfigNode::as<std::uint64_t>() const {
  const std::string& s = scalar_of(*this, "a non-negative integer");
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (s.empty() || s[0] == '-' || end != s.c_str() + s.size() || errno == ERANGE)
    fail("expected a non-negative integer, got '" + s + "'");
  return v;
}

template <> bool ConfigNode::as<bool>() const {
  const std::string& s = scalar_of(*this, "true or false");
  if (s == "true" || s == "True" || s == "yes") return true;
  if (s == "false" || s == "False" || s == "no") return false;
  fail("expected true or false, got '" + s + "'");
}

template <> std::string ConfigNode::as<std::string>() const { return scalar_of(*this, "a string"); }

double ConfigNode::get_nonneg(std::string_view key) const {
  ConfigNode n = at(key);
  const double v = n.as<double>();
  if (v < 0) n.fail("must be >= 0");
  return v;
}

double ConfigNode::get_nonneg(std::string_view key, double fallback) const {
  return has(key) ? get_nonneg(key) : fallback;
}

double ConfigNode::get_probability(std::string_view key) const {
  ConfigNode n = at(key);
  const double v = n.as<double>();
  if (v < 0 || v > 1) n.fail("must be a probability in [0, 1]");
  return v;
}

double ConfigNode::get_real(std::string_view key, double min, double max) const {
  ConfigNode n = at(key);
  const double v = n.as<double>();
  if (!(v >= min && v <= max)) n.fail(fmt::format("must be in [{}, {}], got {}", min, max, n.yaml().Scalar()));
  return v;
}

double ConfigNode::get_real(std::string_view key, double min, double max, double fallback) const {
  return has(key) ? get_real(key, min, max) : fallback;
}

long long ConfigNode::get_int_min(std::string_view key, long long min) const {
  ConfigNode n = at(key);
  const long long v = n.as<long long>();
  if (v < min) n.fail("must be >= " + std::to_string(min));
  return v;
}

long long ConfigNode::get_int_min(std::string_view key, long long min, long long fallback) const {
  return has(key) ? get_int_min(key, min) : fallback;
}

int ConfigNode::get_int(std::string_view key, int min, int max) const {
  ConfigNode n = at(key);
  const long long v = n.as<long long>();
  if (v < min || v > max) n.fail("must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return static_cast<int>(v);
}

int ConfigNode::get_int(std::string_view key, int min, int max, int fallback) const {
  return has(key) ? get_int(key, min, max) : fallback;
}

Time ConfigNode::get_seconds(std::string_view key) const {
  constexpr double kMaxSeconds = 1e6;
  ConfigNode n = at(key);
  const double v = n.as<double>();
  if (v < 0) n.fail("must be >= 0");
  if (v > kMaxSeconds) n.fail("must be at most 1e6 seconds, got " + n.as<std::string>());
  return Time::from_seconds(v);
}

Time ConfigNode::get_seconds(std::string_view key, Time fallback) const {
  return has(key) ? get_seconds(key) : fallback;
}

}  // namespace specsim::sim
