#include "policies/registry.hpp"

#include <set>

#include "policies/basic_policies.hpp"
#include "policies/confidence_gate.hpp"
#include "policies/cost_aware.hpp"
#include "policies/dsp_policy.hpp"
#include "policies/oracle.hpp"
#include "policies/recorded_k.hpp"

namespace specsim::policies {

const sim::Registry<PolicySpec>& policy_registry() {
  static const sim::Registry<PolicySpec> registry{"policy", {
      {"sequential", decode_sequential},
      {"fixed_k", decode_fixed_k},
      {"dsp", decode_dsp},
      {"oracle", decode_oracle},
      {"recorded_k", decode_recorded_k},
      {"cost_aware", decode_cost_aware},
  }};
  return registry;
}

namespace {

// A grid entry expands into at most this many policies: beyond it, a few list-valued fields
// would multiply into millions of policies (and as many YAML copies) before anything runs.
constexpr std::size_t kMaxGridPolicies = 10'000;

// One policy of a grid: its map, and the "key=value" settings that name it.
struct GridVariant {
  YAML::Node node;
  std::vector<std::string> settings;
};

// Expands list-valued fields of a policy map into the product of their values. The label of
// each variant names the values it took, e.g. "dsp(tau=0.7)". The settings are kept beside the
// node, never inside it, so no key of the user's map is reserved. A variant is a new map whose
// keys and values are the entry's own nodes (shared, not cloned: YAML::Clone drops the positions,
// and errors inside a variant must still name the entry's lines and columns).
std::vector<GridVariant> expand_grid(const sim::ConfigNode& item) {
  const YAML::Node& entry = item.yaml();
  const auto is_axis = [](const YAML::Node& key, const YAML::Node& value) {
    // `hidden` is a list by nature (layer sizes), not a grid axis.
    return value.IsSequence() && value.size() > 0 && !(key.IsScalar() && key.Scalar() == "hidden");
  };
  std::size_t count = 1;
  for (const auto& kv : entry) {
    if (!is_axis(kv.first, kv.second)) continue;
    count *= kv.second.size();
    if (count > kMaxGridPolicies)
      item.fail("the lists of this entry expand into more than " + std::to_string(kMaxGridPolicies) + " policies");
  }
  std::vector<GridVariant> variants{{YAML::Node(YAML::NodeType::Map), {}}};
  for (const auto& kv : entry) {
    if (!is_axis(kv.first, kv.second)) {
      for (auto& v : variants) v.node[kv.first] = kv.second;
      continue;
    }
    std::vector<GridVariant> next;
    next.reserve(variants.size() * kv.second.size());
    for (const auto& v : variants) {
      for (std::size_t i = 0; i < kv.second.size(); ++i) {
        const YAML::Node value = kv.second[i];
        GridVariant copy{YAML::Node(YAML::NodeType::Map), v.settings};
        for (const auto& member : v.node) copy.node[member.first] = member.second;
        copy.node[kv.first] = value;
        copy.settings.push_back(kv.first.Scalar() + "=" + value.Scalar());
        next.push_back(std::move(copy));
      }
    }
    variants = std::move(next);
  }
  return variants;
}

// Any policy may be gated (`gate: {min_confidence}`): its own decoder reads the entry without
// the `gate` key, which it would reject.
PolicySpec decode_gated(const sim::ConfigNode& node) {
  YAML::Node rest(YAML::NodeType::Map);
  for (const auto& kv : node.yaml())
    if (!(kv.first.IsScalar() && kv.first.Scalar() == "gate")) rest[kv.first] = kv.second;
  const sim::ConfigNode inner(rest, std::make_shared<const std::string>(node.file()), node.path(), node.yaml().Mark());
  return gate_policy(policy_registry().decode(inner.at("kind"), inner), node.at("gate"), node.has("label"));
}

PolicySpec decode_one(const sim::ConfigNode& node, const std::string& grid_suffix) {
  PolicySpec spec = node.has("gate") ? decode_gated(node) : policy_registry().decode(node.at("kind"), node);
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
    const auto variants = expand_grid(item);
    if (variants.front().settings.empty()) {
      specs.push_back(decode_one(item, ""));
      owner.push_back(item);
      continue;
    }
    for (const GridVariant& variant : variants) {
      std::string suffix;
      for (const auto& g : variant.settings) suffix += (suffix.empty() ? "" : ",") + g;
      // Errors inside a variant still point at the entry's lines: it shares the entry's nodes.
      specs.push_back(decode_one(sim::ConfigNode(variant.node, std::make_shared<const std::string>(item.file()),
                                                 item.path(), item.yaml().Mark()), suffix));
      owner.push_back(item);
    }
  }
  // Labels name HDF5 groups and fixed-width summary cells (95 bytes): check them before any work.
  constexpr std::size_t kMaxLabel = 95;
  std::set<std::string> labels;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const std::string& label = specs[i].label;
    if (label.empty() || label == "." || label == "..")
      owner[i].fail("a policy label must be a name, got '" + label + "'");
    if (label.size() > kMaxLabel)
      owner[i].fail("the label '" + label.substr(0, 20) + "...' has " + std::to_string(label.size()) +
                    " bytes; at most " + std::to_string(kMaxLabel) + " fit the result file");
    if (!labels.insert(label).second)
      owner[i].fail("two policies have the label '" + label + "': give one a distinct label");
  }
  return specs;
}

}  // namespace specsim::policies
