#pragma once
// Faults `specsim serve` injects at seeded rates: "429:0.1,500:0.05,stall:0.01,drop:0.01".
//   429    Too Many Requests with Retry-After (and retry-after-ms, which OpenAI's clients prefer)
//   500    an internal server error with an OpenAI error body
//   stall  the request is read and never answered (the client's first-token timeout must fire)
//   drop   the connection is closed before any answer (the client must retry)
#include <cstdint>
#include <string>

namespace specsim::models::live {

enum class Fault : std::uint8_t { none, too_many_requests, server_error, stall, drop };

struct FaultRates {
  double too_many_requests = 0, server_error = 0, stall = 0, drop = 0;
  // The fault for the request drawn as `u` in [0, 1): each fault owns a slice of [0, 1).
  Fault pick(double u) const;
};

// Throws sim::InputError (field "--faults") for an unknown name, a rate outside [0, 1], or
// rates that add up to more than 1.
FaultRates parse_faults(const std::string& spec);

}  // namespace specsim::models::live
