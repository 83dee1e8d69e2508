// The billing rules beyond input and output: prompt-cache writes, long-context tiers picked by a
// call's prompt length, reasoning tokens billed (and timed) as output; each with exact dollars,
// through the meter that prices episodes and the per-call rows alike.
#include <catch2/catch.hpp>

#include "analysis/episode_metrics.hpp"
#include "analysis/result_rows.hpp"
#include "models/agent_model.hpp"
#include "models/catalogue.hpp"
#include "tools/runner/scenario.hpp"

using namespace specsim;

namespace {

models::Catalogue with(const std::string& yaml) {
  models::Catalogue c = models::Catalogue::builtin();
  c.merge(sim::ConfigNode::load_string(yaml, "models.yaml"));
  return c;
}

models::AgentModel agent(const models::Catalogue& c, const std::string& yaml) {
  return models::decode_agent(sim::ConfigNode::load_string(yaml, "agent.yaml"), c);
}

sim::CallRecord finished_call(sim::Agent who, int input, int output, int attempts = 1) {
  sim::CallRecord call;
  call.agent = who;
  call.status = sim::CallStatus::finished;
  call.tokens = {input, output, output};
  call.attempts = static_cast<std::int16_t>(attempts);
  return call;
}

// The meter's dollars for one call of the target.
double metered(const models::AgentModel& target, const sim::CallRecord& call) {
  const models::Agents agents{target, target};
  sim::EpisodeMetrics m;
  analysis::PriceMeter(agents, models::Billing::input_only).add(call, m);
  // The per-call rows price the call the same way, to the last bit.
  sim::EpisodeRun run;
  run.calls = {call};
  CHECK(analysis::call_rows(run, agents, models::Billing::input_only).at(0).cost_usd == m.cost_usd);
  return m.cost_usd;
}

// Prices that are exact in binary, so every product below is exact until the final 1e-6.
const std::string kPriced =
    "mine: {provider: x, price: {input: 4, cached_input: 0.5, cache_write: 5, output: 16,\n"
    "       long_context: [{above_input_tokens: 1000, input: 8, output: 32}, {above_input_tokens: 4000, input: 16}]}}\n";

}  // namespace

TEST_CASE("cache writes are billed at the cache-write price", "[pricing]") {
  const models::Catalogue c = with(kPriced);
  const auto a = agent(c, "{model: mine, cached_fraction: 0.5, cache_write_fraction: 0.25}");
  // 1000 prompt tokens: 250 at the input price, 500 cache hits, 250 written to the cache.
  CHECK(metered(a, finished_call(sim::Agent::target, 1000, 100)) == (250 * 4.0 + 500 * 0.5 + 250 * 5.0 + 100 * 16.0) * 1e-6);
  // Without a cache-write price a new model's writes cost the input price.
  const auto plain = agent(with("p: {provider: x, price: {input: 4, output: 16}}\n"), "{model: p, cache_write_fraction: 0.5}");
  CHECK(plain.price.cache_write == 4.0);
  CHECK(metered(plain, finished_call(sim::Agent::target, 1000, 0)) == 1000 * 4.0 * 1e-6);
  // The catalogue's Anthropic entries state their 5-minute write price, 1.25 times the input's.
  const models::Price& sonnet = models::Catalogue::builtin().find("claude-sonnet-4.6")->price;
  CHECK(sonnet.cache_write == 3.75);
  CHECK(sonnet.input == 3.0);
}

TEST_CASE("a prompt over a tier's threshold bills the whole call at the tier's prices", "[pricing]") {
  const models::Catalogue c = with(kPriced);
  const auto a = agent(c, "{model: mine}");
  // At the threshold: the standard prices; one token over: the tier's, for input and output.
  CHECK(metered(a, finished_call(sim::Agent::target, 1000, 10)) == (1000 * 4.0 + 10 * 16.0) * 1e-6);
  CHECK(metered(a, finished_call(sim::Agent::target, 1001, 10)) == (1001 * 8.0 + 10 * 32.0) * 1e-6);
  // The second tier leaves output out: it keeps the standard output price, not the first tier's.
  CHECK(metered(a, finished_call(sim::Agent::target, 4001, 10)) == (4001 * 16.0 + 10 * 16.0) * 1e-6);
  // Retries resend the prompt: the tier follows the prompt's length, not the billed sum.
  CHECK(metered(a, finished_call(sim::Agent::target, 600, 10, 2)) == (1200 * 4.0 + 10 * 16.0) * 1e-6);
  // Cached prompt tokens of a long prompt are billed at the tier's cached price (here the
  // standard one, which the tier leaves alone).
  const auto cached = agent(c, "{model: mine, cached_fraction: 0.5}");
  CHECK(metered(cached, finished_call(sim::Agent::target, 2000, 0)) == (1000 * 8.0 + 1000 * 0.5) * 1e-6);
  // Gemini 2.5 Pro as catalogued: over 200k prompt tokens, $2.50 in and $15 out.
  const auto gemini = agent(models::Catalogue::builtin(), "{model: gemini-2.5-pro}");
  CHECK(metered(gemini, finished_call(sim::Agent::target, 200001, 1000)) == (200001 * 2.5 + 1000 * 15.0) * 1e-6);
  CHECK(metered(gemini, finished_call(sim::Agent::target, 200000, 1000)) == (200000 * 1.25 + 1000 * 10.0) * 1e-6);
}

