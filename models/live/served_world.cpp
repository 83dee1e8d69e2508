#include "models/live/served_world.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "models/episode_script.hpp"
#include "sim/random.hpp"

namespace specsim::models::live {

namespace {

// Which agent a request is for: the prompt's `agent:` line, else the model name.
sim::Agent agent_of(const std::string& model, const PromptQuery& q, const std::array<std::string, sim::kAgents>& names) {
  if (q.agent) return *q.agent;
  const bool is_t = model == names[sim::index(sim::Agent::target)];
  const bool is_a = model == names[sim::index(sim::Agent::approx)];
  if (is_t && is_a) throw ProtocolError("model '" + model + "' is both agents' model: add an 'agent: target|approx' line");
  if (is_t) return sim::Agent::target;
  if (is_a) return sim::Agent::approx;
  throw ProtocolError("unknown model '" + model.substr(0, 80) + "' (served: " + names[sim::index(sim::Agent::target)] +
                      ", " + names[sim::index(sim::Agent::approx)] + ")");
}

int call_of(const PromptQuery& q, int calls) {
  const int c = q.call.value_or(calls - 1);
  if (c >= calls) throw ProtocolError(fmt::format("call: {} out of range (this agent's step takes {} call{})", c, calls, calls == 1 ? "" : "s"));
  return c;
}

// A thought of `tokens` words: earlier calls of a step (ReAct's thought) stream at their length.
std::string thought_text(int tokens) {
  std::string s = "Thought:";
  for (int i = 1; i < std::min(tokens, 4096); ++i) s += " think";
  return s;
}

// A top-K answer: the candidates as a JSON array; the top one's text starts after `["`. Its usage
// is the call's as the world has it (a recorded list's, or a draw of the scenario's K-list).
void answer_candidates(ServedCall& out, const std::vector<std::string>& candidates) {
  out.content = nlohmann::json(candidates).dump();
  out.action_at = 2;
}

// A's confidence as a log-probability: 0 gives -inf, which JSON cannot carry.
double log_of(double confidence) { return std::log(std::max(confidence, 1e-300)); }

std::string label(const PromptQuery& q, sim::Agent agent, int call) {
  return fmt::format("task {} step {} {} call {}", q.task.substr(0, 60), q.step(), sim::name(agent), call);
}

class TraceWorld final : public ServedWorld {
 public:
  explicit TraceWorld(trace::Trace t) : trace_(std::move(t)) {
    for (std::size_t i = 0; i < trace_.tasks.size(); ++i) index_[trace_.tasks[i].task_id] = i;
  }
  std::vector<std::string> models() const override { return {"target", "approx"}; }

  ServedCall answer(const std::string& model, const PromptQuery& q) const override {
    const sim::Agent agent = agent_of(model, q, {"approx", "target"});
    const auto it = index_.find(q.task);
    if (it == index_.end()) throw ProtocolError("unknown task '" + q.task.substr(0, 60) + "'");
    const trace::Task& task = trace_.tasks[it->second];
    // Beyond the recorded steps both agents stop, with the timing of the last recorded step.
    const bool beyond = q.step() >= static_cast<int>(task.steps.size());
    const trace::Step& step = task.steps[beyond ? task.steps.size() - 1 : static_cast<std::size_t>(q.step())];
    const trace::AgentStep* as = &step.target;
    if (agent == sim::Agent::approx) as = approx_step(task, step);
    const int c = call_of(q, static_cast<int>(as->calls.size()));
    const trace::Call& call = as->calls[static_cast<std::size_t>(c)];
    ServedCall out;
    const bool last = c + 1 == static_cast<int>(as->calls.size());
    if (!last) out.content = thought_text(static_cast<int>(call.output_tokens));
    // Past the plan T stops; A's guess there is none (as the simulator's guesses past the plan,
    // which are off the recording, never match and never stop speculation).
    else if (beyond) out.content = agent == sim::Agent::target ? std::string(trace::kTerminateAction) : std::string();
    else out.content = agent == sim::Agent::approx && !step.approx ? std::string() : as->action;
    // A trace records no time to first token; the replay (trace_workload) assumes 0, so do we.
    out.first_token = sim::Time::zero();
    out.total = call.latency;
    out.usage = {call.input_tokens, call.output_tokens};
    out.label = label(q, agent, c);
    if (agent == sim::Agent::approx && last && !beyond) {
      if (step.confidence) out.logprob = log_of(*step.confidence);
      if (q.candidates) {
        std::vector<std::string> list{out.content};
        if (step.approx)
          for (const auto& a : step.approx->alternatives) list.push_back(a);
        list.resize(std::min(list.size(), static_cast<std::size_t>(*q.candidates)));
        answer_candidates(out, list);
      }
    } else if (agent == sim::Agent::approx && last && q.candidates) {
      answer_candidates(out, {out.content});
    }
    return out;
  }

 private:
  // A's recorded guess, or for a step A never guessed, the nearest guess's calls with no text.
  static const trace::AgentStep* approx_step(const trace::Task& task, const trace::Step& step) {
    if (step.approx) return &*step.approx;
    for (const auto& s : task.steps)
      if (s.approx) return &*s.approx;
    return &step.target;
  }

  trace::Trace trace_;
  std::map<std::string, std::size_t> index_;
};

class ScriptWorld final : public ServedWorld {
 public:
  ScriptWorld(std::unique_ptr<Workload> w, Agents agents, std::uint64_t seed, int max_steps)
      : workload_(std::move(w)), agents_(std::move(agents)), seed_(seed), max_steps_(max_steps) {}
  // The agents come as the scenario loader left them (already adapted to the workload).
  std::vector<std::string> models() const override {
    std::vector<std::string> m{agents_[sim::index(sim::Agent::target)].model};
    if (agents_[sim::index(sim::Agent::approx)].model != m[0]) m.push_back(agents_[sim::index(sim::Agent::approx)].model);
    return m;
  }

