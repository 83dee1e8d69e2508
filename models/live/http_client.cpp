#include "models/live/http_client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "models/live/socket_arrival.hpp"
#include "models/token_bucket.hpp"
#include "models/live/sse_parser.hpp"
#include "sim/input_error.hpp"
#include "sim/random.hpp"

namespace specsim::models::live {

namespace {

constexpr std::size_t kMaxBody = 16u << 20;  // a larger answer is a protocol error
// Idle connections kept for reuse. libcurl's default keeps four per transfer still added, so as
// a burst of streams ends it closes most of their connections and the next burst connects anew.
constexpr long kMaxIdleConnections = 512;
// Attempts sent per turn of poll(). Sending a request costs the client about 30 µs (libcurl's
// transfer setup and the send), so 256 calls started at once would keep it from epoll for 8 ms
// while the first answers, already back, wait to be read (their times are the kernel's, but the
// planner would hear of them that late). Between two slices what became ready is read.
constexpr int kStartsPerTurn = 8;

struct Endpoint {
  EndpointConfig config;
  std::string key;  // never printed
  std::string url;
  int running = 0;
  TokenBucket requests, tokens;
  EndpointWaits waits;
};

struct Call {
  CallHandle id = 0;
  int endpoint = 0;
  std::string body;
  bool stream = true;
  std::int64_t tokens_estimate = 0;
  Callbacks callbacks;
  CallTimings timings;
  std::vector<Attempt> attempts;
  sim::Time not_before = sim::Time::zero();
  bool first_token_reported = false;
  // The running attempt.
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  char errbuf[CURL_ERROR_SIZE] = {};
  SseParser sse;
  StreamAccumulator acc;
  std::string raw;  // a non-streamed answer, or an error body
  long status = 0;
  bool got_event = false;
  sim::Time done_at = sim::Time::zero();  // when [DONE] arrived: the end, not the later walk
  std::optional<sim::Time> retry_after;
  std::string protocol_error;  // set by the write callback, which then aborts the transfer
  std::optional<std::string> timeout_error;
  HttpClient::Impl* owner = nullptr;
  bool ended = false;      // completed or failed; its last callback may still be queued
  bool cancelled = false;  // no callback runs any more
};

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  return true;
}

std::once_flag curl_init;

}  // namespace

struct HttpClient::Impl {
  const sim::Clock& clock;
  ClientOptions options;
  CURLM* multi = nullptr;
  std::vector<Endpoint> endpoints;
  std::unordered_map<CallHandle, std::unique_ptr<Call>> calls;
  std::deque<CallHandle> waiting;  // calls not running: before their first attempt or between two
  // User callbacks, run after libcurl returns; a call's are skipped once it is cancelled.
  std::vector<std::pair<CallHandle, std::function<void(Call&)>>> events;
  // When the bytes of the socket being read arrived (the kernel's stamp, else when epoll_wait
  // returned: they were there by then). With 256 streams ready at once, reading the last of them
  // takes the client a few milliseconds, and stamping each when its turn comes would add that
  // wait to its measured time.
  std::optional<sim::Time> ready_at;
  ArrivalStamps arrivals;
  sim::Time read_time() const { return ready_at ? *ready_at : clock.now(); }
  std::vector<CallHandle> dead;  // ended or cancelled: erased once no queued callback needs them
  CallHandle next_id = 1;
  std::size_t running = 0;
  // libcurl's socket interface: it tells which sockets to watch (epoll) and when its timer is
  // due, and each ready socket drives only its own transfer (curl_multi_perform would walk, and
  // poll(), every transfer at every wake-up: 256 system calls per chunk of 256 streams).
  int epoll = -1;
  std::optional<sim::Time> curl_due;  // libcurl's timer; nullopt: none

