#include "models/live/live_recorder.hpp"

#include <algorithm>

namespace specsim::models::live {

namespace {

using nlohmann::json;

const char* status_name(sim::CallStatus s) {
  switch (s) {
    case sim::CallStatus::queued: return "queued";
    case sim::CallStatus::running: return "running";
    case sim::CallStatus::finished: return "finished";
    case sim::CallStatus::cancelled: return "cancelled";
    case sim::CallStatus::cancelled_queued: return "cancelled_queued";
    case sim::CallStatus::failed: return "failed";
  }
  return "?";
}

const char* role_name(sim::CallRole r) {
  switch (r) {
    case sim::CallRole::pending: return "pending";
    case sim::CallRole::committed: return "committed";
    case sim::CallRole::speculation: return "speculation";
    case sim::CallRole::wasted: return "wasted";
  }
  return "?";
}

double seconds(sim::Time t) { return t.seconds(); }

json call_json(const sim::CallRecord& r, const LiveCallLog& log, sim::Time start) {
  json messages = json::array();
  for (const auto& m : log.request) messages.push_back({{"role", m.role}, {"content", m.content}});
  json attempts = json::array();
  for (const auto& a : log.attempts)
    attempts.push_back({{"status", a.status}, {"started_s", seconds(a.started - start)}, {"ended_s", seconds(a.ended - start)},
                        {"error", a.error}});
  json j{{"agent", sim::name(r.agent)}, {"step", r.step}, {"call", r.call_index}, {"round", r.round}, {"position", r.pos},
         {"conditioning", log.conditioning}, {"request", messages}, {"response", log.response}, {"action", log.action},
         {"input_tokens", r.tokens.input}, {"output_tokens", r.tokens.output}, {"requested_s", seconds(r.requested)},
         {"started_s", seconds(r.started)}, {"ended_s", seconds(r.ended)}, {"status", status_name(r.status)},
         {"role", role_name(r.role)}, {"attempts", attempts}};
  if (r.status == sim::CallStatus::finished) j["first_token_s"] = seconds(r.first_token);
  if (log.cancelled) j["cancelled_s"] = seconds(*log.cancelled - start);
  if (!log.error.empty()) j["error"] = log.error;
  return j;
}

trace::Call trace_call(const sim::CallRecord& r) {
  return {r.ended - r.started, r.tokens.input, r.tokens.output, std::max<std::int64_t>(1, r.attempts)};
}

}  // namespace

std::optional<trace::Task> record_task(const LiveTask& task, const sim::EpisodeRun& run, const std::vector<LiveCallLog>& calls,
                                       sim::Time episode_start, std::string_view terminate, std::string_view policy) {
  json log = json::array();
  for (std::size_t i = 0; i < run.calls.size() && i < calls.size(); ++i) log.push_back(call_json(run.calls[i], calls[i], episode_start));
  if (run.steps == 0) return std::nullopt;

  trace::Task t;
  t.task_id = task.id;
  t.task = task.text;
  t.steps.resize(static_cast<std::size_t>(run.steps));
  std::vector<int> round_of_step(static_cast<std::size_t>(run.steps), -1);
  for (std::size_t i = 0; i < run.calls.size(); ++i) {
    const sim::CallRecord& r = run.calls[i];
    if (r.agent != sim::Agent::target || r.role != sim::CallRole::committed || r.step >= run.steps) continue;
    trace::Step& step = t.steps[static_cast<std::size_t>(r.step)];
    step.target.calls.push_back(trace_call(r));
    step.target.action = r.step + 1 == run.steps && run.terminated ? std::string(trace::kTerminateAction) : calls[i].action;
    round_of_step[static_cast<std::size_t>(r.step)] = r.round;
  }
  // A's guess of a committed step, made in the round that committed it, when it came back.
  const auto as_recorded = [&](const std::string& action) { return action == terminate ? std::string(trace::kTerminateAction) : action; };
  std::vector<bool> guessed(t.steps.size(), false);
  for (std::size_t i = 0; i < run.calls.size(); ++i) {
    const sim::CallRecord& r = run.calls[i];
    if (r.agent != sim::Agent::approx || r.step >= run.steps || r.round != round_of_step[static_cast<std::size_t>(r.step)]) continue;
    if (r.status != sim::CallStatus::finished) continue;
    trace::Step& step = t.steps[static_cast<std::size_t>(r.step)];
    if (!step.approx) step.approx.emplace();
    step.approx->calls.push_back(trace_call(r));
    const bool last = r.call_index + 1 == static_cast<int>(step.approx->calls.size()) || !calls[i].action.empty();
    if (!last) continue;
    guessed[static_cast<std::size_t>(r.step)] = true;
    step.approx->action = as_recorded(calls[i].action);
    step.confidence = calls[i].confidence;
    const auto& candidates = calls[i].candidates;
    // Top-K: the verdict is left to the replay's match rule, which ranks T's action among them
    // (a hit on a lower candidate is a speculation that paid, but not a match of the top one).
    if (candidates.size() > 1) {
      step.approx->alternatives.clear();
      for (std::size_t c = 1; c < candidates.size(); ++c) step.approx->alternatives.push_back(as_recorded(candidates[c]));
    } else {
      step.match = r.role == sim::CallRole::speculation;
    }
  }
  for (std::size_t s = 0; s < t.steps.size(); ++s)
    if (t.steps[s].approx && !guessed[s]) t.steps[s].approx.reset();  // A's step did not finish in that round
  bool speculative = true;
  for (const auto& round : run.rounds) speculative = speculative && round.k >= 1;
  for (const auto& round : run.rounds)
    if (speculative && round.committed > 0) t.rounds.push_back({round.start_step, round.k, std::nullopt, std::nullopt});
  t.measured = trace::Measured{run.latency, std::nullopt};
  t.source = {{"format", "specsim-live"}, {"policy", std::string(policy)}, {"calls", log}};
  if (!run.error.empty()) t.source["error"] = run.error;
  return t;
}

}  // namespace specsim::models::live