  ServedCall answer(const std::string& model, const PromptQuery& q) const override {
    const sim::Agent agent = agent_of(model, q, {agents_[0].model, agents_[1].model});
    std::int64_t episode = -1;
    const auto [end, ec] = std::from_chars(q.task.data(), q.task.data() + q.task.size(), episode);
    if (ec != std::errc{} || end != q.task.data() + q.task.size() || episode < 0 || episode > 1'000'000'000)
      throw ProtocolError("task: a scenario's tasks are episode indexes 0..1000000000, got '" + q.task.substr(0, 60) + "'");
    EpisodeScript script;
    make_script(*workload_, agents_, seed_, episode, max_steps_, script);
    const AgentModel& am = agents_[static_cast<std::size_t>(sim::index(agent))];
    const int s = q.step();
    const int c = call_of(q, am.calls_per_step);
    ScriptedCall call;
    if (s < script.steps) {
      call = script.step_calls(agent, s)[static_cast<std::size_t>(c)];
    } else {  // past the plan (a guess beyond T's stop): drawn from the agent's model, seeded
      sim::RandomStream rng(seed_, "serve-beyond", static_cast<std::uint64_t>(episode) * 1'000'003u + static_cast<std::uint64_t>(s));
      int prior = 0;
      for (int i = 0; i <= c; ++i) {
        call = am.draw(s, i, prior, rng);
        prior += call.tokens.output;
      }
    }
    ServedCall out;
    if (c + 1 < am.calls_per_step) out.content = thought_text(call.tokens.output);
    else out.content = action(script, q, agent);
    out.first_token = call.first_token;
    out.total = call.latency;
    out.usage = {call.tokens.input, call.tokens.output};
    out.label = label(q, agent, c);
    if (serving_profile(agent)) out.served_by = agent;
    if (agent == sim::Agent::approx && c + 1 == am.calls_per_step) {
      if (static_cast<std::size_t>(s) < script.confidence.size()) out.logprob = log_of(script.confidence[static_cast<std::size_t>(s)]);
      if (q.candidates) answer_candidates(out, candidates(script, q, out.content));
    }
    return out;
  }

  const ServingProfile* serving_profile(sim::Agent agent) const override {
    const LatencyModel& latency = agents_[static_cast<std::size_t>(sim::index(agent))].latency;
    return latency.kind == LatencyModel::Kind::served ? &latency.profile : nullptr;
  }

 private:
  static std::string target_action(const EpisodeScript& script, const std::string& task, int s) {
    const bool t_stops = s >= script.steps || (s == script.steps - 1 && script.ends_with_terminate);
    return t_stops ? std::string(trace::kTerminateAction) : synthetic_action(task, s);
  }

  // Whether every step the prompt lists is T's: a call on the committed path.
  static bool on_path(const EpisodeScript& script, const PromptQuery& q) {
    for (int i = 0; i < q.step(); ++i)
      if (q.steps[static_cast<std::size_t>(i)] != target_action(script, q.task, i)) return false;
    return true;
  }

  // A's K candidates: `top` first, then T's action at the rank the top-K model drew for the step
  // (on the committed path) and wrong guesses elsewhere.
  static std::vector<std::string> candidates(const EpisodeScript& script, const PromptQuery& q, const std::string& top) {
    const int s = q.step();
    const int rank = s < script.steps && on_path(script, q) ? script.rank_of(s) : -1;
    std::vector<std::string> list{top};
    for (int r = 1; r < *q.candidates; ++r)
      list.push_back(r == rank ? target_action(script, q.task, s) : fmt::format("{} (candidate {})", synthetic_wrong_guess(q.task, s), r + 1));
    return list;
  }

  static std::string action(const EpisodeScript& script, const PromptQuery& q, sim::Agent agent) {
    const std::string& task = q.task;
    const int s = q.step();
    // A guess conditioned on a wrong guess is off the plan, and never the stop: the simulated
    // backend's off-path guesses do not end speculation either (models/sim_backend.hpp).
    if (agent == sim::Agent::approx && !on_path(script, q)) return synthetic_wrong_guess(task, s);
    const std::string t_action = target_action(script, task, s);
    if (agent == sim::Agent::target || s >= script.steps) return t_action;
    const auto i = static_cast<std::size_t>(s);
    if (script.match[i]) return t_action;
    // A wrong guess of the stop (a recorded trace's), which ends speculation as in simulation.
    if (i < script.guess_terminal.size() && script.guess_terminal[i]) return std::string(trace::kTerminateAction);
    return synthetic_wrong_guess(task, s);
  }

  std::unique_ptr<Workload> workload_;
  Agents agents_;
  std::uint64_t seed_;
  int max_steps_;
};

}  // namespace

std::string synthetic_action(const std::string& task, int step) { return fmt::format("do step {} of task {}", step + 1, task); }
std::string synthetic_wrong_guess(const std::string& task, int step) {
  return fmt::format("guess step {} of task {} (wrong)", step + 1, task);
}

std::unique_ptr<ServedWorld> make_trace_world(trace::Trace t) { return std::make_unique<TraceWorld>(std::move(t)); }

std::unique_ptr<ServedWorld> make_script_world(std::unique_ptr<Workload> w, Agents agents, std::uint64_t seed, int max_steps) {
  return std::make_unique<ScriptWorld>(std::move(w), std::move(agents), seed, max_steps);
}

}  // namespace specsim::models::live
