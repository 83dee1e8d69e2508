#include "models/trace/trace_workload.hpp"

#include <algorithm>
#include <climits>
#include <filesystem>
#include <string_view>

#include "models/trace/fitted_agents.hpp"
#include "models/trace/trace_reader.hpp"

namespace specsim::models::trace {

namespace {

ScriptedCall scripted(const Call& c) {
  const auto in = static_cast<std::int32_t>(std::min<std::int64_t>(c.input_tokens, INT32_MAX));
  const auto out = static_cast<std::int32_t>(std::min<std::int64_t>(c.output_tokens, INT32_MAX));
  // When the first token came is not recorded: output is taken to stream over the whole call.
  const auto attempts = static_cast<int>(std::clamp<std::int64_t>(c.attempts, 1, 32767));
  return ScriptedCall{c.latency, sim::Time::zero(), sim::CallTokens{in, out, out}, attempts};
}

// The recorded tool calls of the task's steps (none recorded: a world without an environment).
// Tools are numbered by first appearance in the task: a replay needs only whether a step has one.
void recorded_environment(const Task& task, EpisodeScript& out) {
  const auto steps = static_cast<std::size_t>(out.steps);
  if (std::none_of(task.steps.begin(), task.steps.begin() + static_cast<std::ptrdiff_t>(steps),
                   [](const Step& s) { return s.env.has_value(); }))
    return;
  out.environment.assign(steps, ScriptedEnvironmentCall{});
  std::vector<std::string_view> tools;
  for (std::size_t s = 0; s < steps; ++s) {
    const std::optional<EnvironmentStep>& env = task.steps[s].env;
    if (!env) continue;
    auto it = std::find(tools.begin(), tools.end(), std::string_view(env->tool));
    if (it == tools.end()) it = tools.insert(tools.end(), env->tool);
    out.environment[s] = {static_cast<std::int16_t>(std::min<std::ptrdiff_t>(it - tools.begin(), INT16_MAX)),
                          env->side_effect_free, env->latency, env->price_usd};
  }
}

}  // namespace

TraceWorkload::TraceWorkload(Trace trace, TraceWorkloadConfig config)
    : trace_(std::move(trace)), config_(std::move(config)) {
  if (trace_.tasks.empty()) throw std::invalid_argument("a trace workload needs at least one task");
  if (!config_.match_rule) config_.match_rule = make_match_rule("exact");
  if (config_.fitted_latency && !config_.latency_fit)
    config_.latency_fit = std::make_shared<const LatencyFit>(fit_latency(trace_));
  if (config_.modelled_verdicts && !config_.match_rate) config_.match_rate = match_rate(trace_, *config_.match_rule);
  // Precomputed once: a replay must not hash text in its inner loop.
  const std::size_t task_dim = trace_.tasks.front().features.size();
  const int text_dim = config_.text_features ? config_.text_features->dim : 0;
  feature_dim_ = static_cast<int>(task_dim) + text_dim;
  for (const Task& task : trace_.tasks) {
    std::vector<double> rows(task.steps.size() * static_cast<std::size_t>(feature_dim_));
    const std::vector<double> text = config_.text_features ? task_text_features(task, *config_.text_features)
                                                           : std::vector<double>{};
    for (std::size_t s = 0; s < task.steps.size(); ++s) {
      double* row = rows.data() + s * static_cast<std::size_t>(feature_dim_);
      std::copy(task.features.begin(), task.features.end(), row);
      std::copy_n(text.begin() + static_cast<std::ptrdiff_t>(s * static_cast<std::size_t>(text_dim)), text_dim,
                  row + task_dim);
    }
    features_.push_back(std::move(rows));
  }
}

void TraceWorkload::adapt_agents(Agents& agents) const {
  if (!config_.fit_agents) return;
  for (auto agent : {sim::Agent::approx, sim::Agent::target}) {
    auto& a = agents[static_cast<std::size_t>(sim::index(agent))];
    a = fit_agent(trace_, agent, a);
  }
}

double match_rate(const Trace& trace, const MatchRule& rule) {
  std::int64_t guessed = 0, matched = 0;
  for (const Task& task : trace.tasks)
    for (const Step& step : task.steps)
      if (step.approx) {
        ++guessed;
        matched += step_matches(step, rule);
      }
  return guessed > 0 ? static_cast<double>(matched) / static_cast<double>(guessed) : 0.0;
}

void TraceWorkload::script(std::int64_t episode, int max_steps, const Agents& agents, const WorldStreams& streams,
                           EpisodeScript& out) const {
  const auto t = static_cast<std::size_t>(episode % static_cast<std::int64_t>(trace_.tasks.size()));
  const Task& task = trace_.tasks[t];
  out.clear();
  out.steps = std::min(static_cast<int>(task.steps.size()), max_steps);
  // The trace's last step ends the episode, whatever its action (shared/DESIGN.md §1).
  out.ends_with_terminate = static_cast<int>(task.steps.size()) <= max_steps;
  out.match.resize(static_cast<std::size_t>(out.steps));
  out.guess_terminal.assign(static_cast<std::size_t>(out.steps), 0);
  // Recorded top-K candidates give each step the rank of T's action among them.
  const bool ranked = !config_.modelled_verdicts &&
                      std::any_of(task.steps.begin(), task.steps.end(),
                                  [](const Step& st) { return st.approx && !st.approx->alternatives.empty(); });
  if (ranked) out.rank.assign(static_cast<std::size_t>(out.steps), -1);
  // A guess with no recorded confidence passes any gate.
  if (std::any_of(task.steps.begin(), task.steps.begin() + out.steps,
                  [](const Step& step) { return step.confidence.has_value(); })) {
    out.confidence.resize(static_cast<std::size_t>(out.steps));
    for (int s = 0; s < out.steps; ++s) {
      const Step& step = task.steps[static_cast<std::size_t>(s)];
      out.confidence[static_cast<std::size_t>(s)] = step.confidence.value_or(1.0);
    }
  }
  std::vector<ScriptedCall> calls;
  const AgentModel& approx = agents[static_cast<std::size_t>(sim::index(sim::Agent::approx))];
  sim::RandomStream verdicts = streams.of("match"), target_calls = streams.calls_of(sim::Agent::target),
                    approx_calls = streams.calls_of(sim::Agent::approx), predictor = streams.of("predictor");
  for (int s = 0; s < out.steps; ++s) {
    const Step& step = task.steps[static_cast<std::size_t>(s)];
    if (config_.modelled_verdicts) {
      out.match[static_cast<std::size_t>(s)] = verdicts.bernoulli(*config_.match_rate);
    } else {
      out.match[static_cast<std::size_t>(s)] = step_matches(step, *config_.match_rule);
      if (ranked) out.rank[static_cast<std::size_t>(s)] = static_cast<std::int8_t>(candidate_rank(step, *config_.match_rule));
      out.guess_terminal[static_cast<std::size_t>(s)] = step.approx && is_terminate(step.approx->action);
    }
    if (config_.agent_latency) continue;  // the calls are drawn below, all steps at once
    const LatencyFit* fit = config_.fitted_latency ? config_.latency_fit.get() : nullptr;
    const auto path_call = [&](sim::Agent agent, std::size_t index, const Call& c) {
      return fit ? fit->draw(call_kind(agent, index), c, agent == sim::Agent::target ? target_calls : approx_calls)
                 : scripted(c);
    };
    calls.clear();
    for (std::size_t c = 0; c < step.target.calls.size(); ++c)
      calls.push_back(path_call(sim::Agent::target, c, step.target.calls[c]));
    out.add_step(sim::Agent::target, calls);
    calls.clear();
    if (step.approx) {
      for (std::size_t c = 0; c < step.approx->calls.size(); ++c)
        calls.push_back(path_call(sim::Agent::approx, c, step.approx->calls[c]));
    } else {
      int prior = 0;
      for (int c = 0; c < approx.calls_per_step; ++c) {
        calls.push_back(approx.draw(s, c, prior, approx_calls));
        prior += calls.back().tokens.output;
      }
    }
    out.add_step(sim::Agent::approx, calls);
  }
  if (config_.agent_latency) draw_path_calls(agents, streams, out);
  recorded_environment(task, out);
  out.index_runs();
  if (feature_dim_ > 0) {
    out.feature_dim = feature_dim_;
    const auto& rows = features_[t];
    out.features.assign(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(out.steps * feature_dim_));
  }
  const bool draw_predictor = config_.fitted_latency && !config_.latency_fit->predictor_s.empty();
  for (const Round& r : task.rounds)
    if (r.start_step < out.steps)
      out.recorded.push_back({static_cast<int>(r.start_step), static_cast<int>(r.k),
                              draw_predictor ? config_.latency_fit->draw_predictor(predictor)
                                             : r.predictor_latency.value_or(sim::Time::zero())});
  if (config_.modelled_verdicts && config_.top_k) {
    sim::RandomStream ranks = streams.of("top-k");
    config_.top_k->draw(ranks, out);
  }
}

std::unique_ptr<Workload> decode_trace_workload(const sim::ConfigNode& node) {
  node.expect_keys({"kind", "file", "match_rule", "text_features", "offpath", "latency", "verdicts"});
  const sim::ConfigNode file = node.at("file");
  const auto path = (std::filesystem::path(node.file()).parent_path() / file.as<std::string>()).lexically_normal();
  if (!std::filesystem::exists(path)) file.fail("trace file '" + path.string() + "' does not exist");
  TraceWorkloadConfig config;
  config.file = path.string();
  if (auto rule = node.find("match_rule")) config.match_rule = decode_match_rule(*rule);
  if (auto text = node.find("text_features")) config.text_features = decode_text_feature_config(*text);
  if (auto offpath = node.find("offpath")) {
    const std::string v = offpath->as<std::string>();
    if (v != "fitted" && v != "agents") offpath->fail("expected fitted (models fitted to the trace) or agents (the scenario's)");
    config.fit_agents = v == "fitted";
  }
  if (auto latency = node.find("latency")) {
    const std::string v = latency->as<std::string>();
    if (v != "recorded" && v != "fitted" && v != "agents")
      latency->fail("expected recorded, fitted (models per call kind fitted to the trace) or agents (the scenario's models)");
    config.fitted_latency = v == "fitted";
    config.agent_latency = v == "agents";
    // Models fitted to a trace's timings mean nothing when its timings are not used.
    if (config.agent_latency && config.fit_agents && node.has("offpath"))
      latency->fail("latency: agents needs offpath: agents (the trace's timings are not used)");
    if (config.agent_latency) config.fit_agents = false;
  }
  if (auto verdicts = node.find("verdicts")) {
    const std::string v = verdicts->as<std::string>();
    if (v != "recorded" && v != "model") verdicts->fail("expected recorded or model (i.i.d. at the trace's match rate)");
    config.modelled_verdicts = v == "model";
  }
  Trace trace = read_trace(path.string());
  if (trace.tasks.empty()) file.fail("the trace has no task");
  return std::make_unique<TraceWorkload>(std::move(trace), std::move(config));
}

}  // namespace specsim::models::trace
