#pragma once
// What `specsim serve` answers: for a chat request about (task, agent, step, call) (the prompt
// protocol, prompt_protocol.hpp), the text the served world's agent writes, when its first token
// and its end come (world time, before --time-scale), and the usage it reports. Two worlds: a
// recorded trace (its own texts and timings) and a scenario's workload (the simulator's episode
// scripts: the same match verdicts, latencies and tokens as `specsim run` with that seed).
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/live/openai.hpp"
#include "models/live/prompt_protocol.hpp"
#include "models/trace/trace.hpp"
#include "models/serving_profile.hpp"
#include "models/workload.hpp"
#include "sim/time.hpp"

namespace specsim::models::live {

struct ServedCall {
  std::string content;
  sim::Time first_token;  // from the request's arrival
  sim::Time total;        // >= first_token
  Usage usage;
  // The log-probability of the action that starts at content[action_at] (A's confidence, recorded
  // or modelled; 0 where the world has none), sent to a request that asks for logprobs.
  double logprob = 0;
  std::size_t action_at = 0;
  std::string label;      // "task 3 step 2 target call 0", for logs
  // The agent whose self-hosted endpoint (serving_profile) times the call under the server's
  // load, instead of first_token and total (its times alone); none: those times.
  std::optional<sim::Agent> served_by;
};

class ServedWorld {
 public:
  virtual ~ServedWorld() = default;
  // The model names a client may ask for (GET /v1/models).
  virtual std::vector<std::string> models() const = 0;
  // Throws ProtocolError for a request the world cannot answer (unknown model or task, bad call).
  virtual ServedCall answer(const std::string& model, const PromptQuery& query) const = 0;
  // The profile of an agent whose latency is `served` (a self-hosted endpoint); else nullptr.
  virtual const ServingProfile* serving_profile(sim::Agent) const { return nullptr; }
};

// A request with `candidates: K` (A under top-K) is answered with a JSON array of K candidates,
// best first (a trace's recorded action and alternatives; a scenario's from its top-K model).
// Its usage and timing are the world's for the call, as `specsim run` bills and times it: a
// trace's recorded call (the whole list's tokens already), or the scenario's draw of A's call,
// which lists the scenario's `planner.top_k.candidates` (models/agent_model.hpp): serve the
// scenario that the live run uses.
//
// A bare trace has no model names: its agents are served as models "target" and "approx".
std::unique_ptr<ServedWorld> make_trace_world(trace::Trace trace);

// A scenario's world: episode `task` is models::make_script(workload, agents, seed, task, ...), the
// script every policy of `specsim run` replays. Model names are the agents' (agents[i].model).
std::unique_ptr<ServedWorld> make_script_world(std::unique_ptr<Workload> workload, Agents agents,
                                               std::uint64_t seed, int max_steps);

// The deterministic texts of a synthetic world, for tests and the live planner's checks.
std::string synthetic_action(const std::string& task, int step);
std::string synthetic_wrong_guess(const std::string& task, int step);

}  // namespace specsim::models::live
