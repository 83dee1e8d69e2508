#pragma once
// The planner: DSP's round semantics as an event-driven state machine (shared/DESIGN.md §1).
// A round starts at the committed prefix c with depth k from the policy. A guesses one step at a
// time; when A's guess for position j-1 returns (and j < k) A_j and T_j start together. Steps are
// verified in order once both agents have finished them; the first mismatch commits T's step,
// cancels everything still running in the round, and starts the next round. With eager
// cancellation (DSP's, the default) a mismatch known out of order, at a position after an
// unverified one, already cancels every call after it. With top-K guesses (Semantics::top_k) the
// round is a tree: T's step also runs under A's other candidates of the step before it, within the
// tree's budget; once a step is verified the subtrees that lose are cancelled and the branch that
// holds T's action carries the round on (sim/speculation_tree.hpp). A step whose action calls the
// environment (a tool) is committed only once that call is back; the call runs ahead on A's guess
// only when the tool is side-effect free, and the step after it (which reads its result) waits
// for it.
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "sim/backend.hpp"
#include "sim/call.hpp"
#include "sim/clock.hpp"
#include "sim/depth_policy.hpp"
#include "sim/episode_metrics.hpp"
#include "sim/semantics.hpp"

namespace specsim::sim {

struct RoundRecord {
  std::int32_t round = 0, start_step = 0, k = 0, committed = 0;
  bool mismatch = false;
  Time start, end;  // relative to the episode start
  std::int32_t chosen_k = 0;  // the policy's k; `k` is it cut to the steps left before max_steps
};

struct EpisodeRun {
  std::int64_t episode = 0;
  Time latency;  // episode start to the last committed step
  int steps = 0;
  bool terminated = false;  // by the target's terminate action (else by max_steps or an error)
  std::string error;        // not empty: a call failed after its retries and ended the episode
  // Every call and round of the episode, when it is recorded (PlannerConfig::record_episodes);
  // else empty, and the episode's figures are in `metrics`.
  std::vector<CallRecord> calls;
  std::vector<RoundRecord> rounds;
  // With a meter (PlannerConfig::meter): the figures its calls added up to as the rounds closed.
  std::optional<EpisodeMetrics> metrics;
  std::vector<std::pair<std::int32_t, std::int32_t>> k_counts;  // (k, rounds with it), by k
  double concurrency_mean = 0;  // calls in flight, averaged over the episode
  int concurrency_peak = 0;
  // A learning policy's record: its change over this episode, and its totals after it.
  std::optional<LearningStats> learning_delta, learning_total;
};

struct PlannerConfig {
  int max_steps = 1000;
  // Concurrency limits: each agent's model may map to a slot pool (shared when A and T use the
  // same model); -1 means unlimited. Calls beyond a pool's capacity wait in FIFO order.
  std::array<int, kAgents> pool_of_agent{-1, -1};
  std::vector<int> pool_capacity;
  Semantics semantics;  // cancellation, terminate guesses, retries (sim/semantics.hpp)
  // With a meter, the planner adds up each round's calls as the round closes (EpisodeRun::metrics)
  // and keeps the calls and rounds only of episodes below `record_episodes`: an unrecorded
  // episode holds the calls of its open round only, however long it runs. Without a meter every
  // episode is recorded.
  const CallMeter* meter = nullptr;
  std::int64_t record_episodes = 0;
};

class Planner final : public CallSink, public EventHandler {
 public:
  // `features` and `look_ahead` may be null: the policy then sees no features, or no look-ahead.
  Planner(PlannerConfig config, Clock& clock, Backend& backend, DepthPolicy& policy,
          const FeatureSource* features = nullptr, const LookAhead* look_ahead = nullptr);

  // Runs one episode to its end; the returned record stays valid until the next call.
  const EpisodeRun& run_episode(const EpisodeTask& task);
  const EpisodeRun& run_episode(std::int64_t episode) { return run_episode(EpisodeTask{episode, {}, {}}); }
  // The same in three parts, for a runner that interleaves several planners' episodes on one
  // clock (live runs): begin, drive the clock until episode_done(), then end_episode().
  void begin_episode(const EpisodeTask& task);
  bool episode_done() const { return done_; }
  const EpisodeRun& end_episode();

