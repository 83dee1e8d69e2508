#include "models/live/faults.hpp"

#include <cmath>
#include <cstdlib>

#include "sim/input_error.hpp"

namespace specsim::models::live {

Fault FaultRates::pick(double u) const {
  double edge = 0;
  for (auto [rate, fault] : {std::pair{too_many_requests, Fault::too_many_requests}, std::pair{server_error, Fault::server_error},
                             std::pair{stall, Fault::stall}, std::pair{drop, Fault::drop}}) {
    edge += rate;
    if (u < edge) return fault;
  }
  return Fault::none;
}

FaultRates parse_faults(const std::string& spec) {
  const auto fail = [](const std::string& msg) -> void { throw sim::InputError("", 0, 0, "--faults", msg); };
  FaultRates r;
  std::size_t pos = 0;
  while (pos < spec.size()) {
    const std::size_t comma = std::min(spec.find(',', pos), spec.size());
    const std::string item = spec.substr(pos, comma - pos);
    pos = comma + 1;
    const auto colon = item.find(':');
    if (colon == std::string::npos) fail("expected NAME:RATE, got '" + item + "'");
    const std::string name = item.substr(0, colon), value = item.substr(colon + 1);
    char* end = nullptr;
    const double rate = std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(rate) || rate < 0 || rate > 1)
      fail("rate of '" + name + "' must be a number in [0, 1], got '" + value + "'");
    if (name == "429") r.too_many_requests = rate;
    else if (name == "500") r.server_error = rate;
    else if (name == "stall") r.stall = rate;
    else if (name == "drop") r.drop = rate;
    else fail("unknown fault '" + name + "' (expected 429, 500, stall or drop)");
  }
  if (r.too_many_requests + r.server_error + r.stall + r.drop > 1 + 1e-12) fail("the rates add up to more than 1");
  return r;
}

}  // namespace specsim::models::live
