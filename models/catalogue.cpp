#include "models/catalogue.hpp"

#include "catalogue_text.hpp"  // generated from models/catalogue.yaml
#include "sim/registry.hpp"

namespace specsim::models {

namespace {

ModelStatus decode_status(const sim::ConfigNode& node) {
  using R = sim::Registry<ModelStatus>;
  static const R registry{"model status", {
      {"active", R::constant(ModelStatus::active)},
      {"legacy", R::constant(ModelStatus::legacy)},
      {"deprecated", R::constant(ModelStatus::deprecated)},
      {"retired", R::constant(ModelStatus::retired)},
  }};
  return registry.decode(node);
}

// A calendar date written YYYY-MM-DD, or YYYY-MM when the day was not recorded.
std::string decode_date(const sim::ConfigNode& node) {
  const std::string s = node.as<std::string>();
  const auto number = [&](std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  const bool month_form = (s.size() == 7 || s.size() == 10) && number(0, 4) >= 0 && s[4] == '-';
  const int month = month_form ? number(5, 2) : -1;
  const int day = s.size() == 10 && s[7] == '-' ? number(8, 2) : (s.size() == 7 ? 1 : -1);
  if (month < 1 || month > 12 || day < 1 || day > 31)
    node.fail("expected a date YYYY-MM-DD (or YYYY-MM), got '" + s + "'");
  return s;
}

}  // namespace

const char* name(ModelStatus status) {
  switch (status) {
    case ModelStatus::active: return "active";
    case ModelStatus::legacy: return "legacy";
    case ModelStatus::deprecated: return "deprecated";
    case ModelStatus::retired: return "retired";
  }
  return "?";
}

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
    node.expect_keys({"provider", "status", "shutdown", "replacement", "reasoning", "source", "read", "price",
                      "latency"});
    // An entry already known is overridden field by field; a new one must say what it costs.
    const ModelInfo* known = find(name);
    ModelInfo info = known ? *known : ModelInfo{};
    info.name = name;
    info.provider = node.get<std::string>("provider", info.provider);
    if (auto status = node.find("status")) info.status = decode_status(*status);
    if (auto date = node.find("shutdown")) info.shutdown = decode_date(*date);
    info.replacement = node.get<std::string>("replacement", info.replacement);
    info.reasoning = node.get<bool>("reasoning", info.reasoning);
    info.source = node.get<std::string>("source", info.source);
    if (auto date = node.find("read")) info.read = decode_date(*date);
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
