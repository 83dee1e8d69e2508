#include "models/match_model.hpp"

namespace specsim::models {

namespace {

// Every step matches with the same probability p, independently.
class IidMatch final : public MatchModel {
 public:
  explicit IidMatch(double p) : p_(p) {}
  void draw(int steps, sim::RandomStream& rng, EpisodeScript& script) const override {
    auto& match = script.match;
    match.resize(static_cast<std::size_t>(steps));
    for (auto& m : match) m = rng.bernoulli(p_);
  }
  double mean_probability() const override { return p_; }

 private:
  double p_;
};

// Tasks differ: each episode draws its own p from Beta(alpha, beta), then steps are i.i.d.
class PerTaskMatch final : public MatchModel {
 public:
  PerTaskMatch(double alpha, double beta) : alpha_(alpha), beta_(beta) {}
  void draw(int steps, sim::RandomStream& rng, EpisodeScript& script) const override {
    auto& match = script.match;
    const double p = rng.beta(alpha_, beta_);
    match.resize(static_cast<std::size_t>(steps));
    for (auto& m : match) m = rng.bernoulli(p);
  }
  double mean_probability() const override { return alpha_ / (alpha_ + beta_); }

 private:
  double alpha_, beta_;
};

// Bursts: a two-state Markov chain over steps, started from its stationary distribution.
class MarkovMatch final : public MatchModel {
 public:
  MarkovMatch(double after_match, double after_mismatch)
      : after_match_(after_match), after_mismatch_(after_mismatch) {}
  void draw(int steps, sim::RandomStream& rng, EpisodeScript& script) const override {
    auto& match = script.match;
    match.resize(static_cast<std::size_t>(steps));
    double p = mean_probability();
    for (auto& m : match) {
      m = rng.bernoulli(p);
      p = m ? after_match_ : after_mismatch_;
    }
  }
  double mean_probability() const override {
    const double denom = 1 - after_match_ + after_mismatch_;
    return denom > 0 ? after_mismatch_ / denom : 1.0;
  }

 private:
  double after_match_, after_mismatch_;
};

}  // namespace

const std::map<std::string, MatchModelDecoder>& match_model_registry() {
  static const std::map<std::string, MatchModelDecoder> registry = {
      {"iid", [](const sim::ConfigNode& n) -> std::unique_ptr<MatchModel> {
         n.expect_keys({"kind", "p"});
         return std::make_unique<IidMatch>(n.get_probability("p"));
       }},
      {"per_task", [](const sim::ConfigNode& n) -> std::unique_ptr<MatchModel> {
         n.expect_keys({"kind", "alpha", "beta"});
         const double a = n.get_nonneg("alpha"), b = n.get_nonneg("beta");
         if (a <= 0) n.at("alpha").fail("must be > 0");
         if (b <= 0) n.at("beta").fail("must be > 0");
         return std::make_unique<PerTaskMatch>(a, b);
       }},
      {"markov", [](const sim::ConfigNode& n) -> std::unique_ptr<MatchModel> {
         n.expect_keys({"kind", "p_after_match", "p_after_mismatch"});
         return std::make_unique<MarkovMatch>(n.get_probability("p_after_match"),
                                              n.get_probability("p_after_mismatch"));
       }},
  };
  return registry;
}

std::unique_ptr<MatchModel> decode_match_model(const sim::ConfigNode& node) {
  node.expect_map();
  const sim::ConfigNode kind = node.at("kind");
  const std::string name = kind.as<std::string>();
  const auto& registry = match_model_registry();
  auto it = registry.find(name);
  if (it == registry.end()) {
    std::string known;
    for (const auto& [k, _] : registry) known += (known.empty() ? "" : ", ") + k;
    kind.fail("unknown match model '" + name + "' (expected one of: " + known + ")");
  }
  return it->second(node);
}

}  // namespace specsim::models
