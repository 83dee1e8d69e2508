#pragma once
// The model catalogue: public prices and typical speeds per model name, with where each figure
// was read and the model's standing at its provider. The default catalogue
// (models/catalogue.yaml) is compiled into the binary; a scenario may add or override models.
#include <map>
#include <string>

#include "models/latency.hpp"
#include "models/pricing.hpp"
#include "sim/config_node.hpp"

namespace specsim::models {

// A model's standing at its provider: active; legacy (served, no longer updated or listed
// first); deprecated (served until its shutdown date); retired (no longer served: its figures
// remain for simulations and old results).
enum class ModelStatus { active, legacy, deprecated, retired };
const char* name(ModelStatus status);

struct ModelInfo {
  std::string name, provider;
  ModelStatus status = ModelStatus::active;
  std::string shutdown;     // YYYY-MM-DD a deprecated model stops (stopped) being served, or ""
  std::string replacement;  // the provider's recommended successor, or ""
  bool reasoning = false;   // emits hidden reasoning tokens, billed as output (agents' reasoning_tokens)
  std::string source, read;  // where the figures come from, and the date (YYYY-MM-DD) they were read
  Price price;
  LatencyModel latency;
};

class Catalogue {
 public:
  static const Catalogue& builtin();
  static const std::string& builtin_text();

  // Adds or replaces the models of a catalogue mapping (name -> {provider, price, latency, ...});
  // a known model keeps every field the mapping leaves out.
  void merge(const sim::ConfigNode& models);
  // The model named by the scalar `name_node`; an unknown name is an input error there.
  const ModelInfo& get(const sim::ConfigNode& name_node) const;
  const ModelInfo* find(const std::string& name) const;
  const std::map<std::string, ModelInfo>& models() const { return models_; }

 private:
  std::map<std::string, ModelInfo> models_;
};

}  // namespace specsim::models
