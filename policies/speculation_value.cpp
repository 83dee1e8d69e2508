#include "policies/speculation_value.hpp"

#include <algorithm>
#include <cmath>

namespace specsim::policies {

DepthValue depth_value(const StepEconomics& e, int k) {
  const double p = std::clamp(e.match_probability, 0.0, 1.0);
  // A steps that fit into one T step: how far A runs ahead before a mismatch is known.
  const double ahead = e.approx_s > 0 ? std::max(1.0, std::ceil(e.target_s / e.approx_s)) : k;
  DepthValue v{0, 0, 0};
  double reach = 1;  // P(M >= m)
  for (int m = 0; m <= k; ++m) {
    const double weight = m < k ? reach * (1 - p) : reach;  // M = m, or every guess matched (m = k)
    const double committed = std::min(m + 1, k);
    const double started = m < k ? std::min(static_cast<double>(k), m + ahead) : k;
    v.committed_steps += weight * committed;
    v.seconds_saved += weight * (committed - 1) * (e.target_s - e.approx_s);
    v.extra_usd += weight * (started * e.approx_usd + (started - committed) * e.wasted_target_usd);
    reach *= p;
  }
  return v;
}

int best_depth(const StepEconomics& e, double usd_per_s, int k_max) {
  int best = 0;
  double best_rate = 0;  // k = 0: the target alone
  for (int k = 1; k <= k_max; ++k) {
    const DepthValue v = depth_value(e, k);
    const double rate = (usd_per_s * v.seconds_saved - v.extra_usd) / v.committed_steps;
    if (rate > best_rate) {
      best = k;
      best_rate = rate;
    }
  }
  return best;
}

}  // namespace specsim::policies
