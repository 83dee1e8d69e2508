// The model catalogue: partial overrides keep the entry's other fields; new models state a price.
#include <catch2/catch.hpp>

#include "models/agent_model.hpp"
#include "models/catalogue.hpp"

using namespace specsim;

TEST_CASE("a partial price override keeps the catalogue's other prices", "[catalogue]") {
  models::Catalogue c = models::Catalogue::builtin();
  const models::Price before = c.find("gpt-4o")->price;
  c.merge(sim::ConfigNode::load_string("gpt-4o: {price: {input: 2.0}}\n", "models.yaml"));
  const models::Price after = c.find("gpt-4o")->price;
  CHECK(after.input == 2.0);
  CHECK(after.cached_input == before.cached_input);
  CHECK(after.output == before.output);
  CHECK(c.find("gpt-4o")->latency.decode_tokens_per_s == models::Catalogue::builtin().find("gpt-4o")->latency.decode_tokens_per_s);
  // An agent's override too.
  const models::AgentModel a = models::decode_agent(
      sim::ConfigNode::load_string("{model: gpt-4o, price: {output: 12}}\n", "agent.yaml"), models::Catalogue::builtin());
  CHECK(a.price.output == 12.0);
  CHECK(a.price.input == before.input);
  CHECK(a.price.cached_input == before.cached_input);
}

TEST_CASE("a new model must state its input and output prices", "[catalogue]") {
  models::Catalogue c = models::Catalogue::builtin();
  CHECK_THROWS_WITH(c.merge(sim::ConfigNode::load_string("mine: {provider: x, price: {input: 1}}\n", "models.yaml")),
                    Catch::Contains("models.yaml:1:28: mine.price.output: missing required key"));
  c.merge(sim::ConfigNode::load_string("mine: {provider: x, price: {input: 1, output: 3}}\n", "models.yaml"));
  CHECK(c.find("mine")->price.cached_input == 1.0);  // cached input defaults to the input price
}
