#pragma once
// How a self-hosted endpoint slows down under load, measured once (`specsim live calibrate`):
// for a number of requests in flight on the endpoint, the rate at which each of them reads its
// prompt (prefill tokens/s) and writes its answer (decode tokens/s). Between measured
// concurrencies the rates are interpolated linearly; past the last one the endpoint is taken as
// saturated: its total throughput stays that of the last row, so each request's rates fall as
// 1/n (a single row is then pure processor sharing).
#include <vector>

#include "sim/config_node.hpp"

namespace specsim::models {

struct ProfileRow {
  int concurrency = 1;
  double prefill_tps = 0;  // per request
  double decode_tps = 0;   // per request
};

struct ServingRates {
  double prefill_tps, decode_tps;
};

struct ServingProfile {
  std::vector<ProfileRow> rows;  // concurrency 1 first, strictly increasing

  // Each request's rates when `n` (>= 1) requests are in flight.
  ServingRates at(int n) const;
};

// `[{concurrency: 1, prefill_tps: ..., decode_tps: ...}, ...]`, or the name of a YAML file holding
// that list (relative to the scenario's folder), such as `specsim live calibrate -o` writes.
ServingProfile decode_profile(const sim::ConfigNode& node);

}  // namespace specsim::models
