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
      branches_(config_.semantics.top_k.width()),
      pool_busy_(config_.pool_capacity.size(), 0), pool_queue_(config_.pool_capacity.size()) {
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
  episode_start_ = last_change_ = now();
  in_flight_ = 0;
  in_flight_area_ = 0;
}

RoundContext Planner::round_context() const {
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
  cut_ = gated_ = std::numeric_limits<int>::max();
  round_first_call_ = next_call();
  round_began_ = now();
  guesses_.clear();
  alternatives_.clear();
  switched_ = -1;

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
  prediction_event_ = {};
  if (!prediction_ready_) prediction_event_ = clock_.schedule(now() + decision.delay, this, 0);
  start_position(0);
}

// Positions open in order, each once per round: the storage of earlier rounds is reused.
void Planner::open_position(int pos) {
  if (static_cast<std::size_t>(pos) < positions_.size()) positions_[static_cast<std::size_t>(pos)] = Position{};
  else positions_.emplace_back();
  opened_ = pos + 1;
}

void Planner::start_position(int pos) {
  open_position(pos);
  start_call(Agent::target, pos, 0);
  if (k_ > 0) start_call(Agent::approx, pos, 0);
  // Under the other candidates T would read environment results nobody fetched: no branching.
  if (pos > 0 && branches_ > 1 && !(environment_ && backend_.environment(round_start_ + pos - 1)))
    start_alternatives(pos);
}

// T's step at `pos` under each further candidate of the guess at pos - 1, best first.
void Planner::start_alternatives(int pos) {
  for (int branch = 1; branch < branches_; ++branch) {
    alternatives_.push_back(Alternative{pos, branch, Lane{}});
    start_call(Agent::target, pos, 0, branch);
  }
}

Planner::Lane& Planner::lane_of(const CallRecord& r) {
  if (on_main_lane(r)) return position(r.pos).of(r.agent);
  for (Alternative& a : alternatives_)
    if (a.pos == r.pos && a.branch == r.branch) return a.lane;
  throw std::logic_error("a call of no branch of the round");
}

void Planner::start_call(Agent agent, int pos, int call_index, int branch) {
  const std::uint32_t id = next_call();
  CallRecord record;
  record.requested = rel(now());
  record.round = round_;
  record.pos = pos;
  record.step = round_start_ + pos;
  record.call_index = static_cast<std::int16_t>(call_index);
  record.agent = agent;
  record.branch = static_cast<std::uint8_t>(branch);
  if (agent == Agent::environment) {
    record.ahead = position(pos).env_ahead;
    record.price_usd = backend_.environment(record.step)->price_usd;
  }
  run_.calls.push_back(record);

  Lane& lane = lane_of(run_.calls.back());
  lane.previous = call_index > 0 ? lane.last_call : kNoCall;
  lane.started = true;
  lane.last_call = id;

  const int pool = pool_of(agent);
  if (pool >= 0) {
    if (pool_busy_[static_cast<std::size_t>(pool)] >= config_.pool_capacity[static_cast<std::size_t>(pool)]) {
      pool_queue_[static_cast<std::size_t>(pool)].push_back(id);
      return;
    }
    ++pool_busy_[static_cast<std::size_t>(pool)];
  }
  dispatch(id);
}

void Planner::dispatch(std::uint32_t id) {
  CallRecord& record = call(id);
  record.status = CallStatus::running;
  record.started = rel(now());
  count_in_flight(+1);
  const Lane& lane = lane_of(record);
  const auto guessed = std::span<const std::uint32_t>(guesses_).first(static_cast<std::size_t>(record.pos));
  // Steps verified during the round were guessed right: the call reads them as guesses.
  const auto prefix = std::span<const std::uint32_t>(prefix_).first(static_cast<std::size_t>(round_start_));
  backend_.start_call(id, CallRequest{record.agent, record.step, record.call_index, round_start_, lane.output,
                                      prefix, guessed, lane.previous, record.branch});
}

