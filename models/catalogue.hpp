#pragma once
// The model catalogue: public prices and typical speeds per model name. The default catalogue
// (models/catalogue.yaml) is compiled into the binary; a scenario may add or override models.
#include <map>
#include <string>

#include "models/latency.hpp"
#include "models/pricing.hpp"
#include "sim/config_node.hpp"

namespace specsim::models {

struct ModelInfo {
  std::string name, provider;
  Price price;
  LatencyModel latency;
};

class Catalogue {
 public:
  static const Catalogue& builtin();
  static const std::string& builtin_text();

  // Adds or replaces the models of a catalogue mapping (name -> {provider, price, latency}).
  void merge(const sim::ConfigNode& models);
  // The model named by the scalar `name_node`; an unknown name is an input error there.
  const ModelInfo& get(const sim::ConfigNode& name_node) const;
  const ModelInfo* find(const std::string& name) const;
  const std::map<std::string, ModelInfo>& models() const { return models_; }

 private:
  std::map<std::string, ModelInfo> models_;
};

}  // namespace specsim::models
