#include "models/limited_backend.hpp"

namespace specsim::models {

LimitedBackend::LimitedBackend(sim::Backend& inner, SharedLimits& limits, std::array<int, sim::kAgents> limit_of_agent,
                               std::uint64_t seed, TokenEstimate estimate)
    : inner_(inner), limits_(limits), limit_of_agent_(limit_of_agent), seed_(seed), estimate_(std::move(estimate)) {}

void LimitedBackend::begin_episode(const sim::EpisodeTask& task, sim::CallSink& sink) {
  sink_ = &sink;
  jitter_.emplace(seed_, "backoff", static_cast<std::uint64_t>(task.episode));
  calls_.clear();
  waited_ = sim::Time::zero();
  rejections_ = 0;
  inner_.begin_episode(task, *this);
}

void LimitedBackend::start_call(std::uint32_t call, const sim::CallRequest& request) {
  // Environment calls go to tools, not to the limited endpoints.
  const int limit = request.agent == sim::Agent::environment
                        ? -1
                        : limit_of_agent_[static_cast<std::size_t>(sim::index(request.agent))];
  if (limit < 0) {
    inner_.start_call(call, request);
    return;
  }
  Limited& l = calls_[call];
  l.limit = limit;
  l.request = request;
  l.prefix.assign(request.prefix.begin(), request.prefix.end());
  l.guesses.assign(request.guesses.begin(), request.guesses.end());
  l.candidates.assign(request.candidates.begin(), request.candidates.end());
  // At its request a call is on the committed path only if it is T's on the round's first step:
  // every other call reads a guess not yet verified.
  const bool committed = request.agent == sim::Agent::target && request.step == request.round_start;
  l.ticket = 0;  // waiting: admitted() may run inside request()
  const std::uint64_t ticket = limits_.request(limit, *this, call, committed, *jitter_, estimate_ ? estimate_(request) : 0);
  if (const auto it = calls_.find(call); it != calls_.end() && it->second.ticket) it->second.ticket = ticket;
}

void LimitedBackend::admitted(std::uint64_t tag, sim::Time waited) {
  const auto call = static_cast<std::uint32_t>(tag);
  Limited& l = calls_.at(call);
  l.ticket.reset();
  waited_ += waited;
  sim::CallRequest r = l.request;
  r.prefix = l.prefix;
  r.guesses = l.guesses;
  r.candidates = l.candidates;
  inner_.start_call(call, r);
}

sim::CallTokens LimitedBackend::cancel_call(std::uint32_t call) {
  const auto it = calls_.find(call);
  if (it == calls_.end()) return inner_.cancel_call(call);
  const Limited l = std::move(it->second);
  calls_.erase(it);
  if (l.ticket) {  // never sent: nothing consumed
    limits_.withdraw(*l.ticket);
    return {};
  }
  const sim::CallTokens tokens = inner_.cancel_call(call);
  limits_.release(l.limit, std::int64_t{tokens.input} + tokens.output);
  return tokens;
}

void LimitedBackend::on_call_finished(std::uint32_t call, const sim::CallOutcome& o) {
  if (const auto it = calls_.find(call); it != calls_.end()) {
    const int limit = it->second.limit;
    calls_.erase(it);
    // Every attempt sent its prompt; the last one generated the output.
    limits_.release(limit, std::int64_t{o.tokens.input} * o.attempts + o.tokens.output);
  }
  sink_->on_call_finished(call, o);
}

}  // namespace specsim::models