  Impl(const sim::Clock& c, ClientOptions o) : clock(c), options(o) {
    std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    epoll = epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) throw std::runtime_error("epoll_create1 failed");
    multi = curl_multi_init();
    if (!multi) throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, kMaxIdleConnections);
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  }
  ~Impl() {
    for (auto& [id, call] : calls) close_transfer(*call);
    curl_multi_cleanup(multi);
    ::close(epoll);
  }

  static int on_socket(CURL*, curl_socket_t fd, int what, void* user, void*) {
    auto& self = *static_cast<Impl*>(user);
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(self.epoll, EPOLL_CTL_DEL, fd, nullptr);  // fails harmlessly if already closed
      return 0;
    }
    epoll_event ev{};
    ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
    ev.data.fd = fd;
    if (epoll_ctl(self.epoll, EPOLL_CTL_MOD, fd, &ev) != 0) epoll_ctl(self.epoll, EPOLL_CTL_ADD, fd, &ev);
    return 0;
  }

  static int on_timer(CURLM*, long timeout_ms, void* user) {
    auto& self = *static_cast<Impl*>(user);
    if (timeout_ms < 0) self.curl_due.reset();
    else self.curl_due = self.clock.now() + sim::Time::from_ns(static_cast<std::int64_t>(timeout_ms) * 1'000'000);
    return 0;
  }

  // Runs libcurl's timer if it is due; returns the transfers still running.
  int run_curl_timer(sim::Time now, int still) {
    if (curl_due && *curl_due <= now) {
      curl_due.reset();
      curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &still);
    }
    return still;
  }

  std::string redact(std::string text, const Endpoint& ep) const {
    if (ep.key.empty()) return text;
    for (auto pos = text.find(ep.key); pos != std::string::npos; pos = text.find(ep.key, pos)) text.replace(pos, ep.key.size(), "[redacted]");
    return text;
  }

  void close_transfer(Call& c) {
    if (c.easy) {
      curl_multi_remove_handle(multi, c.easy);  // an unfinished response: libcurl closes the connection
      curl_easy_cleanup(c.easy);
      c.easy = nullptr;
      --running;
      --endpoints[static_cast<std::size_t>(c.endpoint)].running;
    }
    if (c.headers) curl_slist_free_all(c.headers);
    c.headers = nullptr;
  }

  static int on_socket_opened(void*, curl_socket_t fd, curlsocktype) {
    enable_arrival_stamps(fd);  // if it cannot, the epoll return stamps the socket's bytes
    return CURL_SOCKOPT_OK;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto& c = *static_cast<Call*>(user);
    const std::string_view line(data, size * n);
    const auto value = [&](std::size_t name_len) { return std::atof(std::string(line.substr(name_len)).c_str()); };
    if (iequals_prefix(line, "retry-after-ms:")) c.retry_after = sim::Time::from_seconds(std::max(0.0, value(15)) / 1000);
    else if (iequals_prefix(line, "retry-after:") && !c.retry_after) c.retry_after = sim::Time::from_seconds(std::min(std::max(0.0, value(12)), 3600.0));
    return size * n;
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto& c = *static_cast<Call*>(user);
    const std::string_view bytes(data, size * n);
    if (c.status == 0) curl_easy_getinfo(c.easy, CURLINFO_RESPONSE_CODE, &c.status);
    if (c.status != 200 || !c.stream) {
      if (c.raw.size() + bytes.size() > kMaxBody) {
        c.protocol_error = "answer larger than 16 MiB";
        return 0;
      }
      c.raw.append(bytes);
      return bytes.size();
    }
    try {
      c.sse.feed(bytes, [&](const SseEvent& e) {
        c.got_event = true;
        const std::string delta = c.acc.add(e.data);
        Impl& self = *c.owner;
        if (c.acc.done()) c.done_at = self.read_time();
        if (delta.empty()) return;
        const CallHandle id = c.id;
        if (!c.first_token_reported) {
          c.first_token_reported = true;
          c.timings.first_token = self.read_time();  // when the bytes came, not when the callback runs
          const sim::Time t = c.timings.first_token;
          if (c.callbacks.on_first_token) self.events.emplace_back(id, [t](Call& call) { call.callbacks.on_first_token(t); });
        }
        if (c.callbacks.on_delta) self.events.emplace_back(id, [delta](Call& call) { call.callbacks.on_delta(delta); });
      });
    } catch (const std::exception& e) {  // SseError, ProtocolError
      c.protocol_error = e.what();
      return 0;
    }
    return bytes.size();
  }

  void reap() {
    for (const CallHandle id : std::exchange(dead, {})) calls.erase(id);
  }

  Call* find(CallHandle id) {
    const auto it = calls.find(id);
    return it == calls.end() ? nullptr : it->second.get();
  }

  void begin_attempt(Call& c, sim::Time now) {
    Endpoint& ep = endpoints[static_cast<std::size_t>(c.endpoint)];
    c.easy = curl_easy_init();
    if (!c.easy) throw std::runtime_error("curl_easy_init failed");
    c.sse = SseParser{};
    c.acc = StreamAccumulator{};
    c.raw.clear();
    c.status = 0;
    c.got_event = false;
    c.done_at = sim::Time::zero();
    c.retry_after.reset();
    c.protocol_error.clear();
    c.timeout_error.reset();
    c.errbuf[0] = 0;
    c.headers = curl_slist_append(c.headers, "Content-Type: application/json");
    if (c.stream) c.headers = curl_slist_append(c.headers, "Accept: text/event-stream");
    if (!ep.key.empty()) c.headers = curl_slist_append(c.headers, ("Authorization: Bearer " + ep.key).c_str());
    curl_easy_setopt(c.easy, CURLOPT_URL, ep.url.c_str());
    curl_easy_setopt(c.easy, CURLOPT_HTTPHEADER, c.headers);
    curl_easy_setopt(c.easy, CURLOPT_POSTFIELDS, c.body.c_str());
    curl_easy_setopt(c.easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(c.body.size()));
    curl_easy_setopt(c.easy, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    curl_easy_setopt(c.easy, CURLOPT_WRITEDATA, &c);
    curl_easy_setopt(c.easy, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(c.easy, CURLOPT_HEADERDATA, &c);
    curl_easy_setopt(c.easy, CURLOPT_PRIVATE, &c);
    curl_easy_setopt(c.easy, CURLOPT_ERRORBUFFER, c.errbuf);
    curl_easy_setopt(c.easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c.easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c.easy, CURLOPT_SOCKOPTFUNCTION, &Impl::on_socket_opened);
    curl_easy_setopt(c.easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::max<std::int64_t>(1, options.timeouts.connect.ns() / 1'000'000)));
    curl_easy_setopt(c.easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<std::int64_t>(1, options.timeouts.total.ns() / 1'000'000)));
    curl_multi_add_handle(multi, c.easy);  // sets libcurl's timer to now: the next poll sends it
    ++running;
    ++ep.running;
    if (c.attempts.empty()) {
      c.timings.started = now;
      ++ep.waits.calls;
      ep.waits.waited += now - c.timings.requested;
    }
    c.attempts.push_back(Attempt{now, now, 0, {}});
  }

  // Starts the waiting calls whose limits allow it, in order, up to the turn's share
  // (kStartsPerTurn); returns when the next one may go (now: more are ready than were started).
  // First come, first served on each endpoint, as the dry run's queue (models/shared_limits.hpp):
  // once a call due now must wait for its endpoint's buckets or a slot, the later calls there wait
  // behind it, so that small calls cannot starve a large one of tokens. A call waiting out its
  // retry delay holds nobody back.
  sim::Time start_ready(sim::Time now) {
    sim::Time wake = sim::Time::max();
    held_.assign(endpoints.size(), false);
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (starts_this_turn >= kStartsPerTurn) return now;
      Call* c = find(*it);
      if (c == nullptr || c->cancelled) {
        it = waiting.erase(it);
        continue;
      }
      const auto e = static_cast<std::size_t>(c->endpoint);
      if (held_[e]) {
        ++it;
        continue;
      }
      Endpoint& ep = endpoints[e];
      const bool due = c->not_before <= now;
      sim::Time ready = c->not_before;
      if (ready <= now) ready = now + sim::max(ep.requests.wait_for(1, now), ep.tokens.wait_for(c->tokens_estimate, now));
      const bool slot = ep.config.max_in_flight <= 0 || ep.running < ep.config.max_in_flight;
      if (ready <= now && slot) {
        ep.requests.take(1, now);
        ep.tokens.take(c->tokens_estimate, now);
        begin_attempt(*c, now);
        ++starts_this_turn;
        it = waiting.erase(it);
        continue;
      }
      if (slot) wake = sim::min(wake, ready);  // a full endpoint wakes on a completion instead
      held_[e] = due;
      ++it;
    }
    return wake;
  }

  // Streamed attempts that have sent nothing by their first-token deadline are aborted.
  sim::Time check_first_token(sim::Time now) {
    sim::Time next = sim::Time::max();
    for (auto& [id, c] : calls) {
      if (!c->easy || c->ended || !c->stream || c->got_event || c->timeout_error) continue;
      const sim::Time deadline = c->attempts.back().started + options.timeouts.first_token;
      if (deadline <= now) {
        c->timeout_error = fmt::format("no first token within {:.3f} s", options.timeouts.first_token.seconds());
        finished_.push_back(id);
      } else {
        next = sim::min(next, deadline);
      }
    }
    return next;
  }

  // One attempt ended (`code` from libcurl, or a first-token timeout): retry, complete or fail.
  void end_attempt(Call& c, CURLcode code, sim::Time now) {
    Endpoint& ep = endpoints[static_cast<std::size_t>(c.endpoint)];
    if (c.status == 0 && c.easy) curl_easy_getinfo(c.easy, CURLINFO_RESPONSE_CODE, &c.status);
    close_transfer(c);
    Attempt& a = c.attempts.back();
    a.ended = now;
    a.status = c.status;
    bool retryable = false;
    if (c.timeout_error) {
      a.error = *c.timeout_error;
      retryable = true;
    } else if (!c.protocol_error.empty()) {
      a.error = "bad answer: " + c.protocol_error;
    } else if (code != CURLE_OK) {
      a.error = c.errbuf[0] ? std::string(c.errbuf) : std::string(curl_easy_strerror(code));
      retryable = true;  // connect errors, timeouts, dropped connections
    } else if (c.status == 429 || c.status >= 500) {
      a.error = fmt::format("HTTP {}: {}", c.status, error_message(c.raw));
      retryable = true;
    } else if (c.status != 200) {
      a.error = fmt::format("HTTP {}: {}", c.status, error_message(c.raw));
    } else if (c.stream && !c.acc.done()) {
      a.error = c.got_event ? "stream ended before [DONE]" : "stream ended with no event";
      retryable = true;
    } else if (!c.stream) {
      try {
        c.acc = StreamAccumulator{};
        parsed_ = parse_response(c.raw);
      } catch (const ProtocolError& e) {
        a.error = std::string("bad answer: ") + e.what();
      }
    }
    a.error = redact(a.error, ep);
    const CallHandle id = c.id;
    if (a.error.empty()) {
      if (c.stream) a.ended = c.done_at;
      c.timings.ended = a.ended;
      Completion done{c.stream ? c.acc.result() : parsed_, c.attempts, c.timings};
      if (!c.stream) done.timings.first_token = now;
      finish(c, [done](Call& call) {
        if (call.callbacks.on_complete) call.callbacks.on_complete(done);
      });
      return;
    }
    if (retryable && static_cast<int>(c.attempts.size()) < options.retry.max_attempts) {
      c.not_before = now + retry_delay(c);
      waiting.push_back(id);
      return;
    }
    c.timings.ended = now;
    Failure f{a.error, c.attempts, c.timings};
    if (c.attempts.size() > 1) f.error = fmt::format("{} (after {} attempts)", a.error, c.attempts.size());
    finish(c, [f](Call& call) {
      if (call.callbacks.on_failure) call.callbacks.on_failure(f);
    });
  }

  void finish(Call& c, std::function<void(Call&)> last_callback) {
    c.ended = true;
    events.emplace_back(c.id, std::move(last_callback));
    dead.push_back(c.id);
  }

  sim::Time retry_delay(const Call& c) const {
    if (c.retry_after) return *c.retry_after;
    const auto& r = options.retry;
    const int n = static_cast<int>(c.attempts.size());  // attempts made so far, >= 1
    const double backoff = std::min(r.max.seconds(), r.base.seconds() * std::ldexp(1.0, n - 1));
    sim::RandomStream rng(r.seed, "retry", c.id * 1024 + static_cast<std::uint64_t>(n));
    return sim::Time::from_seconds(backoff * (1 - r.jitter * rng.uniform()));
  }

  std::vector<CallHandle> finished_;
  ChatResult parsed_;
  int starts_this_turn = 0;  // attempts begun since poll() last sent them (start_ready's cap)
  std::vector<bool> held_;   // by endpoint, within start_ready: a call before holds the later ones back
};

