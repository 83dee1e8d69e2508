#include "models/live/live_config.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>

#include "models/token_bucket.hpp"
#include "sim/files.hpp"
#include "sim/speculation_tree.hpp"

namespace specsim::models::live {

namespace {

// YAML to JSON for the pass-through `tools` array: scalars that read as numbers or booleans
// become numbers or booleans, as a YAML reader would take them.
nlohmann::json to_json(const YAML::Node& n) {
  if (n.IsSequence()) {
    auto a = nlohmann::json::array();
    for (const auto& item : n) a.push_back(to_json(item));
    return a;
  }
  if (n.IsMap()) {
    auto o = nlohmann::json::object();
    for (const auto& kv : n) o[kv.first.as<std::string>()] = to_json(kv.second);
    return o;
  }
  if (!n || n.IsNull()) return nullptr;
  const std::string s = n.as<std::string>();
  if (n.Tag() != "!") {  // plain (unquoted) scalars only
    if (s == "true" || s == "false") return s == "true";
    const auto j = nlohmann::json::parse(s, nullptr, false);
    if (!j.is_discarded() && j.is_number()) return j;
  }
  return s;
}

LiveAgent decode_agent(const sim::ConfigNode& node, const AgentModel& model, int candidates) {
  LiveAgent a;
  a.calls_per_step = model.calls_per_step;
  const sim::ConfigNode ep = node.at("endpoint");
  if (ep.has("api_key"))
    ep.at("api_key").fail("a literal API key is not allowed in a scenario: put it in an environment variable and name that with api_key_env");
  ep.expect_keys({"base_url", "model", "api_key_env", "max_in_flight", "requests_per_minute", "tokens_per_minute",
                  "requests_burst_s", "tokens_burst_s", "limits_scope", "max_tokens", "temperature", "stream", "logprobs"});
  a.endpoint.base_url = ep.get<std::string>("base_url");
  if (a.endpoint.base_url.rfind("http://", 0) != 0 && a.endpoint.base_url.rfind("https://", 0) != 0)
    ep.at("base_url").fail("must start with http:// or https://");
  // Credentials in the URL would be a literal key by another name (and end up in logs).
  const auto authority = a.endpoint.base_url.substr(a.endpoint.base_url.find("//") + 2);
  if (authority.substr(0, authority.find('/')).find('@') != std::string::npos)
    ep.at("base_url").fail("must not carry credentials (user:password@): use api_key_env");
  while (!a.endpoint.base_url.empty() && a.endpoint.base_url.back() == '/') a.endpoint.base_url.pop_back();
  a.model = ep.get<std::string>("model", model.model);
  a.endpoint.api_key_env = ep.get<std::string>("api_key_env", "");
  if (!a.endpoint.api_key_env.empty())
    a.endpoint.key_unset = ep.at("api_key_env").error("environment variable " + a.endpoint.api_key_env + " is not set");
  a.endpoint.max_in_flight = ep.get_int("max_in_flight", 0, 100000, 0);
  // Whole numbers, as providers state them: the buckets are integer (models/token_bucket.hpp).
  for (const auto& [key, rate] : {std::pair{"requests_per_minute", &a.endpoint.requests_per_minute},
                                  std::pair{"tokens_per_minute", &a.endpoint.tokens_per_minute}}) {
    *rate = ep.get_int_min(key, 0, 0);
    if (*rate > TokenBucket::kMaxPerMin) ep.at(key).fail("must be at most 1e8");
  }
  for (const auto& [key, burst] : {std::pair{"requests_burst_s", &a.endpoint.requests_burst},
                                   std::pair{"tokens_burst_s", &a.endpoint.tokens_burst}})
    *burst = sim::Time::from_seconds(ep.get_real(key, 1e-3, 60, burst->seconds()));
  if (const auto scope = ep.find("limits_scope")) {
    const auto value = scope->as<std::string>();
    if (value != "endpoint" && value != "model") scope->fail("expected endpoint or model, got '" + value + "'");
    a.endpoint.limits_per_model = value == "model";
  }
  if (ep.has("max_tokens")) a.max_tokens = ep.get_int_min("max_tokens", 1);
  if (auto t = ep.find("temperature")) a.temperature = t->as<double>();
  if (auto st = ep.find("stream")) a.stream = st->as<bool>();
  if (auto l = ep.find("logprobs")) a.logprobs = l->as<bool>();
  a.prompt = PromptTemplates::protocol(model.calls_per_step, candidates);
  if (auto p = node.find("prompt")) a.prompt = PromptTemplates::decode(*p);
  if (auto x = node.find("action")) a.action = ActionExtractor::decode(*x);
  if (auto t = node.find("tools")) {
    if (!t->is_sequence()) t->fail("expected a list of tools (the chat completions `tools` array)");
    a.tools = to_json(t->yaml());
  }
  return a;
}

void decode_client(const sim::ConfigNode& live, ClientOptions& c) {
  if (auto t = live.find("timeouts")) {
    t->expect_keys({"connect_s", "first_token_s", "total_s"});
    c.timeouts.connect = t->get_seconds("connect_s", c.timeouts.connect);
    c.timeouts.first_token = t->get_seconds("first_token_s", c.timeouts.first_token);
    c.timeouts.total = t->get_seconds("total_s", c.timeouts.total);
  }
  if (auto r = live.find("retries")) {
    r->expect_keys({"max_attempts", "base_s", "max_s", "jitter"});
    c.retry.max_attempts = r->get_int("max_attempts", 1, 100, c.retry.max_attempts);
    c.retry.base = r->get_seconds("base_s", c.retry.base);
    c.retry.max = r->get_seconds("max_s", c.retry.max);
    if (r->has("jitter")) c.retry.jitter = r->get_probability("jitter");
  }
}

}  // namespace

std::optional<LiveSettings> decode_live(const sim::ConfigNode& root, const Agents& models) {
  const sim::ConfigNode agents = root.at("agents");
  const auto live = root.find("live");
  int with_endpoint = 0;
  for (const char* name : {"approx", "target"}) with_endpoint += agents.at(name).has("endpoint");
  if (!live && with_endpoint == 0) return std::nullopt;
  for (const char* name : {"approx", "target"})
    if (!agents.at(name).has("endpoint")) agents.at(name).fail("a live scenario needs an endpoint for both agents");
  if (!live) root.fail("a scenario with endpoints needs a live: section (at least live.tasks)");

  LiveSettings s;
  live->expect_keys({"tasks", "terminate", "match_rule", "timeouts", "retries"});
  const sim::ConfigNode tasks = live->at("tasks");
  const auto path = (std::filesystem::path(root.file()).parent_path() / tasks.as<std::string>()).lexically_normal();
  if (!std::filesystem::exists(path)) tasks.fail("tasks file '" + path.string() + "' does not exist");
  s.tasks_file = path.string();
  s.terminate = live->get<std::string>("terminate", s.terminate);
  if (s.terminate.empty()) live->at("terminate").fail("must not be empty");
  s.match_rule = live->has("match_rule") ? trace::decode_match_rule(live->at("match_rule")) : trace::make_match_rule("exact");
  decode_client(*live, s.client);
  s.client.retry.seed = root.get<std::uint64_t>("seed", 1);
  // Top-K live: one call of A answers the K candidates (a list), billed as the server reports it,
  // which is the planner's `one_call` pricing; K calls per guess are not built.
  if (const auto planner = root.find("planner"))
    if (const auto top_k = planner->find("top_k")) {
      const sim::SpeculationTree tree = sim::decode_speculation_tree(*top_k);
      s.candidates = tree.candidates;
      if (tree.pricing != sim::GuessPricing::one_call && tree.candidates > 1)
        top_k->at("pricing").fail("a live run asks one call of A for its K candidates: only one_call pricing");
    }
  s.agents[sim::index(sim::Agent::approx)] = decode_agent(agents.at("approx"), models[sim::index(sim::Agent::approx)], s.candidates);
  s.agents[sim::index(sim::Agent::target)] = decode_agent(agents.at("target"), models[sim::index(sim::Agent::target)], 1);
  // One endpoint has one set of limits: agents that share it must not state two, nor say two
  // things of whose limits they are.
  const EndpointConfig& a = s.agents[sim::index(sim::Agent::approx)].endpoint;
  const EndpointConfig& t = s.agents[sim::index(sim::Agent::target)].endpoint;
  const sim::ConfigNode target_endpoint = agents.at("target").at("endpoint");
  if (a.base_url == t.base_url && a.api_key_env == t.api_key_env && a.limits_per_model != t.limits_per_model)
    (target_endpoint.has("limits_scope") ? target_endpoint.at("limits_scope") : target_endpoint)
        .fail("shares approx's base_url and api_key_env but states another limits_scope: give both the same");
  if (endpoint_of_agents(s)[sim::index(sim::Agent::target)] == endpoint_of_agents(s)[sim::index(sim::Agent::approx)] &&
      (a.max_in_flight != t.max_in_flight || a.requests_per_minute != t.requests_per_minute || a.tokens_per_minute != t.tokens_per_minute ||
       a.requests_burst != t.requests_burst || a.tokens_burst != t.tokens_burst))
    target_endpoint.fail(
        "shares approx's endpoint (the same base_url and api_key_env" +
        std::string(t.limits_per_model ? " and model" : "") +
        ") but states other limits: give both the same max_in_flight, requests_per_minute, tokens_per_minute, "
        "requests_burst_s and tokens_burst_s" +
        std::string(t.limits_per_model ? "" : ", or limits_scope: model if each model has limits of its own"));
  return s;
}

std::vector<LiveTask> read_tasks(const std::string& path) {
  const std::string text = sim::read_text_file(path);
  std::vector<LiveTask> tasks;
  std::set<std::string> seen;
  std::size_t pos = 0;
  for (int line_no = 1; pos < text.size(); ++line_no) {
    const auto nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw sim::InputError(path, line_no, 0, "", "expected a JSON object {\"id\": ..., \"task\": ...}");
    for (const auto& [key, value] : j.items())
      if (key != "id" && key != "task") throw sim::InputError(path, line_no, 0, key, "unknown field (expected id, task)");
    const auto id = j.find("id");
    const auto task = j.find("task");
    if (id == j.end() || !(id->is_string() || id->is_number_integer())) throw sim::InputError(path, line_no, 0, "id", "expected a string or an integer");
    if (task == j.end() || !task->is_string()) throw sim::InputError(path, line_no, 0, "task", "expected a string");
    LiveTask t{id->is_string() ? id->get<std::string>() : std::to_string(id->get<std::int64_t>()), task->get<std::string>()};
    if (t.id.empty()) throw sim::InputError(path, line_no, 0, "id", "must not be empty");
    if (!seen.insert(t.id).second) throw sim::InputError(path, line_no, 0, "id", "duplicate task id '" + t.id + "'");
    tasks.push_back(std::move(t));
  }
  if (tasks.empty()) throw sim::InputError(path, 0, 0, "", "no task in the file");
  return tasks;
}

std::array<int, sim::kAgents> endpoint_of_agents(const LiveSettings& settings) {
  std::array<int, sim::kAgents> ids{};
  int distinct = 0;
  for (std::size_t a = 0; a < ids.size(); ++a) {
    const EndpointConfig& ep = settings.agents[a].endpoint;
    ids[a] = -1;
    for (std::size_t b = 0; b < a && ids[a] < 0; ++b)
      if (settings.agents[b].endpoint.base_url == ep.base_url && settings.agents[b].endpoint.api_key_env == ep.api_key_env &&
          (!ep.limits_per_model || settings.agents[b].model == settings.agents[a].model))
        ids[a] = ids[b];
    if (ids[a] < 0) ids[a] = distinct++;
  }
  return ids;
}

bool has_limits(const EndpointConfig& endpoint) {
  return endpoint.max_in_flight > 0 || endpoint.requests_per_minute > 0 || endpoint.tokens_per_minute > 0;
}

std::string limits_name(const LiveSettings& settings, std::size_t agent) {
  const LiveAgent& a = settings.agents.at(agent);
  return a.endpoint.limits_per_model ? a.endpoint.base_url + " " + a.model : a.endpoint.base_url;
}

}  // namespace specsim::models::live
