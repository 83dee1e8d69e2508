#include "models/catalogue.hpp"

#include "catalogue_text.hpp"  // generated from models/catalogue.yaml
#include "sim/registry.hpp"

namespace specsim::models {

const std::string& Catalogue::builtin_text() {
  static const std::string text(kCatalogueYaml);
  return text;
}

const Catalogue& Catalogue::builtin() {
  static const Catalogue catalogue = [] {
    Catalogue c;
    c.merge(sim::ConfigNode::load_string(builtin_text(), "models/catalogue.yaml"));
    return c;
  }();
  return catalogue;
}

void Catalogue::merge(const sim::ConfigNode& models) {
  for (const auto& [name, node] : models.entries()) {
    node.expect_keys({"provider", "price", "latency"});
    // An entry already known is overridden field by field; a new one must say what it costs.
    const ModelInfo* known = find(name);
    ModelInfo info = known ? *known : ModelInfo{};
    info.name = name;
    info.provider = node.get<std::string>("provider", info.provider);
    if (auto price = node.find("price")) info.price = decode_price(*price, known ? std::optional(known->price) : std::nullopt);
    else if (!known) node.at("price");
    if (auto latency = node.find("latency")) info.latency = decode_latency(*latency, info.latency);
    models_[name] = info;
  }
}

const ModelInfo* Catalogue::find(const std::string& name) const {
  auto it = models_.find(name);
  return it == models_.end() ? nullptr : &it->second;
}

const ModelInfo& Catalogue::get(const sim::ConfigNode& name_node) const {
  const std::string name = name_node.as<std::string>();
  if (const ModelInfo* m = find(name)) return *m;
  std::string known;
  for (const auto& [n, _] : models_) known += (known.empty() ? "" : ", ") + n;
  sim::fail_unknown_name(name_node, "model", name, known);
}

}  // namespace specsim::models