// Frees the call's concurrency slot and hands it to the oldest waiting call, if any.
void Planner::release(std::uint32_t id) {
  count_in_flight(-1);
  const int pool = pool_of(call(id).agent);
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

void Planner::on_call_finished(std::uint32_t id) {
  const CallOutcome outcome = backend_.outcome(id);
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
  const int pos = record.pos;
  if (agent == Agent::approx && config_.semantics.top_k.candidates > 1) price_candidates(record.tokens);
  Lane& lane = lane_of(record);
  lane.output += record.tokens.output;
  release(id);

  if (!backend_.step_done(id)) {
    start_call(agent, pos, record.call_index + 1, record.branch);
    return;
  }
  lane.done = true;
  if (!on_main_lane(call(id))) return;  // an alternative waits for the step before it to be verified
  if (agent == Agent::approx) guesses_.push_back(id);  // A guesses strictly in order: this is position `pos`
  if (config_.semantics.cancel == CancelRule::eager) cut_if_wrong(pos);
  if (agent != Agent::target) advance(pos);  // a guess, or the environment's result on one
  verify();
}

// A call that failed after its retries ends the episode: what was verified stays committed,
// everything else is cancelled, and the policy learns nothing from the broken round.
void Planner::fail(std::uint32_t id, std::string_view error) {
  CallRecord& record = call(id);
  record.status = CallStatus::failed;
  record.ended = rel(now());
  release(id);
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
  int last = 0;
  while (last + 1 < opened_ && position(last + 1).approx.started) ++last;
  if (position(last).approx.done) advance(last);
  // Every guess so far matched and the round reached its depth (its k, or a gated guess): it is
  // complete.
  if (verified_ > 0 && verified_ >= depth_limit()) {
    close_round(verified_, false);
    start_round();
  }
}

// A's guess for `pos` is in: speculate one step further if the round's depth allows it.
void Planner::advance(int pos) {
  if (environment_ && !environment_ahead_ready(pos)) [[unlikely]] return;
  const int next = pos + 1;
  if (next > cut_ || next >= depth_limit() || next >= width_ || (next < opened_ && position(next).approx.started))
    return;
  const Position& p = position(pos);
  const int step = round_start_ + pos;
  if (backend_.guess_is_terminal(step, p.approx.last_call) &&
      (config_.semantics.terminate_guess == TerminateGuess::stops || backend_.guess_will_match(step, p.approx.last_call)))
    return;
  if (min_confidence_ > 0 && backend_.guess_confidence(step, p.approx.last_call) < min_confidence_) {
    gated_ = next;  // verify() closes the round once it reaches the gated guess
    return;
  }
  start_position(next);
}

// Whether the environment's result on A's guess at `pos`, which the next step reads, is in;
// starts that call if the tool is side-effect free and the guess is not known wrong. A tool with
// side effects runs only on the committed action: the round goes no further than `pos`.
bool Planner::environment_ahead_ready(int pos) {
  const int step = round_start_ + pos;
  const std::optional<EnvironmentCall> env = backend_.environment(step);
  if (!env) return true;
  if (!env->side_effect_free) {
    gated_ = std::min(gated_, pos + 1);
    return false;
  }
  Position& p = position(pos);
  if (!p.env.started && pos < cut_ && pos >= verified_) {
    p.env_ahead = true;
    start_call(Agent::environment, pos, 0);
  }
  return p.env_ahead && p.env.done;
}

// Whether step `pos`'s environment result on its committed action (T's, verified: `match` says
// whether A guessed it) is in. A call run ahead on a right guess is that result; otherwise the
// call starts now, and with a wrong guess everything after `pos` is cancelled meanwhile.
bool Planner::environment_committed(int pos, bool match) {
  if (!backend_.environment(round_start_ + pos)) return true;
  Position& p = position(pos);
  if (p.env.started && (!p.env_ahead || match)) return p.env.done;
  if (p.env.started) cancel_calls([&](const CallRecord& r) { return r.pos == pos && r.agent == Agent::environment; });
  if (k_ > 0 && !match) {
    cut_ = std::min(cut_, pos);
    cancel_after(pos);
  }
  p.env = Lane{};
  p.env_ahead = false;
  start_call(Agent::environment, pos, 0);
  return false;
}

// Eager cancellation: both agents have finished `pos` and disagree while an earlier position is
// still unverified. Every call after `pos` is conditioned on the wrong guess, so it is cancelled
// now; the round closes when verification reaches `pos` (or an earlier mismatch).
void Planner::cut_if_wrong(int pos) {
  if (k_ == 0 || pos <= verified_ || pos >= cut_) return;  // at verified_, verify() closes the round now
  const Position& p = position(pos);
  if (!p.target.done || !p.approx.done) return;
  if (hit_rank(round_start_ + pos, p) >= 0) return;
  cut_ = pos;
  cancel_calls([&](const CallRecord& r) { return r.pos > pos || (r.pos == pos && r.agent == Agent::environment); });
}

// Cancels the round's calls at positions after `pos`, queued or running (-1: all of them).
void Planner::cancel_after(int pos) {
  cancel_calls([&](const CallRecord& r) { return r.pos > pos; });
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
    if (r.agent == Agent::approx && config_.semantics.top_k.candidates > 1) price_candidates(r.tokens);
    r.status = CallStatus::cancelled;
    r.ended = rel(now());
    release(id);
  }
}

int Planner::hit_rank(int step, const Position& p) const {
  if (branches_ == 1) return backend_.agree(step, p.target.last_call, p.approx.last_call) ? 0 : -1;
  const int rank = backend_.candidate_rank(step, p.target.last_call, p.approx.last_call);
  return rank < branches_ ? rank : -1;
}

// T's action at pos - 1 was candidate `branch` of the guess: the alternative under it carries
// T's step at `pos`, the round's last, and every other call at or after `pos` is cancelled.
bool Planner::take_alternative(int pos, int branch) {
  if (pos >= opened_) return false;
  const auto winner = std::find_if(alternatives_.begin(), alternatives_.end(),
                                   [&](const Alternative& a) { return a.pos == pos && a.branch == branch; });
  if (winner == alternatives_.end()) return false;
  position(pos).target = winner->lane;
  switched_ = pos;
  switched_branch_ = branch;
  cut_ = std::min(cut_, pos);
  cancel_calls([&](const CallRecord& r) { return r.pos > pos || (r.pos == pos && r.branch != branch); });
  return true;
}

