#pragma once
// `specsim live calibrate`'s measurement: drives an OpenAI-compatible endpoint with streamed calls
// at each concurrency level and measures, per request, how fast it read its prompt and wrote its
// answer, as the rows of a serving profile (models/serving_profile.hpp) that
// `latency: {kind: served, profile: ...}` reads. The rates invert the served model itself: a
// call's first token comes after input / prefill_tps, its end output / decode_tps later, so
//   prefill_tps = prompt_tokens / (first token - sent),  decode_tps = completion_tokens / (end - first token),
// with the tokens the server reports (usage). Each level keeps `concurrency` calls in flight (a
// closed loop: a call that ends starts the next), after a warm-up round of one call per
// connection that is not measured; the row takes the medians.
#include <ostream>
#include <string>
#include <vector>

#include "models/live/http_client.hpp"
#include "models/serving_profile.hpp"

namespace specsim::models::live {

struct CalibrationOptions {
  EndpointConfig endpoint;
  std::string model;
  std::vector<int> concurrency{1, 2, 4, 8};  // 1 first, increasing (the profile's rule)
  int prompt_tokens = 512;  // about: the prompt is that many words of filler
  int max_tokens = 128;
  int requests = 16;        // measured per level (at least the level's concurrency)
  // Wall seconds per world second of the endpoint (a `specsim serve --time-scale` server):
  // measured rates are multiplied by it. 1 for a real endpoint.
  double time_scale = 1;
  Timeouts timeouts;
};

struct CalibrationLevel {
  ProfileRow row;  // medians
  int requests = 0;
  double ttft_s = 0;                         // median, world seconds
  std::int64_t prompt_tokens = 0, completion_tokens = 0;  // medians of what the server reported
};

// Throws sim::InputError (field "--base-url") when a call fails or an answer has no usage or no
// content, naming the endpoint and the error; `progress`, if set, gets a line per level.
std::vector<CalibrationLevel> calibrate(const CalibrationOptions& options, std::ostream* progress = nullptr);

// The profile as YAML: a list of rows, exactly what `profile:` reads inline or from the file it
// names, after `provenance` as comment lines.
std::string profile_yaml(const std::vector<CalibrationLevel>& levels, const std::string& provenance);

}  // namespace specsim::models::live