  void on_call_finished(std::uint32_t call, const CallOutcome& outcome) override;
  void on_event(std::uint64_t arg) override;  // the round's prediction became available

 private:
  struct Lane {  // one agent's work on one position of the round
    bool started = false, done = false;
    std::uint32_t last_call = 0;
    std::uint32_t previous = kNoCall;  // the lane's call before last_call, within the step
    int output = 0;  // tokens written by the lane's finished calls
  };
  // A node of the round's speculation tree: T's step at `pos` under the guesses on its path, and
  // A's guess of that step where the node may branch. Without top-K the tree is DSP's chain.
  struct Node {
    int pos = 0;
    int index = 0;    // best-first number among the nodes at `pos` (sim/speculation_tree.hpp)
    int parent = -1;  // the node at pos - 1 whose guess it runs under
    bool guesses = false;   // A guesses its step: it may branch
    bool expanded = false;  // its children are open
    bool cut = false;       // its guess is known wrong: nothing under it starts
    bool pruned = false;    // it lost: its calls are cancelled
    bool gated = false;     // its guess is below the confidence gate
    Lane approx, target;
    Lane env;  // the step's environment call (chain nodes only): on A's guess (env_ahead) or on T's action
    bool env_ahead = false;
    Lane& of(Agent a) { return a == Agent::approx ? approx : a == Agent::target ? target : env; }
  };
  // The hops of a call's path (start, completion, verification, the round's tally) are inlined
  // where they are called (always_inline, docs/performance.md "engine7"): out of line, each one
  // costs a frame and makes its caller read the planner's members again after it. start_round
  // and close_round stay out of line: inlined, they cost the completion more than their call.
  void reset(std::int64_t episode);
  void start_round();
  [[gnu::always_inline]] RoundContext round_context() const;
  [[gnu::always_inline]] void start_call(Agent agent, int node, int call_index);
  [[gnu::always_inline]] int open_node(int pos, int index, int parent);
  void dispatch(std::uint32_t call);  // a queued call, once its slot is free
  [[gnu::always_inline]] void send(std::uint32_t call, CallRecord& record, const Lane& lane);  // to the backend, now
  [[gnu::always_inline]] void release(Agent agent);
  [[gnu::always_inline]] void advance(int node);
  // Out of line: a world without an environment never calls them.
  [[gnu::noinline]] bool environment_ahead_ready(int node);
  [[gnu::noinline]] bool environment_committed(int pos, bool match);
  [[gnu::always_inline]] void verify();
  void close_round(int committed, bool mismatch);
  void assign_role(CallRecord& r, int committed, int matched, bool mismatch) const;
  void fail(std::uint32_t call, std::string_view error);
  void cancel_open_calls();
  [[gnu::always_inline]] void cut_if_wrong(int node);
  void cut_below(int node, bool with_environment);
  template <class Doomed> void cancel_calls(Doomed doomed);
  // The rank of T's action among the branched candidates of the node's guess (0: the top one),
  // or -1 when none of those within the budget holds it.
  [[gnu::always_inline]] int hit_rank(int step, const Node& n) const;
  bool in_subtree(int node, int root) const;
  void prune_outside(int pos, int keep);
  int child(int node, int rank) const;
  bool take_branch(int pos, int rank);
  // Without top-K every node opens on the chain (each extends it, nothing branches or is taken
  // over), so only a tree needs the look.
  bool on_chain(int node) const {
    if (branches_ == 1) return true;
    const Node& n = nodes_[static_cast<std::size_t>(node)];
    return n.pos < opened_ && chain_[static_cast<std::size_t>(n.pos)] == node;
  }
  Lane& lane_of(const CallRecord& r) { return nodes_[static_cast<std::size_t>(r.node)].of(r.agent); }
  int pool_of(Agent agent) const {  // environment calls go to tools, outside the agents' pools
    if (!pools_ || agent == Agent::environment) return -1;
    return config_.pool_of_agent[static_cast<std::size_t>(index(agent))];
  }
  // Which candidate of its parent's guess a node runs under (0: the top one); a chain's nodes
  // are all top ones, with no division.
  int candidate_of(int node_index) const { return branches_ == 1 ? 0 : node_index % branches_; }
  int candidate_of(const Node& n) const { return candidate_of(n.index); }
  int depth_limit() const;
  // Clock readings are never negative, so the difference of two cannot overflow: it is taken
  // without Time's saturation check (the same value), a few instructions on every call's path.
  static Time elapsed(Time from, Time to) { return Time::from_ns(to.ns() - from.ns()); }
  Time rel(Time t) const { return elapsed(episode_start_, t); }
  // The clock's time; a simulated clock is read directly, with no virtual call.
  Time now() const { return sim_clock_ ? sim_clock_->now() : clock_.now(); }
  // Call ids count up over the episode; run_.calls holds those from calls_base_ on.
  CallRecord& call(std::uint32_t id) { return run_.calls[id - calls_base_]; }
  std::uint32_t next_call() const { return calls_base_ + static_cast<std::uint32_t>(run_.calls.size()); }
  Node& position(int pos) { return nodes_[static_cast<std::size_t>(chain_[static_cast<std::size_t>(pos)])]; }
  [[gnu::always_inline]] void tally_round(int committed, bool mismatch);

