#include "models/environment.hpp"

#include <set>

namespace specsim::models {

void EnvironmentModel::draw(sim::RandomStream& rng, EpisodeScript& script) const {
  script.environment.assign(static_cast<std::size_t>(script.steps), ScriptedEnvironmentCall{});
  for (int s = 0; s < script.steps; ++s) {
    // A terminate action acts on nothing.
    if (s == script.steps - 1 && script.ends_with_terminate) break;
    double u = rng.uniform();
    for (std::size_t i = 0; i < tools_.size(); ++i) {
      const Tool& tool = tools_[i];
      if (u >= tool.share) {
        u -= tool.share;
        continue;
      }
      ScriptedEnvironmentCall& call = script.environment[static_cast<std::size_t>(s)];
      call.tool = static_cast<std::int16_t>(i);
      call.latency = tool.latency.timing(0, 0, tool.latency.draws() ? rng.normal() : 0.0).total;
      call.price_usd = tool.price_usd;
      call.side_effect_free = tool.side_effect_free;
      break;
    }
  }
}

EnvironmentModel decode_environment(const sim::ConfigNode& node) {
  node.expect_keys({"tools"});
  const sim::ConfigNode list = node.at("tools");
  if (!list.is_sequence() || list.items().empty()) list.fail("must be a non-empty list of tools");
  if (list.items().size() > 1000) list.fail("must hold at most 1000 tools");
  std::vector<Tool> tools;
  std::set<std::string> names;
  double shares = 0;
  for (const sim::ConfigNode& item : list.items()) {
    item.expect_keys({"name", "share", "latency", "price_usd", "side_effect_free"});
    Tool tool;
    tool.name = item.get<std::string>("name");
    if (tool.name.empty()) item.at("name").fail("must not be empty");
    if (!names.insert(tool.name).second) item.at("name").fail("names another tool too");
    tool.share = item.get_probability("share");
    shares += tool.share;
    if (shares > 1 + 1e-9) item.at("share").fail("makes the tools' shares add up to more than 1");
    tool.latency = decode_latency(item.at("latency"), LatencyModel{});
    if (tool.latency.kind == LatencyModel::Kind::served) item.at("latency").fail("a tool's latency cannot be served");
    tool.price_usd = item.get_real("price_usd", 0, 1e6, 0.0);
    tool.side_effect_free = item.get<bool>("side_effect_free");
    tools.push_back(std::move(tool));
  }
  return EnvironmentModel(std::move(tools));
}

}  // namespace specsim::models
