#include "sim/planner.hpp"

#include <algorithm>
#include <limits>
#include <span>
#include <stdexcept>

namespace specsim::sim {

Planner::Planner(PlannerConfig config, Clock& clock, Backend& backend, DepthPolicy& policy,
                 const FeatureSource* features, const LookAhead* look_ahead)
    : config_(std::move(config)), clock_(clock), sim_clock_(dynamic_cast<SimClock*>(&clock)), backend_(backend), policy_(policy),
      features_(features), look_ahead_(look_ahead),
      branches_(config_.semantics.top_k.width()), budget_(config_.semantics.top_k.level_budget()),
      pools_(!config_.pool_capacity.empty()), pool_busy_(config_.pool_capacity.size(), 0),
      pool_queue_(config_.pool_capacity.size()) {
  if (config_.max_steps < 1) throw std::invalid_argument("max_steps must be >= 1");
  for (int pool : config_.pool_of_agent)
    if (pool >= static_cast<int>(config_.pool_capacity.size()))
      throw std::invalid_argument("concurrency pool out of range");
  for (int capacity : config_.pool_capacity)
    if (capacity < 1) throw std::invalid_argument("concurrency limit must be >= 1");
  policy_.attach(clock_);
}

const EpisodeRun& Planner::run_episode(const EpisodeTask& task) {
  begin_episode(task);
  clock_.run_until_set(done_);
  return end_episode();
}

void Planner::begin_episode(const EpisodeTask& task) {
  reset(task.episode);
  const LearningStats* learning = policy_.learning();
  learning_before_ = learning ? *learning : LearningStats{};
  backend_.begin_episode(task, *this);
  environment_ = backend_.has_environment();
  start_round();
}

const EpisodeRun& Planner::end_episode() {
  if (!done_) throw std::logic_error("end_episode before the episode is done");
  run_.steps = committed_;
  run_.latency = now() - episode_start_;
  run_.concurrency_mean =
      run_.latency.ns() > 0 ? static_cast<double>(in_flight_area_) / static_cast<double>(run_.latency.ns()) : 0.0;
  if (config_.meter) {
    metrics_.episode = run_.episode;
    metrics_.steps = run_.steps;
    metrics_.rounds = round_count_;
    metrics_.terminated = run_.terminated;
    metrics_.latency_s = run_.latency.seconds();
    metrics_.concurrency_mean = run_.concurrency_mean;
    metrics_.concurrency_peak = run_.concurrency_peak;
    metrics_.mean_k = round_count_ == 0 ? 0.0 : k_sum_ / static_cast<double>(round_count_);
    metrics_.k_cut_rounds = k_cut_rounds_;
    run_.metrics = metrics_;
  }
  policy_.on_episode_end(run_.episode);
  if (const LearningStats* learning = policy_.learning()) {
    run_.learning_delta = *learning - learning_before_;
    run_.learning_total = *learning;
  }
  return run_;
}

void Planner::reset(std::int64_t episode) {
  run_.episode = episode;
  run_.calls.clear();
  run_.rounds.clear();
  run_.metrics.reset();
  run_.k_counts.clear();
  calls_base_ = 0;
  recording_ = !config_.meter || episode < config_.record_episodes;
  metrics_ = EpisodeMetrics{};
  round_count_ = 0;
  k_sum_ = 0;
  k_cut_rounds_ = 0;
  run_.steps = 0;
  run_.terminated = false;
  run_.error.clear();
  run_.concurrency_peak = 0;
  run_.learning_delta.reset();
  run_.learning_total.reset();
  done_ = false;
  committed_ = matched_total_ = verified_guesses_ = 0;
  round_ = -1;
  last_k_ = last_committed_ = 0;
  prefix_.clear();
  episode_start_ = now();
  in_flight_ = 0;
  in_flight_area_ = 0;
}

inline RoundContext Planner::round_context() const {
  RoundContext context;
  context.episode = run_.episode;
  context.round = round_;
  context.step = committed_;
  context.max_steps = config_.max_steps;
  context.now = now();
  if (features_) context.features = features_->features(committed_);
  context.feature_source = features_;
  context.look_ahead = look_ahead_;
  context.last_k = last_k_;
  context.last_committed = last_committed_;
  context.match_rate = verified_guesses_ > 0 ? double(matched_total_) / verified_guesses_ : 0.0;
  return context;
}

void Planner::start_round() {
  ++round_;
  round_start_ = committed_;
  verified_ = 0;
  gated_ = std::numeric_limits<int>::max();
  round_first_call_ = next_call();
  round_began_ = now();
  guesses_.clear();
  guessed_ = 0;

  const Decision decision = policy_.choose_k(round_context());
  if (decision.k < 0) throw std::logic_error("policy chose k < 0");

  // Guesses past max_steps could never be committed.
  chosen_k_ = decision.k;
  min_confidence_ = decision.min_confidence;
  k_ = std::min(decision.k, config_.max_steps - committed_);
  prediction_ready_ = decision.delay <= Time::zero();
  overlap_ = decision.overlap && k_ > 0;
  width_ = std::max({k_, depth_limit(), 1});
  opened_ = 0;
  nodes_count_ = 0;
  chain_.clear();
  prediction_event_ = {};
  if (!prediction_ready_) prediction_event_ = clock_.schedule(now() + decision.delay, this, 0);
  open_node(0, 0, -1);
}

// Opens the node and starts its calls: T's step and, where the node may branch, A's guess. Nodes
// are numbered in the order they open, once per round: the storage of earlier rounds is reused.
// The top candidate's child of the chain's last node extends the chain.
inline int Planner::open_node(int pos, int index, int parent) {
  const int id = nodes_count_++;
  if (static_cast<std::size_t>(id) < nodes_.size()) nodes_[static_cast<std::size_t>(id)] = Node{};
  else nodes_.emplace_back();
  Node& n = nodes_[static_cast<std::size_t>(id)];
  n.pos = pos;
  n.index = index;
  n.parent = parent;
  const bool extends_chain =
      pos == opened_ && (pos == 0 || chain_[static_cast<std::size_t>(pos - 1)] == parent) && candidate_of(index) == 0;
  if (extends_chain) {
    chain_.push_back(id);
    opened_ = pos + 1;
  }
  // It guesses when its top candidate's child is within the budget and, off the chain, within the
  // round's positions (the chain's last guess is DSP's: it is verified, and learned from).
  n.guesses = k_ > 0 && index * branches_ < budget_ && (extends_chain || pos + 1 < width_);
  start_call(Agent::target, id, 0);
  if (n.guesses) start_call(Agent::approx, id, 0);
  return id;
}

inline void Planner::start_call(Agent agent, int node, int call_index) {
  const std::uint32_t id = next_call();
  Node& n = nodes_[static_cast<std::size_t>(node)];
  // Every field given, in place: the record is not zeroed first and then set.
  CallRecord& record = run_.calls.emplace_back(CallRecord{.requested = rel(now()),
                                                          .started = {},
                                                          .ended = {},
                                                          .first_token = {},
                                                          .tokens = {},
                                                          .round = round_,
                                                          .pos = n.pos,
                                                          .step = round_start_ + n.pos,
                                                          .call_index = static_cast<std::int16_t>(call_index),
                                                          .attempts = 1,
                                                          .agent = agent,
                                                          .status = CallStatus::queued,
                                                          .role = CallRole::pending,
                                                          .on_path = false,
                                                          .branch = static_cast<std::uint8_t>(candidate_of(n)),
                                                          .node = node,
                                                          .ahead = false,
                                                          .price_usd = 0});
  if (agent == Agent::environment) {
    record.ahead = n.env_ahead;
    record.price_usd = backend_.environment(record.step)->price_usd;
  }

  Lane& lane = n.of(agent);
  lane.previous = call_index > 0 ? lane.last_call : kNoCall;
  lane.started = true;
  lane.last_call = id;

  const int pool = pool_of(agent);
  if (pool >= 0) [[unlikely]] {
    if (pool_busy_[static_cast<std::size_t>(pool)] >= config_.pool_capacity[static_cast<std::size_t>(pool)]) {
      pool_queue_[static_cast<std::size_t>(pool)].push_back(id);
      return;
    }
    ++pool_busy_[static_cast<std::size_t>(pool)];
  }
  send(id, record, lane);
}

void Planner::dispatch(std::uint32_t id) {
  CallRecord& record = call(id);
  send(id, record, lane_of(record));
}

inline void Planner::send(std::uint32_t id, CallRecord& record, const Lane& lane) {
  record.status = CallStatus::running;
  record.started = rel(now());
  run_.concurrency_peak = std::max(run_.concurrency_peak, ++in_flight_);
  auto guessed = std::span<const std::uint32_t>(guesses_).first(static_cast<std::size_t>(record.pos));
  std::span<const std::uint8_t> candidates;
  if (nodes_[static_cast<std::size_t>(record.node)].index != 0) {  // off the top candidates' path
    path_guesses_.assign(static_cast<std::size_t>(record.pos), kNoCall);
    path_candidates_.assign(static_cast<std::size_t>(record.pos), 0);
    for (const Node* n = &nodes_[static_cast<std::size_t>(record.node)]; n->parent >= 0;) {
      const auto at = static_cast<std::size_t>(n->pos - 1);
      path_candidates_[at] = static_cast<std::uint8_t>(candidate_of(*n));
      n = &nodes_[static_cast<std::size_t>(n->parent)];
      path_guesses_[at] = n->approx.last_call;
    }
    guessed = path_guesses_;
    candidates = path_candidates_;
  }
  // Steps verified during the round were guessed right: the call reads them as guesses.
  const auto prefix = std::span<const std::uint32_t>(prefix_).first(static_cast<std::size_t>(round_start_));
  backend_.start_call(id, CallRequest{record.agent, record.step, record.call_index, round_start_, lane.output,
                                      prefix, guessed, lane.previous, candidates});
}

// Frees the call's concurrency slot and hands it to the oldest waiting call, if any.
inline void Planner::release(Agent agent) {
  --in_flight_;
  const int pool = pool_of(agent);
  if (pool < 0) return;
  auto& queue = pool_queue_[static_cast<std::size_t>(pool)];
  if (queue.empty()) {
    --pool_busy_[static_cast<std::size_t>(pool)];
    return;
  }
  const std::uint32_t next = queue.front();
  queue.pop_front();
  dispatch(next);
}

void Planner::on_call_finished(std::uint32_t id, const CallOutcome& outcome) {
  if (!outcome.error.empty()) {  // a failed call's attempts count as a finished one's would
    const int tried = config_.semantics.retries == RetryBilling::fold ? 1 : outcome.attempts;
    call(id).attempts = static_cast<std::int16_t>(std::clamp(tried, 1, 32767));
    fail(id, outcome.error);
    return;
  }
  CallRecord& record = call(id);
  record.status = CallStatus::finished;
  record.ended = rel(now());
  record.first_token = rel(outcome.first_token);
  // Folded retries are billed as one call; otherwise each attempt pays its prompt (pricing).
  const int attempts = config_.semantics.retries == RetryBilling::fold ? 1 : outcome.attempts;
  record.attempts = static_cast<std::int16_t>(std::clamp(attempts, 1, 32767));
  record.tokens = outcome.tokens;
  const Agent agent = record.agent;
  const int node = record.node;
  Lane& lane = lane_of(record);
  lane.output += record.tokens.output;
  release(agent);

  if (!outcome.step_done) {
    start_call(agent, node, record.call_index + 1);
    return;
  }
  lane.done = true;
  const bool chain = on_chain(node);
  if (chain && agent == Agent::approx) {  // A guesses strictly in order along the chain
    guesses_.push_back(id);
    guessed_ = std::max(guessed_, static_cast<int>(guesses_.size()));
  }
  // A step at or before the verified ones is never cut (verify() closes the round there): most
  // calls need no look at their node's guess.
  if (config_.semantics.cancel == CancelRule::eager && nodes_[static_cast<std::size_t>(node)].pos > verified_)
    cut_if_wrong(node);
  if (agent != Agent::target) advance(node);  // a guess, or the environment's result on one
  if (chain) verify();  // off the chain a node waits for the steps before it to be verified
}

// A call that failed after its retries ends the episode: what was verified stays committed,
// everything else is cancelled, and the policy learns nothing from the broken round.
void Planner::fail(std::uint32_t id, std::string_view error) {
  CallRecord& record = call(id);
  record.status = CallStatus::failed;
  record.ended = rel(now());
  release(record.agent);
  run_.error = error;
  done_ = true;
  close_round(verified_, false);
}

// How deep the round may speculate now: its k once the prediction is in; before that, one step
// (DSP: step 1 and later wait for the prediction) or, with overlap, the previous round's k.
// A confidence gate that fired caps it at the gated guess's position plus one.
int Planner::depth_limit() const {
  if (prediction_ready_) return std::min(k_, gated_);
  if (!overlap_) return std::min(1, gated_);
  return std::min(std::max(1, std::min(last_k_, config_.max_steps - committed_)), gated_);
}

void Planner::on_event(std::uint64_t) {
  prediction_ready_ = true;
  prediction_event_ = {};
  // Guesses that returned while the depth was capped speculate further now, in the order their
  // nodes opened.
  for (int n = 0, open = nodes_count_; n < open; ++n)
    if (nodes_[static_cast<std::size_t>(n)].approx.done) advance(n);
  // Every guess so far matched and the round reached its depth (its k, or a gated guess): it is
  // complete.
  if (verified_ > 0 && verified_ >= depth_limit()) {
    close_round(verified_, false);
    start_round();
  }
}

// A's guess at `node` is in: speculate one step further under each of its candidates within the
// tree's budget, best first, if the round's depth allows it.
inline void Planner::advance(int node) {
  const int step = round_start_ + nodes_[static_cast<std::size_t>(node)].pos;
  // A step's tool runs on the chain only: off it, T's next step would read a result nobody fetched.
  if (environment_ && (on_chain(node) ? !environment_ahead_ready(node) : backend_.environment(step).has_value()))
    [[unlikely]] return;
  Node& n = nodes_[static_cast<std::size_t>(node)];
  const int next = n.pos + 1;
  if (n.expanded || n.cut || n.pruned || next >= depth_limit() || next >= width_) return;
  const std::uint32_t guess = n.approx.last_call;
  if (backend_.guess_is_terminal(step, guess) &&
      (config_.semantics.terminate_guess == TerminateGuess::stops || backend_.guess_will_match(step, guess)))
    return;
  if (min_confidence_ > 0 && backend_.guess_confidence(step, guess) < min_confidence_) {
    n.gated = true;
    if (on_chain(node)) gated_ = next;  // verify() closes the round once it reaches the gated guess
    return;
  }
  n.expanded = true;
  const int first = n.index * branches_;
  // Under the other candidates T would read environment results nobody fetched: no branching.
  const int width = environment_ && backend_.environment(step) ? 1 : branches_;
  for (int rank = 0; rank < width && first + rank < budget_; ++rank) open_node(next, first + rank, node);
}

// Whether the environment's result on A's guess at the chain's `node`, which the next step reads,
// is in; starts that call if the tool is side-effect free and the guess is not known wrong. A tool
// with side effects runs only on the committed action: the round goes no further than the node.
bool Planner::environment_ahead_ready(int node) {
  Node& n = nodes_[static_cast<std::size_t>(node)];
  const std::optional<EnvironmentCall> env = backend_.environment(round_start_ + n.pos);
  if (!env) return true;
  if (!env->side_effect_free) {
    gated_ = std::min(gated_, n.pos + 1);
    return false;
  }
  if (!n.env.started && !n.cut && !n.pruned && n.pos >= verified_) {
    n.env_ahead = true;
    start_call(Agent::environment, node, 0);
  }
  return n.env_ahead && n.env.done;
}

// Whether step `pos`'s environment result on its committed action (T's, verified: `match` says
// whether A guessed it) is in. A call run ahead on a right guess is that result; otherwise the
// call starts now, and with a wrong guess everything under the step is cancelled meanwhile.
bool Planner::environment_committed(int pos, bool match) {
  if (!backend_.environment(round_start_ + pos)) return true;
  const int node = chain_[static_cast<std::size_t>(pos)];
  Node& n = nodes_[static_cast<std::size_t>(node)];
  if (n.env.started && (!n.env_ahead || match)) return n.env.done;
  if (n.env.started) cancel_calls([&](const CallRecord& r) { return r.node == node && r.agent == Agent::environment; });
  if (k_ > 0 && !match && !n.cut) cut_below(node, false);
  n.env = Lane{};
  n.env_ahead = false;
  start_call(Agent::environment, node, 0);
  return false;
}

// Eager cancellation: both agents have finished the node's step and disagree while a position
// before it is still unverified. Everything under it is conditioned on the wrong guess, so it is
// cancelled now; on the chain the round closes when verification reaches it (or an earlier
// mismatch).
inline void Planner::cut_if_wrong(int node) {
  Node& n = nodes_[static_cast<std::size_t>(node)];
  // At verified_, verify() closes the round now.
  if (!n.guesses || n.cut || n.pruned || n.pos <= verified_) return;
  if (!n.target.done || !n.approx.done) return;
  if (hit_rank(round_start_ + n.pos, n) >= 0) return;
  cut_below(node, true);
}

// Nothing under the node starts any more and its subtree is cancelled (with its own environment
// call, run ahead on the wrong guess, when asked).
void Planner::cut_below(int node, bool with_environment) {
  nodes_[static_cast<std::size_t>(node)].cut = true;
  for (int m = node + 1; m < nodes_count_; ++m)
    if (branches_ == 1 || in_subtree(m, node)) nodes_[static_cast<std::size_t>(m)].pruned = true;  // a chain's are all under it
  cancel_calls([&](const CallRecord& r) {
    return nodes_[static_cast<std::size_t>(r.node)].pruned ||
           (with_environment && r.node == node && r.agent == Agent::environment);
  });
}

// Cancels the round's calls that `doomed` picks, queued or running.
template <class Doomed>
void Planner::cancel_calls(Doomed doomed) {
  const auto later = [&](std::uint32_t id) { return id >= round_first_call_ && doomed(call(id)); };
  // Queued calls first, so that freeing a running call's slot cannot start one of them.
  for (auto& queue : pool_queue_) {
    for (std::uint32_t id : queue) {
      if (!later(id)) continue;
      call(id).status = CallStatus::cancelled_queued;
      call(id).ended = rel(now());
    }
    std::erase_if(queue, later);
  }
  for (std::size_t i = round_first_call_ - calls_base_; i < run_.calls.size(); ++i) {
    CallRecord& r = run_.calls[i];
    if (r.status != CallStatus::running || !doomed(r)) continue;
    const auto id = calls_base_ + static_cast<std::uint32_t>(i);
    r.tokens = backend_.cancel_call(id);
    r.status = CallStatus::cancelled;
    r.ended = rel(now());
    release(r.agent);
  }
}

inline int Planner::hit_rank(int step, const Node& n) const {
  if (branches_ == 1) return backend_.agree(step, n.target.last_call, n.approx.last_call) ? 0 : -1;
  const int rank = backend_.candidate_rank(step, n.target.last_call, n.approx.last_call);
  return rank >= 0 && rank < branches_ && n.index * branches_ + rank < budget_ ? rank : -1;
}

// Whether `node` is `root` or under it (nodes open after their parents: node >= root).
bool Planner::in_subtree(int node, int root) const {
  const int root_pos = nodes_[static_cast<std::size_t>(root)].pos;
  while (node > root && nodes_[static_cast<std::size_t>(node)].pos > root_pos)
    node = nodes_[static_cast<std::size_t>(node)].parent;
  return node == root;
}

// T's step before `pos` is verified and `keep` (at `pos`) runs under its action: every other
// subtree at or after `pos` loses, and its calls are cancelled.
void Planner::prune_outside(int pos, int keep) {
  bool any = false;
  for (int m = 0; m < nodes_count_; ++m) {
    Node& n = nodes_[static_cast<std::size_t>(m)];
    if (n.pos < pos || n.pruned || in_subtree(m, keep)) continue;
    n.pruned = any = true;
  }
  if (any) cancel_calls([&](const CallRecord& r) { return nodes_[static_cast<std::size_t>(r.node)].pruned; });
}

// The child of `node` under its guess's candidate `rank`, or -1 when it is not open.
int Planner::child(int node, int rank) const {
  const int index = nodes_[static_cast<std::size_t>(node)].index * branches_ + rank;
  for (int m = node + 1; m < nodes_count_; ++m)
    if (nodes_[static_cast<std::size_t>(m)].parent == node && nodes_[static_cast<std::size_t>(m)].index == index) return m;
  return -1;
}

// T's action at pos - 1 was candidate `rank` of the chain's guess: the branch under it, if open,
// becomes the chain from `pos` on (with its top candidates' path below it) and every other
// subtree from `pos` on is cancelled.
bool Planner::take_branch(int pos, int rank) {
  if (pos >= opened_) return false;
  const int winner = child(chain_[static_cast<std::size_t>(pos - 1)], rank);
  if (winner < 0) return false;
  prune_outside(pos, winner);
  chain_.resize(static_cast<std::size_t>(pos));
  guesses_.resize(std::min(guesses_.size(), static_cast<std::size_t>(pos)));
  for (int m = winner; m >= 0; m = child(m, 0)) {
    const Node& n = nodes_[static_cast<std::size_t>(m)];
    chain_.push_back(m);
    if (n.gated) gated_ = std::min(gated_, n.pos + 1);
    if (n.approx.done && guesses_.size() == static_cast<std::size_t>(n.pos)) guesses_.push_back(n.approx.last_call);
  }
  opened_ = static_cast<int>(chain_.size());
  guessed_ = std::max(guessed_, static_cast<int>(guesses_.size()));
  return true;
}

inline void Planner::verify() {
  while (verified_ < opened_) {
    const Node& p = position(verified_);
    const bool guessed = p.guesses;  // a leaf of the tree has no guess
    if (!p.target.done || (guessed && !p.approx.done)) return;
    const int step = round_start_ + verified_;
    const int rank = guessed ? hit_rank(step, p) : -1;
    const bool match = rank >= 0;
    if (environment_ && !environment_committed(verified_, match)) [[unlikely]] return;
    if (guessed) {
      ++verified_guesses_;
      matched_total_ += match;
    }
    ++committed_;
    ++verified_;
    prefix_.push_back(p.target.last_call);
    const bool mismatch = k_ > 0 && !match;
    const bool terminal = backend_.is_terminal(step, p.target.last_call);
    if (terminal || committed_ >= config_.max_steps) {
      run_.terminated = terminal;
      close_round(verified_, mismatch);
      done_ = true;
      return;
    }
    if (rank > 0) {  // a lower candidate held T's action: its branch, if open, goes on
      if (take_branch(verified_, rank)) continue;
      close_round(verified_, false);
      start_round();
      return;
    }
    if (branches_ > 1 && verified_ < opened_) prune_outside(verified_, chain_[static_cast<std::size_t>(verified_)]);
    if (!match || verified_ >= depth_limit()) {
      // The prediction decides whether the round goes on, unless the gate already stopped it.
      if (match && !prediction_ready_ && verified_ < gated_) return;
      close_round(verified_, mismatch);
      start_round();
      return;
    }
  }
}

void Planner::close_round(int committed, bool mismatch) {
  cancel_open_calls();
  if (prediction_event_.valid()) clock_.cancel(prediction_event_);
  prediction_event_ = {};

  const Time t = now();
  if (recording_)
    run_.rounds.push_back(RoundRecord{round_, round_start_, k_, committed, mismatch, rel(round_began_), rel(t), chosen_k_});
  tally_round(committed, mismatch);
  last_k_ = k_;
  last_committed_ = committed;

  RoundOutcome outcome;
  outcome.episode = run_.episode;
  outcome.round = round_;
  outcome.start_step = round_start_;
  outcome.k = k_;
  outcome.committed = committed;
  outcome.matched = k_ == 0 ? 0 : (mismatch ? committed - 1 : committed);
  outcome.mismatch = mismatch;
  outcome.guessed = guessed_;
  outcome.episode_end = done_ || committed_ >= config_.max_steps || run_.terminated;
  outcome.failed = !run_.error.empty();
  outcome.start = round_began_;
  outcome.end = t;
  outcome.agents = round_tally_;
  policy_.on_round_end(outcome);
}

// What a call of the closed round turned out to be. A call is on the committed path when every
// guess it is conditioned on (those of the positions before it) was verified to match.
void Planner::assign_role(CallRecord& r, int committed, int matched, bool mismatch) const {
  // Top-K: at each position one node of the tree is on the chain, T's.
  const bool on_branch = on_chain(r.node);
  r.on_path = r.pos <= matched && on_branch;
  const bool guessed_right = on_branch && (r.pos < committed - 1 || (r.pos == committed - 1 && !mismatch));
  if (r.agent == Agent::environment) {  // the result on the committed action, or a wasted one
    r.role = on_branch && r.pos < committed && (!r.ahead || guessed_right) && r.status == CallStatus::finished
                 ? CallRole::committed
                 : CallRole::wasted;
    r.on_path = r.role == CallRole::committed;
  } else if (r.agent == Agent::target) {
    r.role = r.pos < committed && on_branch ? CallRole::committed : CallRole::wasted;
  } else {
    r.role = guessed_right ? CallRole::speculation : CallRole::wasted;
  }
}

// The closed round's k, each call's role, what each agent's calls took and, with a meter, cost
// (every call finished, failed or cancelled), in one pass. An unrecorded episode then lets the
// round's calls go, here and in the backend.
inline void Planner::tally_round(int committed, bool mismatch) {
  const int matched = k_ == 0 ? 0 : (mismatch ? committed - 1 : committed);
  auto it = std::lower_bound(run_.k_counts.begin(), run_.k_counts.end(), k_,
                             [](const std::pair<std::int32_t, std::int32_t>& c, int k) { return c.first < k; });
  if (it != run_.k_counts.end() && it->first == k_) ++it->second;
  else run_.k_counts.insert(it, {k_, 1});
  ++round_count_;
  k_sum_ += k_;
  k_cut_rounds_ += k_ < chosen_k_;
  round_tally_ = {};
  // Read once: the meter is a virtual call, after which the compiler would read both again per call.
  const CallMeter* const meter = config_.meter;
  const auto round_calls = std::span(run_.calls).subspan(round_first_call_ - calls_base_);
  for (CallRecord& r : round_calls) {
    assign_role(r, committed, matched, mismatch);
    // The calls in flight, integrated over time, are the sum of the running calls' durations:
    // added here once per call, not at every start and end.
    if (r.status != CallStatus::cancelled_queued) in_flight_area_ += elapsed(r.started, r.ended).ns();
    if (r.agent == Agent::environment) {  // the agents' tallies are of LLM calls
      if (meter) meter->add(r, metrics_);
      continue;
    }
    AgentRoundTally& tally = round_tally_[static_cast<std::size_t>(index(r.agent))];
    const bool wasted = r.role == CallRole::wasted;
    const bool step_finished = r.status == CallStatus::finished && lane_of(r).done;
    if (r.call_index == 0) {
      ++tally.steps;
      tally.wasted_steps += wasted;
      tally.finished_steps += step_finished;
    }
    if (step_finished) tally.finished_time += elapsed(r.requested, r.ended);
    if (!meter) continue;
    const double before = metrics_.cost_usd;
    meter->add(r, metrics_);
    tally.cost_usd += metrics_.cost_usd - before;
    if (wasted) tally.wasted_cost_usd += metrics_.cost_usd - before;
  }
  if (!config_.meter || recording_) return;
  calls_base_ = next_call();
  run_.calls.clear();
  backend_.forget_calls(calls_base_);
}

void Planner::cancel_open_calls() {
  cancel_calls([](const CallRecord&) { return true; });
}

}  // namespace specsim::sim
