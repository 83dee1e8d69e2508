#include "models/confidence_model.hpp"

#include "sim/registry.hpp"

namespace specsim::models {

namespace {

struct BetaParams {
  double alpha = 1, beta = 1;
};

// A right guess's confidence is Beta(match), a wrong one's Beta(mismatch). With i.i.d. matches of
// probability a / (a + b), match = Beta(a + 1, b) and mismatch = Beta(a, b + 1) is perfectly
// calibrated: P(match | confidence c) = c (docs/scenarios.md).
class BetaConfidence final : public ConfidenceModel {
 public:
  BetaConfidence(BetaParams match, BetaParams mismatch) : match_(match), mismatch_(mismatch) {}
  void draw(sim::RandomStream& rng, EpisodeScript& script) const override {
    script.confidence.resize(script.match.size());
    for (std::size_t s = 0; s < script.match.size(); ++s) {
      const BetaParams& p = script.match[s] ? match_ : mismatch_;
      script.confidence[s] = rng.beta(p.alpha, p.beta);
    }
  }

 private:
  BetaParams match_, mismatch_;
};

BetaParams decode_beta(const sim::ConfigNode& node) {
  node.expect_keys({"alpha", "beta"});
  // Below 1e-3 Beta draws underflow to exactly 0 or 1.
  return {node.get_real("alpha", 1e-3, 1e6), node.get_real("beta", 1e-3, 1e6)};
}

}  // namespace

std::unique_ptr<ConfidenceModel> decode_confidence_model(const sim::ConfigNode& node) {
  using R = sim::Registry<std::unique_ptr<ConfidenceModel>>;
  static const R registry{"confidence model", {
      {"beta", [](const sim::ConfigNode& n) -> std::unique_ptr<ConfidenceModel> {
         n.expect_keys({"kind", "match", "mismatch"});
         return std::make_unique<BetaConfidence>(decode_beta(n.at("match")), decode_beta(n.at("mismatch")));
       }},
  }};
  node.expect_map();
  return registry.decode(node.at("kind"), node);
}

}  // namespace specsim::models
