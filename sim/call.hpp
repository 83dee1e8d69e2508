#pragma once
// One LLM call as the planner sees it: who makes it, for which step, and what became of it.
#include <cstdint>

#include "sim/time.hpp"

namespace specsim::sim {

// Who makes a call: the two LLM agents, or the environment (a tool or API the step's action
// calls, shared/DESIGN.md §1 "Environment actions"). kAgents counts the LLM agents only: arrays
// of per-agent models, prices and limits are indexed by index(Agent) of A and T alone.
enum class Agent : std::uint8_t { approx = 0, target = 1, environment = 2 };
constexpr int kAgents = 2;
constexpr int index(Agent a) { return static_cast<int>(a); }
constexpr const char* name(Agent a) {
  return a == Agent::approx ? "approx" : a == Agent::target ? "target" : "environment";
}

enum class CallStatus : std::uint8_t {
  queued,            // waiting for a concurrency slot
  running,
  finished,
  cancelled,         // cancelled while running: billed by the billing rule
  cancelled_queued,  // cancelled before it started: never billed
  failed,            // failed after its retries: the episode ended with an error
};

// What became of a call's output once its round closed (shared/DESIGN.md section 3).
enum class CallRole : std::uint8_t {
  pending,      // round still open
  committed,    // a target call on the committed path
  speculation,  // an approximation guess that matched: the price of the speed-up
  wasted,       // anything else: unnecessary cost
};

struct CallTokens {
  std::int32_t input = 0;
  std::int32_t output = 0;          // generated (up to the cancel time for a cancelled call)
  std::int32_t planned_output = 0;  // what a finished call would have generated
};

struct CallRecord {
  Time requested, started, ended;  // relative to the episode start
  Time first_token;                // relative to the episode start; finished calls only
  CallTokens tokens;
  std::int32_t round = 0;
  std::int32_t pos = 0;  // position j within the round
  std::int32_t step = 0;
  std::int16_t call_index = 0;
  std::int16_t attempts = 1;
  Agent agent = Agent::target;
  CallStatus status = CallStatus::queued;
  CallRole role = CallRole::pending;
  bool on_path = false;  // conditioned only on guesses verified to match (set at round close)
  std::uint8_t branch = 0;  // top-K: the candidate of the previous guess it runs under (0: the top one)
  std::int32_t node = 0;    // top-K: its node in the round's speculation tree (the planner's numbering)
  bool ahead = false;       // an environment call run ahead on A's guess, before its step was committed
  double price_usd = 0;     // an environment call's price: billed in full once it started (models/pricing.hpp)
};

}  // namespace specsim::sim
