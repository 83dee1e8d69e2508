#include "policies/registry.hpp"

#include <set>

#include "policies/basic_policies.hpp"
#include "policies/dsp_policy.hpp"
#include "policies/oracle.hpp"
#include "policies/recorded_k.hpp"

namespace specsim::policies {

const std::map<std::string, PolicyDecoder>& policy_registry() {
  static const std::map<std::string, PolicyDecoder> registry = {
      {"sequential", decode_sequential},
      {"fixed_k", decode_fixed_k},
      {"dsp", decode_dsp},
      {"oracle", decode_oracle},
      {"recorded_k", decode_recorded_k},
  };
  return registry;
}

namespace {

// Expands list-valued fields of a policy map into the product of their values. The label of
// each variant names the values it took, e.g. "dsp(tau=0.7)".
std::vector<YAML::Node> expand_grid(const YAML::Node& entry) {
  std::vector<YAML::Node> variants{YAML::Clone(entry)};
  for (const auto& kv : entry) {
    if (!kv.second.IsSequence() || kv.second.size() == 0) continue;
    const std::string key = kv.first.Scalar();
    if (key == "hidden") continue;  // a list by nature (layer sizes), not a grid axis
    std::vector<YAML::Node> next;
    for (const auto& v : variants) {
      for (std::size_t i = 0; i < kv.second.size(); ++i) {
        const YAML::Node value = kv.second[i];
        YAML::Node copy = YAML::Clone(v);
        copy[key] = YAML::Clone(value);
        copy["__grid"].push_back(key + "=" + value.Scalar());
        next.push_back(copy);
      }
    }
    variants = std::move(next);
  }
  return variants;
}

PolicySpec decode_one(const sim::ConfigNode& node, const std::string& grid_suffix) {
  const sim::ConfigNode kind = node.at("kind");
  const std::string name = kind.as<std::string>();
  const auto& registry = policy_registry();
  auto it = registry.find(name);
  if (it == registry.end()) {
    std::string known;
    for (const auto& [k, _] : registry) known += (known.empty() ? "" : ", ") + k;
    kind.fail("unknown policy '" + name + "' (expected one of: " + known + ")");
  }
  PolicySpec spec = it->second(node);
  if (!grid_suffix.empty() && node.has("label")) spec.label += "(" + grid_suffix + ")";
  YAML::Emitter out;
  out << YAML::Flow << node.yaml();
  spec.config = out.c_str();
  return spec;
}

}  // namespace

std::vector<PolicySpec> decode_policies(const sim::ConfigNode& list) {
  std::vector<PolicySpec> specs;
  std::vector<sim::ConfigNode> owner;  // the entry each spec came from, for error positions
  const auto items = list.items();
  if (items.empty()) list.fail("needs at least one policy");
  for (const auto& item : items) {
    if (item.is_scalar()) {
      YAML::Node map;
      map["kind"] = item.yaml().Scalar();
      specs.push_back(decode_one(sim::ConfigNode(map, std::make_shared<const std::string>(item.file()),
                                                 item.path(), item.yaml().Mark()), ""));
      owner.push_back(item);
      continue;
    }
    item.expect_map();
    const auto variants = expand_grid(item.yaml());
    if (!variants.front()["__grid"]) {
      specs.push_back(decode_one(item, ""));
      owner.push_back(item);
      continue;
    }
    for (const YAML::Node& variant : variants) {
      std::string suffix;
      for (const auto& g : variant["__grid"]) suffix += (suffix.empty() ? "" : ",") + g.Scalar();
      YAML::Node clean = YAML::Clone(variant);
      clean.remove("__grid");
      // Errors inside a variant still point at the entry's lines: the clone keeps the marks.
      specs.push_back(decode_one(sim::ConfigNode(clean, std::make_shared<const std::string>(item.file()),
                                                 item.path(), item.yaml().Mark()), suffix));
      owner.push_back(item);
    }
  }
  std::set<std::string> labels;
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (!labels.insert(specs[i].label).second)
      owner[i].fail("two policies have the label '" + specs[i].label + "': give one a distinct label");
  return specs;
}

}  // namespace specsim::policies
