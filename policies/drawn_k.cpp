#include "policies/drawn_k.hpp"

namespace specsim::policies {

Decision DrawnK::choose_k(const RoundContext& context) {
  if (!rng_ || context.episode != episode_) {
    episode_ = context.episode;
    rng_.emplace(seed_, "drawn_k", static_cast<std::uint64_t>(context.episode));
  }
  const auto pick = [this](std::size_t n) {
    return static_cast<std::size_t>(rng_->uniform_int(0, static_cast<std::int64_t>(n) - 1));
  };
  Decision d;
  d.k = ks_.empty() ? 1 : ks_[pick(ks_.size())];
  if (!delays_.empty()) d.delay = delays_[pick(delays_.size())];
  return d;
}

}  // namespace specsim::policies