HttpClient::HttpClient(const sim::Clock& clock, ClientOptions options) : impl_(std::make_unique<Impl>(clock, options)) {}
HttpClient::~HttpClient() = default;

int HttpClient::add_endpoint(const EndpointConfig& config) {
  Endpoint ep;
  ep.config = config;
  if (!config.api_key_env.empty()) {
    const char* key = std::getenv(config.api_key_env.c_str());
    if (key == nullptr || *key == 0)
      throw config.key_unset.value_or(
          sim::InputError("", 0, 0, "api_key_env", "environment variable " + config.api_key_env + " is not set"));
    ep.key = key;
  }
  std::string base = config.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0)
    throw sim::InputError("", 0, 0, "base_url", "must start with http:// or https://");
  ep.url = base + "/chat/completions";
  // The client paces its own calls (models/shared_limits.hpp, Pacing::client), the way the dry
  // run simulates it.
  ep.requests = TokenBucket(config.requests_per_minute, config.requests_burst, impl_->clock.now());
  ep.tokens = TokenBucket(config.tokens_per_minute, config.tokens_burst, impl_->clock.now());
  impl_->endpoints.push_back(std::move(ep));
  return static_cast<int>(impl_->endpoints.size() - 1);
}

CallHandle HttpClient::start(int endpoint, const ChatRequest& request, Callbacks callbacks) {
  if (endpoint < 0 || endpoint >= static_cast<int>(impl_->endpoints.size())) throw std::out_of_range("no such endpoint");
  auto c = std::make_unique<Call>();
  c->id = impl_->next_id++;
  c->owner = impl_.get();
  c->endpoint = endpoint;
  c->body = request_body(request);
  c->stream = request.stream;
  // Tokens per minute count prompt and output: about 4 characters a token, plus the output cap.
  double chars = 0;
  for (const auto& m : request.messages) chars += static_cast<double>(m.content.size());
  c->tokens_estimate = static_cast<std::int64_t>(std::ceil(chars / 4)) + request.max_tokens.value_or(0);
  c->callbacks = std::move(callbacks);
  c->timings.requested = impl_->clock.now();
  const CallHandle id = c->id;
  impl_->calls.emplace(id, std::move(c));
  impl_->waiting.push_back(id);
  return id;
}