  PlannerConfig config_;
  Clock& clock_;
  SimClock* sim_clock_;  // the same clock when it is a simulated one, else null
  Backend& backend_;
  DepthPolicy& policy_;
  const FeatureSource* features_;
  const LookAhead* look_ahead_;

  EpisodeRun run_;
  LearningStats learning_before_;  // the policy's totals at the episode's start
  bool done_ = false;
  bool environment_ = false;  // the episode's world has environment calls (Backend::has_environment)
  Time episode_start_;
  int committed_ = 0;
  int matched_total_ = 0, verified_guesses_ = 0;

  // The open round.
  int round_ = -1, round_start_ = 0, k_ = 0, chosen_k_ = 0, verified_ = 0, last_k_ = 0, last_committed_ = 0;
  double min_confidence_ = 0;  // the round's confidence gate (Decision::min_confidence)
  // The round opens no position from this one on: a guess below the gate, or a step whose
  // environment call may not run ahead (its result is known only once the step is committed).
  int gated_ = 0;
  std::uint32_t round_first_call_ = 0;
  std::uint32_t calls_base_ = 0;  // id of run_.calls[0]
  bool recording_ = true;
  EpisodeMetrics metrics_;  // metered so far
  std::int32_t round_count_ = 0, k_cut_rounds_ = 0;
  double k_sum_ = 0;
  std::array<AgentRoundTally, kAgents> round_tally_;  // the closed round's, for its outcome
  Time round_began_;
  bool prediction_ready_ = true;
  bool overlap_ = false;
  EventId prediction_event_;
  // The round's tree (storage reused from round to round: nodes_count_ are the round's) and its
  // chain: the node at each position 0 .. opened_ - 1 on the path of verified steps and, past
  // them, of top candidates; the round verifies and commits along it.
  std::vector<Node> nodes_;
  int nodes_count_ = 0;
  std::vector<int> chain_;
  int opened_ = 0, width_ = 1;  // width_: positions the round may open, max(k, depth limit, 1)
  std::vector<std::uint32_t> prefix_;   // the last target call of each committed step
  std::vector<std::uint32_t> guesses_;  // A's last call at each chain position whose guess returned
  int guessed_ = 0;                     // the positions whose chain guess returned (RoundOutcome)
  // Top-K: branches per node (1: DSP's chain) and T steps per position of the tree.
  int branches_ = 1, budget_ = 1;
  // A call off the chain: the guesses it runs under and their candidates (filled per dispatch).
  std::vector<std::uint32_t> path_guesses_;
  std::vector<std::uint8_t> path_candidates_;

  bool pools_ = false;  // any concurrency pool is configured
  std::vector<int> pool_busy_;
  std::vector<std::deque<std::uint32_t>> pool_queue_;
  int in_flight_ = 0;
  std::int64_t in_flight_area_ = 0;  // integral of calls in flight over time, in call-ns (exact; tally_round)
};

}  // namespace specsim::sim
