#include "models/live/live_backend.hpp"

#include <algorithm>

#include "models/live/logprob_confidence.hpp"

namespace specsim::models::live {

namespace {

const LiveAgent& agent_of(const LiveSettings& s, sim::Agent a) { return s.agents[static_cast<std::size_t>(sim::index(a))]; }

std::string excerpt(std::string_view s) {
  std::string e(s.substr(0, 80));
  for (char& c : e)
    if (c == '\n' || c == '\r') c = ' ';
  return s.size() > 80 ? e + "..." : e;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1));
}

// A prompt token is about four characters of English: the estimate for servers that report no
// usage before the end of a call that is cancelled.
std::int32_t estimate_tokens(const std::vector<ChatMessage>& messages) {
  std::size_t chars = 0;
  for (const auto& m : messages) chars += m.content.size();
  return static_cast<std::int32_t>(std::min<std::size_t>(chars / 4 + 1, 1u << 30));
}

std::int32_t clamp32(std::int64_t v) { return static_cast<std::int32_t>(std::clamp<std::int64_t>(v, 0, 1 << 30)); }

const std::string kNoCandidate;

}  // namespace

LiveBackend::LiveBackend(const LiveSettings& settings, HttpClient& client, std::array<int, sim::kAgents> endpoints,
                         const sim::Clock& clock)
    : settings_(settings), client_(client), endpoints_(endpoints), clock_(clock) {}

LiveBackend::~LiveBackend() {
  for (std::size_t i = 0; i < calls_.size(); ++i)
    if (calls_[i].running) client_.cancel(handles_[i]);
}

void LiveBackend::begin_episode(const sim::EpisodeTask& task, sim::CallSink& sink) {
  for (std::size_t i = 0; i < calls_.size(); ++i)
    if (calls_[i].running) client_.cancel(handles_[i]);
  sink_ = &sink;
  task_id_ = std::string(task.id);
  task_ = std::string(task.text);
  calls_.clear();
  handles_.clear();
}

void LiveBackend::start_call(std::uint32_t call, const sim::CallRequest& request) {
  // Ids are the planner's; a call that waited for a concurrency slot starts after later ids.
  if (call >= calls_.size()) {
    calls_.resize(call + 1);
    handles_.resize(call + 1, 0);
  }
  const LiveAgent& agent = agent_of(settings_, request.agent);
  LiveCallLog log;
  log.agent = request.agent;
  log.step = request.step;
  log.call_index = request.call_index;
  log.round_start = request.round_start;
  for (std::uint32_t id : request.prefix) log.conditioning.push_back(calls_[id].action);
  for (std::size_t i = 0; i < request.guesses.size(); ++i)
    log.conditioning.push_back(candidate_text(request.guesses[i], i < request.candidates.size() ? request.candidates[i] : 0));
  log.previous = request.previous;
  // The earlier calls of this step, oldest first (ReAct: the thought, read by the action call).
  std::vector<std::string> earlier;
  for (std::uint32_t id = request.previous; id != sim::kNoCall; id = calls_[id].previous)
    earlier.insert(earlier.begin(), calls_[id].response);
  const bool guess = request.agent == sim::Agent::approx;
  PromptContext context{task_id_, task_, request.agent, request.call_index, {}, guess ? settings_.candidates : 1};
  for (const auto& s : log.conditioning) context.steps.push_back(s);
  ChatRequest chat;
  chat.model = agent.model;
  chat.messages = agent.prompt.messages(context, earlier);
  chat.max_tokens = agent.max_tokens;
  chat.temperature = agent.temperature;
  chat.stream = agent.stream;
  chat.tools = agent.tools;
  chat.logprobs = agent.logprobs;
  log.request = chat.messages;
  log.running = true;
  calls_[call] = std::move(log);

  Callbacks cb;
  cb.on_complete = [this, call](const Completion& c) {
    calls_[call].timings = c.timings;
    calls_[call].attempts = c.attempts;
    finish(call, &c.result, {});
  };
  cb.on_failure = [this, call](const Failure& f) {
    calls_[call].timings = f.timings;
    calls_[call].attempts = f.attempts;
    finish(call, nullptr, f.error);
  };
  handles_[call] = client_.start(endpoints_[static_cast<std::size_t>(sim::index(request.agent))], chat, std::move(cb));
}

