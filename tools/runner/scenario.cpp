#include "tools/runner/scenario.hpp"

#include <fmt/format.h>

#include "models/catalogue.hpp"
#include "sim/input_error.hpp"
#include "sim/files.hpp"

namespace specsim::runner {

namespace {

// An agent without a token model bills and times prompts of 0 tokens and answers of 1 token: a
// default that changes cost and latency, stated unless a recorded trace supplies the tokens.
std::vector<std::string> token_defaults(const sim::ConfigNode& root, const sim::ConfigNode& agents) {
  const sim::ConfigNode workload = root.at("workload");
  const bool fitted = workload.is_map() && workload.get<std::string>("kind", "") == "trace" &&
                      workload.get<std::string>("offpath", "fitted") == "fitted";
  std::vector<std::string> warnings;
  if (fitted) return warnings;
  for (const char* agent : {"approx", "target"}) {
    const sim::ConfigNode node = agents.at(agent);
    if (!node.has("input_tokens"))
      warnings.push_back(root.file() + ": " + node.path() +
                         ": no input_tokens: every prompt is 0 tokens (no input cost, no prefill time)");
    if (!node.has("output_tokens"))
      warnings.push_back(root.file() + ": " + node.path() + ": no output_tokens: every answer is 1 token");
  }
  return warnings;
}

// A model its provider deprecated or retired still simulates, but a live run against it fails or
// soon will: stated, with the successor.
void model_standing(const sim::ConfigNode& root, const sim::ConfigNode& agents, const models::Catalogue& catalogue,
                    std::vector<std::string>& warnings) {
  for (const char* agent : {"approx", "target"}) {
    const sim::ConfigNode model = agents.at(agent).at("model");
    const models::ModelInfo& m = catalogue.get(model);
    if (m.status != models::ModelStatus::deprecated && m.status != models::ModelStatus::retired) continue;
    std::string what = root.file() + ": " + model.path() + ": " + m.name + " is " + models::name(m.status) +
                       " at " + m.provider;
    if (!m.shutdown.empty()) what += (m.status == models::ModelStatus::retired ? " (shut down " : " (shuts down ") + m.shutdown + ")";
    if (!m.replacement.empty()) what += "; its successor is " + m.replacement;
    warnings.push_back(what);
  }
}

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

Scenario decode(const sim::ConfigNode& root) {
  root.expect_keys({"name", "description", "seed", "episodes", "max_steps", "billing", "models", "agents",
                    "workload", "policies", "concurrency", "outputs", "planner", "live", "objective", "limits", "fleet"});
  Scenario s;
  s.name = root.get<std::string>("name");
  s.seed = root.get<std::uint64_t>("seed", 1);
  // A fleet counts its tasks itself (`fleet: {tasks}`): episodes is then only `specsim run`'s.
  s.episodes = root.has("fleet") ? root.get_int("episodes", 1, static_cast<int>(kMaxEpisodes), 100)
                                 : root.get_int("episodes", 1, static_cast<int>(kMaxEpisodes));
  s.max_steps = root.get_int("max_steps", 1, 10'000'000, 50);
  if (auto billing = root.find("billing")) s.billing = models::decode_billing(*billing);
  if (auto planner = root.find("planner")) s.semantics = sim::decode_semantics(*planner);

  models::Catalogue catalogue = models::Catalogue::builtin();
  if (auto extra = root.find("models")) catalogue.merge(*extra);

  const sim::ConfigNode agents = root.at("agents");
  agents.expect_keys({"approx", "target"});
  s.agents[sim::index(sim::Agent::approx)] = models::decode_agent(agents.at("approx"), catalogue);
  s.agents[sim::index(sim::Agent::target)] = models::decode_agent(agents.at("target"), catalogue);
  // A's guesses list top_k.candidates alternatives: its model's draws cost the whole list.
  models::AgentModel& approx = s.agents[sim::index(sim::Agent::approx)];
  approx.candidates = s.semantics.top_k.candidates;
  approx.pricing = s.semantics.top_k.pricing;

  s.warnings = token_defaults(root, agents);
  model_standing(root, agents, catalogue, s.warnings);
  s.workload = models::decode_workload(root.at("workload"));
  s.workload->adapt_agents(s.agents);
  s.policies = policies::decode_policies(root.at("policies"));

  if (auto limits = root.find("concurrency")) {
    for (const auto& [model, limit] : limits->entries()) {
      if (!catalogue.find(model)) limit.fail("unknown model '" + model + "'");
      s.concurrency[model] = limit.as<int>();
      if (s.concurrency[model] < 1) limit.fail("must be >= 1");
    }
  }
  if (auto outputs = root.find("outputs")) {
    outputs->expect_keys({"record_episodes"});
    s.record_episodes = outputs->get_int("record_episodes", 0, 1'000'000, s.record_episodes);
  }
  if (auto fleet = root.find("fleet"))
    s.fleet = decode_fleet(*fleet, {s.agents[0].model, s.agents[1].model});
  s.live = models::live::decode_live(root, s.agents);
  if (auto objective = root.find("objective")) s.objective = analysis::decode_objective(*objective);
  for (const auto& p : s.policies)
    if (p.needs_value_of_time && !s.objective.value_of_time_usd_per_s)
      root.at("policies").fail("the policy '" + p.label + "' takes its usd_per_s from the objective's "
                               "value_of_time_usd_per_s, which the scenario does not state: give one of them");
  if (auto limits = root.find("limits")) {
    limits->expect_keys({"memory_gib", "simulated_steps"});
    s.limits.memory_gib = limits->get_real("memory_gib", 1e-3, 1e6, s.limits.memory_gib);
    s.limits.simulated_steps = limits->get_real("simulated_steps", 1, 1e18, s.limits.simulated_steps);
  }
  double memory = 0;
  for (const auto& p : s.policies) memory += p.memory_bytes;
  if (memory > s.limits.memory_gib * kGiB)
    root.at("policies").fail(fmt::format("the policies hold at least {:.3g} GiB at once, above the limit of {:.3g} GiB; "
                                         "raise it with `limits: {{memory_gib: N}}` if the machine has the memory",
                                         memory / kGiB, s.limits.memory_gib));
  return s;
}

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& name) {
  const sim::ConfigNode root = sim::ConfigNode::load_string(text, name);
  if (!root.is_map()) root.fail("a scenario must be a mapping of keys (name, agents, workload, policies, ...)");
  Scenario s = decode(root);
  s.file = name;
  s.text = text;
  s.check_work();
  return s;
}

void Scenario::check_work() const {
  if (fleet) check_fleet_work();
  const double steps = static_cast<double>(episodes) * static_cast<double>(policies.size()) * max_steps;
  if (steps > limits.simulated_steps)
    throw sim::InputError(file, 0, 0, "episodes",
                          fmt::format("{} episodes x {} policies x max_steps {} is up to {:.3g} simulated steps, above the "
                                      "limit of {:.3g}; raise it with `limits: {{simulated_steps: N}}`",
                                      episodes, policies.size(), max_steps, steps, limits.simulated_steps));
}

// A fleet's tasks are known up front when it counts them, or from a Poisson rate and a duration.
void Scenario::check_fleet_work() const {
  std::vector<double> loads = fleet->loads.empty() ? std::vector<double>{0} : fleet->loads;
  double tasks = 0;
  for (double load : loads) {
    if (fleet->tasks) tasks += static_cast<double>(*fleet->tasks);
    else if (fleet->arrivals.kind == Arrivals::Kind::poisson) tasks += load * fleet->duration->seconds();
  }
  const double steps = tasks * fleet->replications * static_cast<double>(policies.size()) * max_steps;
  if (steps > limits.simulated_steps)
    throw sim::InputError(file, 0, 0, "fleet",
                          fmt::format("{:.3g} tasks x {} replications x {} policies x max_steps {} is up to {:.3g} simulated "
                                      "steps, above the limit of {:.3g}; raise it with `limits: {{simulated_steps: N}}`",
                                      tasks, fleet->replications, policies.size(), max_steps, steps, limits.simulated_steps));
}

std::vector<std::string> input_files(const Scenario& s) {
  std::vector<std::string> files{s.file};
  if (s.workload)
    for (auto& f : s.workload->files()) files.push_back(std::move(f));
  if (s.live) files.push_back(s.live->tasks_file);
  if (s.fleet && !s.fleet->arrivals.file.empty()) files.push_back(s.fleet->arrivals.file);
  return files;
}

Scenario load_scenario(const std::string& path) {
  return parse_scenario(sim::read_text_file(path), path);
}

Scenario load_scenario(const std::string& path, const ScenarioOverrides& overrides) {
  Scenario s = load_scenario(path);
  if (overrides.seed) s.seed = *overrides.seed;
  if (overrides.episodes) s.episodes = *overrides.episodes;
  s.check_work();
  return s;
}

}  // namespace specsim::runner
