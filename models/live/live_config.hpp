#pragma once
// What a scenario says about a live run (docs/live.md): each agent's endpoint, prompt templates
// and action extractor, and the run's `live:` section (tasks file, terminate action, match rule,
// timeouts, retries). Keys come only from the environment: an `api_key` field is an error, and
// only the name of the variable is kept.
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/workload.hpp"
#include "models/live/action_extractor.hpp"
#include "models/live/http_client.hpp"
#include "models/live/prompt_template.hpp"
#include "models/trace/match_rule.hpp"
#include "sim/config_node.hpp"

namespace specsim::models::live {

struct LiveAgent {
  EndpointConfig endpoint;
  std::string model;  // the model name sent to the endpoint
  std::optional<std::int64_t> max_tokens;
  std::optional<double> temperature;
  // false: whole answers, for servers that stream no usage (first token is then the end).
  bool stream = true;
  // Ask for the tokens' log-probabilities (`logprobs: true`): A's confidence (live_backend.hpp).
  bool logprobs = false;
  PromptTemplates prompt;
  nlohmann::json tools;  // the `tools` array sent with every call (null: none), for action: tool_calls
  ActionExtractor action;
  int calls_per_step = 1;  // the scenario agent's (ReAct: 2)
};

struct LiveTask {
  std::string id, text;
};

struct LiveSettings {
  std::array<LiveAgent, sim::kAgents> agents;
  std::string tasks_file;  // resolved against the scenario's folder
  std::string terminate = "TERMINATE";
  std::shared_ptr<const trace::MatchRule> match_rule;
  ClientOptions client;
  // Top-K (`planner.top_k.candidates`): the candidates A's one call is asked for (1: its action).
  int candidates = 1;
};

// The live settings of a scenario, or nullopt when it names no endpoint and has no `live:`
// section. `agents` is the scenario's `agents` map, `models` the agents decoded from it.
std::optional<LiveSettings> decode_live(const sim::ConfigNode& root, const Agents& models);

// `{"id": ..., "task": ...}` per line; blank lines skipped. Errors name file and line.
std::vector<LiveTask> read_tasks(const std::string& path);

// Agents on the same base URL with the same key share one endpoint, and so its limits, unless
// its limits are each model's (`limits_scope: model`) and they call different models: each
// agent's endpoint, numbered from 0 in agent order.
std::array<int, sim::kAgents> endpoint_of_agents(const LiveSettings& settings);

// Whether the endpoint states any limit, and how reports name the limits agent `agent` calls
// under: its base URL, and the model with `limits_scope: model`.
bool has_limits(const EndpointConfig& endpoint);
std::string limits_name(const LiveSettings& settings, std::size_t agent);

}  // namespace specsim::models::live