TEST_CASE("reasoning tokens are generated before the answer and billed as output", "[pricing]") {
  const models::Catalogue c = with(
      "r: {provider: x, reasoning: true, price: {input: 1, output: 8},\n"
      "    latency: {ttft_s: 0.5, prefill_tokens_per_s: 1000, decode_tokens_per_s: 100}}\n");
  const auto a = agent(c, "{model: r, style: react, input_tokens: {base: 500}, output_tokens: [100, 20],"
                          " reasoning_tokens: [300, 0]}");
  sim::RandomStream rng(1, "test", 0);
  const models::ScriptedCall thought = a.draw(0, 0, 0, rng);
  CHECK(thought.tokens.output == 400);
  CHECK(thought.tokens.planned_output == 400);
  // 0.5 s to the first token + 500 / 1000 s of prefill, then 400 tokens at 100 per second.
  CHECK(thought.first_token == sim::Time::from_seconds(1.0));
  CHECK(thought.latency == sim::Time::from_seconds(5.0));
  const models::ScriptedCall action = a.draw(0, 1, thought.tokens.output, rng);
  CHECK(action.tokens.output == 20);
  CHECK(metered(a, finished_call(sim::Agent::target, 500, thought.tokens.output)) == (500 * 1.0 + 400 * 8.0) * 1e-6);
  // A distribution draws its noise after the answer's, so agents without reasoning draw as before.
  const auto noisy = agent(c, "{model: r, output_tokens: {mean: 100, sigma: 0.5}, reasoning_tokens: {mean: 300, sigma: 0.5}}");
  const auto quiet = agent(c, "{model: r, output_tokens: {mean: 100, sigma: 0.5}}");
  sim::RandomStream r1(7, "test", 0), r2(7, "test", 0);
  const int with_reasoning = noisy.draw(0, 0, 0, r1).tokens.output;
  const int answer = quiet.draw(0, 0, 0, r2).tokens.output;
  CHECK(with_reasoning > answer);
  CHECK(!noisy.constant());
  CHECK_THROWS_WITH(agent(c, "{model: r, style: react, reasoning_tokens: [1, 2, 3]}"),
                    Catch::Contains("agent.yaml:1:44: reasoning_tokens: has 3 entries but a step makes 2 calls"));
}

// Top-K guesses are priced where their tokens are drawn (the planner bills what the world
// reports): one call writing K answers after one reasoning, or K calls side by side.
TEST_CASE("a drawn top-K guess costs K answers (one_call) or K calls (per_candidate)", "[pricing][top_k]") {
  const models::Catalogue c = with(
      "r: {provider: x, price: {input: 1, output: 8},\n"
      "    latency: {ttft_s: 0.5, prefill_tokens_per_s: 1000, decode_tokens_per_s: 100}}\n");
  auto a = agent(c, "{model: r, style: react, input_tokens: {base: 500}, output_tokens: [100, 20], reasoning_tokens: [0, 30]}");
  sim::RandomStream rng(1, "test", 0);
  const models::ScriptedCall one = a.draw(0, 1, 100, rng);  // K = 1: 600 in, 50 out, 1.1 + 0.5 s
  CHECK(one.tokens.input == 600);
  CHECK(one.tokens.output == 50);
  CHECK(one.latency.seconds() == Approx(1.6).epsilon(1e-9));
  a.candidates = 3;
  // one_call: the action call lists 3 answers after one reasoning: 3 x 20 + 30 out, all timed.
  const models::ScriptedCall listed = a.draw(0, 1, 100, rng);
  CHECK(listed.tokens.input == 600);
  CHECK(listed.tokens.output == 90);
  CHECK(listed.tokens.planned_output == 90);
  CHECK(listed.latency.seconds() == Approx(1.1 + 0.9).epsilon(1e-9));
  CHECK(listed.first_token == one.first_token);
  // The thought before it is made once whatever K is.
  CHECK(a.draw(0, 0, 0, rng).tokens.output == 100);
  // per_candidate: 3 whole action calls at once, each one call's time; all 3 billed.
  a.pricing = sim::GuessPricing::per_candidate;
  const models::ScriptedCall each = a.draw(0, 1, 100, rng);
  CHECK(each.tokens.input == 1800);
  CHECK(each.tokens.output == 150);
  CHECK(each.tokens.planned_output == 150);
  CHECK(each.latency == one.latency);
  CHECK(a.draw(0, 0, 0, rng).tokens.input == 500);

  // A scenario's A takes its K and pricing from planner.top_k; T and a model fitted to recorded
  // calls (whose tokens are already the whole list's) draw one candidate.
  const auto loaded = [](const std::string& top_k) {
    return runner::parse_scenario("name: k\nepisodes: 1\nplanner: {top_k: " + top_k +
                                      "}\nagents:\n  approx: {model: gpt-4o-mini}\n  target: {model: gpt-4o}\n"
                                      "workload: {kind: synthetic, steps: 3, match: {kind: iid, p: 0.5}}\npolicies: [sequential]\n",
                                  "k.yaml");
  };
  const runner::Scenario s = loaded("{candidates: 3, pricing: per_candidate}");
  CHECK(s.agents[sim::index(sim::Agent::approx)].candidates == 3);
  CHECK(s.agents[sim::index(sim::Agent::approx)].pricing == sim::GuessPricing::per_candidate);
  CHECK(s.agents[sim::index(sim::Agent::target)].candidates == 1);
  CHECK(loaded("{candidates: 1}").agents[sim::index(sim::Agent::approx)].candidates == 1);
}