// The top candidate held T's action at pos - 1: the alternatives at `pos` lose.
void Planner::prune_alternatives(int pos) {
  cancel_calls([&](const CallRecord& r) { return r.pos == pos && r.branch > 0; });
}

// The guess's candidates are paid for as the tree's pricing says (A's call carries the top one).
void Planner::price_candidates(CallTokens& tokens) const {
  const int k = config_.semantics.top_k.candidates;
  if (config_.semantics.top_k.pricing == GuessPricing::per_candidate) tokens.input *= k;
  tokens.output *= k;
  tokens.planned_output *= k;
}

void Planner::verify() {
  while (verified_ < opened_) {
    const Position& p = position(verified_);
    const bool guessed = k_ > 0 && verified_ != switched_;  // a taken alternative has no guess
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
    if (rank > 0) {  // a lower candidate held T's action: its alternative, if any, goes on
      if (take_alternative(verified_, rank)) continue;
      close_round(verified_, false);
      start_round();
      return;
    }
    if (branches_ > 1) prune_alternatives(verified_);
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

  assign_roles(committed, mismatch);

  const Time t = now();
  if (recording_)
    run_.rounds.push_back(RoundRecord{round_, round_start_, k_, committed, mismatch, rel(round_began_), rel(t), chosen_k_});
  tally_round();
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
  outcome.guessed = static_cast<int>(guesses_.size());
  outcome.episode_end = done_ || committed_ >= config_.max_steps || run_.terminated;
  outcome.failed = !run_.error.empty();
  outcome.start = round_began_;
  outcome.end = t;
  outcome.agents = round_tally_;
  policy_.on_round_end(outcome);
}

// What each call of the round turned out to be. A call is on the committed path when every guess
// it is conditioned on (those of the positions before it) was verified to match.
void Planner::assign_roles(int committed, bool mismatch) {
  const int matched = k_ == 0 ? 0 : (mismatch ? committed - 1 : committed);
  for (std::size_t i = round_first_call_ - calls_base_; i < run_.calls.size(); ++i) {
    CallRecord& r = run_.calls[i];
    // Top-K: at each position one branch is T's (the top candidate's, or a taken alternative).
    const bool on_branch = r.branch == (r.pos == switched_ ? switched_branch_ : 0);
    r.on_path = r.pos <= matched && on_branch;
    const bool guessed_right = r.pos < committed - 1 || (r.pos == committed - 1 && !mismatch);
    if (r.agent == Agent::environment) {  // the result on the committed action, or a wasted one
      r.role = r.pos < committed && (!r.ahead || guessed_right) && r.status == CallStatus::finished
                   ? CallRole::committed
                   : CallRole::wasted;
      r.on_path = r.role == CallRole::committed;
    } else if (r.agent == Agent::target) {
      r.role = r.pos < committed && on_branch ? CallRole::committed : CallRole::wasted;
    } else {
      r.role = guessed_right ? CallRole::speculation : CallRole::wasted;
    }
  }
}

// The closed round's k, what each agent's calls took and, with a meter, cost (every call finished,
// failed or cancelled, its role assigned). An unrecorded episode then lets the round's calls go,
// here and in the backend.
void Planner::tally_round() {
  auto it = std::lower_bound(run_.k_counts.begin(), run_.k_counts.end(), k_,
                             [](const std::pair<std::int32_t, std::int32_t>& c, int k) { return c.first < k; });
  if (it != run_.k_counts.end() && it->first == k_) ++it->second;
  else run_.k_counts.insert(it, {k_, 1});
  ++round_count_;
  k_sum_ += k_;
  k_cut_rounds_ += k_ < chosen_k_;
  round_tally_ = {};
  for (std::size_t i = round_first_call_ - calls_base_; i < run_.calls.size(); ++i) {
    const CallRecord& r = run_.calls[i];
    if (r.agent == Agent::environment) {  // the agents' tallies are of LLM calls
      if (config_.meter) config_.meter->add(r, metrics_);
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
    if (step_finished) tally.finished_time += r.ended - r.requested;
    if (!config_.meter) continue;
    const double before = metrics_.cost_usd;
    config_.meter->add(r, metrics_);
    tally.cost_usd += metrics_.cost_usd - before;
    if (wasted) tally.wasted_cost_usd += metrics_.cost_usd - before;
  }
  if (!config_.meter || recording_) return;
  calls_base_ = next_call();
  run_.calls.clear();
  backend_.forget_calls(calls_base_);
}

void Planner::cancel_open_calls() { cancel_after(-1); }

void Planner::count_in_flight(int delta) {
  const Time t = now();
  in_flight_area_ += in_flight_ * (t - last_change_).ns();
  last_change_ = t;
  in_flight_ += delta;
  run_.concurrency_peak = std::max(run_.concurrency_peak, in_flight_);
}

}  // namespace specsim::sim