Cancelled HttpClient::cancel(CallHandle id) {
  Cancelled out;
  Call* c = impl_->find(id);
  if (c == nullptr || c->cancelled) return out;
  out.found = true;
  c->cancelled = true;  // also drops a completion already queued but not yet delivered
  out.streamed_text = c->acc.result().content;
  out.streamed_chunks = c->acc.content_chunks();
  out.usage = c->acc.result().usage;
  const sim::Time now = impl_->clock.now();
  if (c->easy) {
    impl_->close_transfer(*c);
    c->attempts.back().ended = now;
    c->attempts.back().error = "cancelled";
  }
  out.attempts = c->attempts;
  impl_->dead.push_back(id);
  if (impl_->events.empty()) impl_->reap();
  return out;
}

void HttpClient::poll(sim::Time max_wait) {
  Impl& s = *impl_;
  sim::Time now = s.clock.now();
  const sim::Time wake = sim::min(s.start_ready(now), s.check_first_token(now));
  sim::Time wait = max_wait;
  if (wake != sim::Time::max()) wait = sim::min(wait, sim::max(sim::Time::zero(), wake - now));
  // New transfers are sent at once (libcurl's timer is due when one is added); on a kept-alive
  // connection the whole answer may already have come back by then.
  int still = s.run_curl_timer(now, static_cast<int>(s.running));  // below `running`: one ended
  s.starts_this_turn = 0;
  if (s.events.empty() && s.finished_.empty() && still == static_cast<int>(s.running)) {
    if (s.curl_due) wait = sim::min(wait, sim::max(sim::Time::zero(), *s.curl_due - now));
    // epoll waits in whole milliseconds: round down, so a timer is never overslept (the clock
    // calls again for the rest).
    const std::int64_t ms = std::min<std::int64_t>(wait.ns() / 1'000'000, 1000);
    std::array<epoll_event, 256> ready{};
    const int n = epoll_wait(s.epoll, ready.data(), static_cast<int>(ready.size()), static_cast<int>(ms));
    const sim::Time woke = s.clock.now();
    if (n > 0) s.arrivals.mark(s.clock);
    for (int i = 0; i < n; ++i) {
      const std::uint32_t ev = ready[static_cast<std::size_t>(i)].events;
      const int fd = ready[static_cast<std::size_t>(i)].data.fd;
      s.ready_at = (ev & EPOLLIN) ? s.arrivals.newest(fd).value_or(woke) : woke;
      const int mask = ((ev & EPOLLIN) ? CURL_CSELECT_IN : 0) | ((ev & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                       ((ev & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
      curl_multi_socket_action(s.multi, fd, mask, &still);
    }
    s.ready_at.reset();
    still = s.run_curl_timer(s.clock.now(), still);
  }
  now = s.clock.now();
  int left = 0;
  while (CURLMsg* m = curl_multi_info_read(s.multi, &left)) {
    if (m->msg != CURLMSG_DONE) continue;
    Call* c = nullptr;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &c);
    s.end_attempt(*c, m->data.result, now);
  }
  for (const CallHandle id : std::exchange(s.finished_, {}))
    if (Call* c = s.find(id); c && c->easy) s.end_attempt(*c, CURLE_OPERATION_TIMEDOUT, now);
  s.start_ready(now);
  // By index: a callback may start calls (appending events) or cancel them.
  for (std::size_t i = 0; i < s.events.size(); ++i) {
    const CallHandle id = s.events[i].first;
    auto fn = std::move(s.events[i].second);
    if (Call* c = s.find(id); c && !c->cancelled) fn(*c);
  }
  s.events.clear();
  s.reap();
}

bool HttpClient::busy() const {
  for (const auto& [id, c] : impl_->calls)
    if (!c->ended && !c->cancelled) return true;
  return false;
}
std::size_t HttpClient::running() const { return impl_->running; }

EndpointWaits HttpClient::waits(int endpoint) const {
  return impl_->endpoints.at(static_cast<std::size_t>(endpoint)).waits;
}

}  // namespace specsim::models::live
