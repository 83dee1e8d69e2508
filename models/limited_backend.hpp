#pragma once
// A backend whose calls pass a fleet's shared limits (models/shared_limits.hpp) before they reach
// the backend that runs them: a call waits (or is rejected and retried) until its agent's limit
// admits it, and frees the limit when it ends. One per session in flight; the planner above it
// and the backend below it stay unchanged. Queueing shows in the planner's call latency, and
// here per episode, for the fleet's metrics.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "models/shared_limits.hpp"
#include "sim/backend.hpp"

namespace specsim::models {

class LimitedBackend final : public sim::Backend, public sim::CallSink, public SharedLimits::Client {
 public:
  // What a client pacing its own calls (Pacing::client) expects a call to use before it is sent:
  // its prompt and its output cap, as the live client estimates them.
  using TokenEstimate = std::function<std::int64_t(const sim::CallRequest&)>;

  // `limit_of_agent`: each agent's limit in `limits`, or -1. `estimate`: for limits a client
  // paces (none: 0 tokens).
  LimitedBackend(sim::Backend& inner, SharedLimits& limits, std::array<int, sim::kAgents> limit_of_agent,
                 std::uint64_t seed, TokenEstimate estimate = {});

  void begin_episode(const sim::EpisodeTask& task, sim::CallSink& sink) override;
  void start_call(std::uint32_t call, const sim::CallRequest& request) override;
  sim::CallTokens cancel_call(std::uint32_t call) override;
  bool agree(int step, std::uint32_t t, std::uint32_t a) const override { return inner_.agree(step, t, a); }
  bool is_terminal(int step, std::uint32_t t) const override { return inner_.is_terminal(step, t); }
  bool guess_is_terminal(int step, std::uint32_t a) const override { return inner_.guess_is_terminal(step, a); }
  bool guess_will_match(int step, std::uint32_t a) const override { return inner_.guess_will_match(step, a); }
  std::optional<sim::EnvironmentCall> environment(int step) const override { return inner_.environment(step); }
  bool has_environment() const override { return inner_.has_environment(); }
  void forget_calls(std::uint32_t before) override { inner_.forget_calls(before); }

  void on_call_finished(std::uint32_t call, const sim::CallOutcome& outcome) override;
  void admitted(std::uint64_t call, sim::Time waited) override;
  void rejected() override { ++rejections_; }

  // The open episode's time spent waiting for the limits (over its calls), and its 429s.
  sim::Time waited() const { return waited_; }
  std::int64_t rejections() const { return rejections_; }

 private:
  struct Limited {  // a call under a limit
    int limit;
    std::optional<std::uint64_t> ticket;  // set while it waits to be admitted
    // The request as made, with copies of what its spans showed (the planner's vectors move on).
    sim::CallRequest request;
    std::vector<std::uint32_t> prefix, guesses;
    std::vector<std::uint8_t> candidates;
  };

  sim::Backend& inner_;
  SharedLimits& limits_;
  std::array<int, sim::kAgents> limit_of_agent_;
  std::uint64_t seed_;
  TokenEstimate estimate_;
  sim::CallSink* sink_ = nullptr;
  std::optional<sim::RandomStream> jitter_;  // the episode's backoff draws
  std::unordered_map<std::uint32_t, Limited> calls_;
  sim::Time waited_;
  std::int64_t rejections_ = 0;
};

}  // namespace specsim::models