void LiveBackend::finish(std::uint32_t call, const ChatResult* result, std::string error) {
  LiveCallLog& log = calls_[call];
  log.running = false;
  if (result) {
    log.response = result->content;
    if (!result->usage) {
      error = "the answer reported no usage (its tokens and cost are unknown)";
    } else {
      log.tokens.input = clamp32(result->usage->prompt_tokens);
      log.tokens.output = clamp32(result->usage->completion_tokens);
      log.tokens.planned_output = log.tokens.output;
    }
    if (error.empty() && step_done(call)) {
      if (log.agent == sim::Agent::approx) error = read_guess(log, *result);
      else if (auto action = agent_of(settings_, log.agent).action.extract(*result)) log.action = *action;
      // T's answer without an action is a failure: the plan cannot go on without its step.
      else error = "no action found in the answer '" + excerpt(result->content) + "'";
    }
  }
  log.error = std::move(error);
  sink_->on_call_finished(call, outcome(call));
}

std::string LiveBackend::read_guess(LiveCallLog& log, const ChatResult& result) const {
  const LiveAgent& agent = agent_of(settings_, log.agent);
  const int k = settings_.candidates;
  if (k > 1) {
    auto candidates = agent.action.extract_candidates(result, k);
    if (!candidates)
      return "no list of " + std::to_string(k) + " candidates in the answer '" + excerpt(result.content) +
             "' (expected a JSON array or lines numbered 1., 2., ...)";
    log.candidates = std::move(*candidates);
    log.action = log.candidates.front();
  } else if (auto action = agent.action.extract(result)) {
    log.action = *action;
  }  // else: a guess that never matches (as "" in a trace)
  if (agent.logprobs) {
    log.confidence = action_confidence(result, log.action);
    if (!log.confidence) return "the answer carries no logprobs (A's endpoint is asked for them: logprobs: true)";
  }
  return {};
}

const std::string& LiveBackend::candidate_text(std::uint32_t guess, int rank) const {
  const LiveCallLog& log = calls_[guess];
  if (rank == 0) return log.action;
  return static_cast<std::size_t>(rank) < log.candidates.size() ? log.candidates[static_cast<std::size_t>(rank)] : kNoCandidate;
}

sim::CallTokens LiveBackend::cancel_call(std::uint32_t call) {
  LiveCallLog& log = calls_[call];
  log.cancelled = clock_.now();
  if (!log.running) return log.tokens;
  log.running = false;
  const Cancelled c = client_.cancel(handles_[call]);
  log.attempts = c.attempts;
  log.response = c.streamed_text;
  // A call still waiting in the client's queue (for an endpoint's limits) sent nothing: it costs
  // nothing, as a call the simulator's limits never admitted (models/limited_backend.hpp).
  log.tokens.input = c.usage ? clamp32(c.usage->prompt_tokens) : c.attempts.empty() ? 0 : estimate_tokens(log.request);
  log.tokens.output = clamp32(c.streamed_chunks);  // about one token per streamed chunk
  log.tokens.planned_output = log.tokens.output;
  return log.tokens;
}

sim::CallOutcome LiveBackend::outcome(std::uint32_t call) const {
  const LiveCallLog& log = calls_[call];
  sim::CallOutcome out;
  out.tokens = log.tokens;
  const sim::Time first = log.timings.first_token;
  out.first_token = first > sim::Time::zero() ? first : (log.timings.ended > sim::Time::zero() ? log.timings.ended : clock_.now());
  out.attempts = std::max(1, static_cast<int>(log.attempts.size()));
  out.error = log.error;
  out.step_done = step_done(call);
  return out;
}

bool LiveBackend::step_done(std::uint32_t call) const {
  return calls_[call].call_index + 1 >= agent_of(settings_, calls_[call].agent).calls_per_step;
}

bool LiveBackend::agree(int, std::uint32_t target_call, std::uint32_t approx_call) const {
  return settings_.match_rule->matches(calls_[target_call].action, calls_[approx_call].action);
}

int LiveBackend::candidate_rank(int step, std::uint32_t target_call, std::uint32_t approx_call) const {
  const auto& candidates = calls_[approx_call].candidates;
  if (candidates.empty()) return agree(step, target_call, approx_call) ? 0 : -1;
  for (std::size_t r = 0; r < candidates.size(); ++r)
    if (settings_.match_rule->matches(calls_[target_call].action, candidates[r])) return static_cast<int>(r);
  return -1;
}

double LiveBackend::guess_confidence(int, std::uint32_t approx_call) const { return calls_[approx_call].confidence.value_or(1.0); }

bool LiveBackend::is_terminal(int, std::uint32_t target_call) const {
  return trim(calls_[target_call].action) == settings_.terminate;
}

bool LiveBackend::guess_is_terminal(int, std::uint32_t approx_call) const {
  return trim(calls_[approx_call].action) == settings_.terminate;
}

}  // namespace specsim::models::live
