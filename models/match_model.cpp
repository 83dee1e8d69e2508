#include "models/match_model.hpp"

#include <cmath>

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
    double p = stationary();
    for (auto& m : match) {
      m = rng.bernoulli(p);
      p = m ? after_match_ : after_mismatch_;
    }
  }

 private:
  // The chain's long-run match probability, so the first step is drawn like any other.
  double stationary() const {
    const double denom = 1 - after_match_ + after_mismatch_;
    return denom > 0 ? after_mismatch_ / denom : 1.0;
  }
  double after_match_, after_mismatch_;
};

// Something to learn: each task has a latent difficulty, and each step's difficulty wanders
// around it (an AR(1) process, so hard stretches persist). A guess matches with probability
// sigmoid(bias - slope * difficulty). A policy observes noisy readings of the task's and the
// current step's difficulty, which say something about how many of the next guesses will match.
class FeatureMatch final : public MatchModel {
 public:
  struct Params {
    double bias = 1.5, slope = 2.0, task_sd = 1.0, step_sd = 0.7, persistence = 0.8, noise = 0.3;
  };
  explicit FeatureMatch(Params p) : p_(p) {}

  void draw(int steps, sim::RandomStream& rng, EpisodeScript& script) const override {
    const double task = p_.task_sd * rng.normal();
    const double innovation = p_.step_sd * std::sqrt(1 - p_.persistence * p_.persistence);
    double wander = p_.step_sd * rng.normal();
    script.match.resize(static_cast<std::size_t>(steps));
    script.feature_dim = 2;
    script.features.resize(static_cast<std::size_t>(steps) * 2);
    for (int s = 0; s < steps; ++s) {
      if (s > 0) wander = p_.persistence * wander + innovation * rng.normal();
      const double difficulty = task + wander;
      script.match[static_cast<std::size_t>(s)] = rng.bernoulli(probability(difficulty));
      script.features[static_cast<std::size_t>(2 * s)] = task + p_.noise * rng.normal();
      script.features[static_cast<std::size_t>(2 * s + 1)] = difficulty + p_.noise * rng.normal();
    }
  }

 private:
  double probability(double difficulty) const { return 1 / (1 + std::exp(-(p_.bias - p_.slope * difficulty))); }
  Params p_;
};

}  // namespace

const sim::Registry<std::unique_ptr<MatchModel>>& match_model_registry() {
  static const sim::Registry<std::unique_ptr<MatchModel>> registry{"match model", {
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
      {"features", [](const sim::ConfigNode& n) -> std::unique_ptr<MatchModel> {
         n.expect_keys({"kind", "bias", "slope", "task_sd", "step_sd", "persistence", "noise"});
         FeatureMatch::Params p;
         p.bias = n.get<double>("bias", p.bias);
         p.slope = n.get_nonneg("slope", p.slope);
         p.task_sd = n.get_nonneg("task_sd", p.task_sd);
         p.step_sd = n.get_nonneg("step_sd", p.step_sd);
         p.persistence = n.has("persistence") ? n.get_probability("persistence") : p.persistence;
         p.noise = n.get_nonneg("noise", p.noise);
         return std::make_unique<FeatureMatch>(p);
       }},
  }};
  return registry;
}

std::unique_ptr<MatchModel> decode_match_model(const sim::ConfigNode& node) {
  node.expect_map();
  return match_model_registry().decode(node.at("kind"), node);
}

}  // namespace specsim::models
