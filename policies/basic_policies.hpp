#pragma once
// The two reference policies: the target alone, and a constant speculation depth.
#include "policies/registry.hpp"

namespace specsim::policies {

class Sequential final : public Policy {
 public:
  Decision choose_k(const RoundContext&) override { return {0, sim::Time::zero()}; }
};

class FixedK final : public Policy {
 public:
  explicit FixedK(int k) : k_(k) {}
  Decision choose_k(const RoundContext&) override { return {k_, sim::Time::zero()}; }

 private:
  int k_;
};

PolicySpec decode_sequential(const sim::ConfigNode& node);
PolicySpec decode_fixed_k(const sim::ConfigNode& node);

}  // namespace specsim::policies
