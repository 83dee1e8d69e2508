#pragma once
// Policies implement the engine's depth-policy interface (sim/depth_policy.hpp); these names
// let the policies library speak of it in its own namespace.
#include "sim/depth_policy.hpp"

namespace specsim::policies {

using Policy = sim::DepthPolicy;
using sim::Decision;
using sim::LearningStats;
using sim::RoundContext;
using sim::RoundOutcome;

}  // namespace specsim::policies
