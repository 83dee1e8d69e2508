#pragma once
// Registry<Product>: the names a scenario may choose from for one setting (a policy kind, a match
// model, a billing rule...), each with the decoder that builds its Product from the YAML node.
// Registering a new choice is one entry in its registry; every registry reports an unknown name
// the same way, at the name's position, listing the choices in alphabetical order:
//   "unknown WHAT 'NAME' (expected one of: a, b, c)".
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "sim/config_node.hpp"

namespace specsim::sim {

// The one message for a name that is not among the choices: fails at `at`.
[[noreturn]] inline void fail_unknown_name(const ConfigNode& at, const std::string& what, const std::string& name,
                                           const std::string& choices) {
  at.fail("unknown " + what + " '" + name + "' (expected one of: " + choices + ")");
}

template <class Product>
class Registry {
 public:
  using Decoder = std::function<Product(const ConfigNode&)>;

  // `what` names the setting in errors, e.g. "match model".
  Registry(std::string what, std::initializer_list<std::pair<const std::string, Decoder>> entries)
      : what_(std::move(what)), entries_(entries) {}

  // For choices that are names only (no parameters): the decoder that ignores its node.
  static Decoder constant(Product value) {
    return [value](const ConfigNode&) { return value; };
  }

  // The decoder the scalar `name` selects; an unknown name fails at `name`.
  const Decoder& find(const ConfigNode& name) const {
    const std::string key = name.as<std::string>();
    const auto it = entries_.find(key);
    if (it == entries_.end()) fail_unknown_name(name, what_, key, names());
    return it->second;
  }

  // Decodes `node` with the decoder `name` selects (`name` is often node.at("kind"), or the node).
  Product decode(const ConfigNode& name, const ConfigNode& node) const { return find(name)(node); }
  Product decode(const ConfigNode& name) const { return find(name)(name); }

  bool contains(std::string_view name) const { return entries_.find(name) != entries_.end(); }
  std::size_t size() const { return entries_.size(); }

  // "a, b, c": the names in alphabetical order.
  std::string names() const {
    std::string list;
    for (const auto& entry : entries_) list += (list.empty() ? "" : ", ") + entry.first;
    return list;
  }

 private:
  std::string what_;
  std::map<std::string, Decoder, std::less<>> entries_;
};

}  // namespace specsim::sim