TEST_CASE("partial overrides keep a model's tiers, and a list replaces them", "[pricing]") {
  const models::Catalogue builtin = models::Catalogue::builtin();
  const models::Price& base = builtin.find("gemini-2.5-pro")->price;
  REQUIRE(base.long_context.size() == 1);
  const models::Catalogue c = with("gemini-2.5-pro: {price: {input: 1.0}}\n");
  const models::Price& cheaper = c.find("gemini-2.5-pro")->price;
  CHECK(cheaper.input == 1.0);
  CHECK(cheaper.output == base.output);
  CHECK(cheaper.long_context.size() == 1);
  CHECK(cheaper.long_context[0].prices.input == base.long_context[0].prices.input);
  CHECK(with("gemini-2.5-pro: {price: {long_context: []}}\n").find("gemini-2.5-pro")->price.long_context.empty());
  // An agent's override too, and a model's other fields stay.
  const auto a = agent(builtin, "{model: claude-sonnet-4.6, price: {cache_write: 6.0}}");
  CHECK(a.price.cache_write == 6.0);
  CHECK(a.price.input == 3.0);
  const models::Catalogue status = with("claude-sonnet-4.6: {status: deprecated, shutdown: 2027-01-31}\n");
  CHECK(status.find("claude-sonnet-4.6")->status == models::ModelStatus::deprecated);
  CHECK(status.find("claude-sonnet-4.6")->price.output == 15.0);
  CHECK(status.find("claude-sonnet-4.6")->reasoning);
}

TEST_CASE("bad prices, cache shares, dates and statuses name their field", "[pricing]") {
  CHECK_THROWS_WITH(with("m: {provider: x, price: {input: 1, output: 2, long_context: "
                         "[{above_input_tokens: 500, input: 2}, {above_input_tokens: 500, input: 3}]}}\n"),
                    Catch::Contains("m.price.long_context[1].above_input_tokens: must be above the previous tier's (500)"));
  CHECK_THROWS_WITH(with("m: {provider: x, price: {input: 1, output: 2, long_context: {input: 2}}}\n"),
                    Catch::Contains("m.price.long_context: must be a list"));
  CHECK_THROWS_WITH(agent(models::Catalogue::builtin(), "{model: gpt-4o, cached_fraction: 0.75, cache_write_fraction: 0.5}"),
                    Catch::Contains("cache_write_fraction: plus cached_fraction must be at most 1"));
  CHECK_THROWS_WITH(with("gpt-4o: {read: 2026-13-01}\n"), Catch::Contains("gpt-4o.read: expected a date YYYY-MM-DD"));
  CHECK_THROWS_WITH(with("gpt-4o: {status: sunset}\n"), Catch::Contains("unknown model status 'sunset'"));
}

TEST_CASE("every catalogued model says where its figures come from and what replaces it", "[pricing]") {
  const auto& models = models::Catalogue::builtin().models();
  for (const auto& [name, m] : models) {
    INFO(name);
    CHECK(!m.source.empty());
    CHECK(!m.read.empty());
    if (!m.replacement.empty()) CHECK(models.count(m.replacement) == 1);
    if (m.status == models::ModelStatus::retired || m.status == models::ModelStatus::deprecated)
      CHECK(!m.shutdown.empty());
  }
  // The names the bundled scenarios use stay.
  for (const char* kept : {"gpt-4o", "gpt-4o-mini", "gpt-4-turbo"}) CHECK(models.count(kept) == 1);
}

TEST_CASE("a scenario on a retired model says so", "[pricing]") {
  const runner::Scenario s = runner::parse_scenario(
      "name: old\nepisodes: 2\nagents:\n"
      "  approx: {model: deepseek-chat, input_tokens: {base: 10}, output_tokens: 5}\n"
      "  target: {model: gpt-4o, input_tokens: {base: 10}, output_tokens: 5}\n"
      "workload: {kind: synthetic, steps: {kind: fixed, n: 3}, match: {kind: iid, p: 0.5}}\n"
      "policies: [sequential]\n",
      "old.yaml");
  CHECK(s.warnings == std::vector<std::string>{
                          "old.yaml: agents.approx.model: deepseek-chat is retired at deepseek (shut down 2026-07-24); "
                          "its successor is deepseek-v4-flash"});
}
