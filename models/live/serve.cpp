#include "models/live/serve.hpp"

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <optional>

#include "models/live/scaled_clock.hpp"
#include "models/served_endpoint.hpp"
#include "sim/random.hpp"

namespace specsim::models::live {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

struct Counters {
  std::atomic<std::uint64_t> requests{0}, answered{0}, disconnects{0}, too_many{0}, server_errors{0}, stalls{0}, drops{0};
  std::atomic<std::int64_t> late_ns{0};  // Answered::late, summed
};

// The streamed pieces of a text: words with the space before them ("a b" -> "a", " b"), about a
// token each, so a stream paces like a model writing.
std::vector<std::string> pieces_of(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ' && i > 0 && text[i - 1] != ' ' && !cur.empty()) out.push_back(std::move(cur)), cur.clear();
    cur.push_back(text[i]);
  }
  if (!cur.empty() || out.empty()) out.push_back(std::move(cur));
  return out;
}

std::string frame_chunk(const std::string& payload) { return fmt::format("{:x}\r\n{}\r\n", payload.size(), payload); }
std::string sse(const std::string& data) { return "data: " + data + "\n\n"; }

class Session;

}  // namespace

// Also the client of the self-hosted endpoints: it hands their callbacks to the sessions still open.
struct Server::Impl final : models::ServedEndpoint::Client {
  net::io_context io{1};
  tcp::acceptor acceptor{io};
  std::unique_ptr<ServedWorld> world;
  ServeOptions options;
  Counters counters;
  std::function<void(const Disconnect&)> observer;
  std::function<void(const Answered&)> answered_observer;
  std::uint64_t next_request = 0;
  // The world's self-hosted endpoints (one per agent whose latency is `served`), on world time:
  // the simulator's own ServedEndpoint, so a call's times depend on the requests in flight.
  std::unique_ptr<ScaledClock> clock;
  std::array<std::unique_ptr<models::ServedEndpoint>, sim::kAgents> endpoints;
  std::map<std::uint64_t, std::weak_ptr<Session>> on_endpoint;  // by tag
  std::uint64_t next_tag = 0;

  void served(std::uint64_t tag, sim::Time first_token) override;
  void first_token(std::uint64_t tag) override;

  steady::duration scaled(sim::Time world_time) const {
    return std::chrono::duration_cast<steady::duration>(
        std::chrono::nanoseconds(std::llround(static_cast<double>(world_time.ns()) * options.time_scale)));
  }
  void log(const std::string& line) const {
    if (options.log) *options.log << "serve: " << line << std::endl;  // flushed: tests read it live
  }
  void accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server) : sock_(std::move(socket)), srv_(server), timer_(server.io) {}

  void start() {
    beast::error_code ec;
    sock_.set_option(tcp::no_delay(true), ec);  // token chunks are tiny: Nagle would hold them back
    read_request();
  }

 private:
  // One read is always pending on the connection: for the next request when idle, and while an
  // answer goes out, as the watch for the client going away (an HTTP/1.1 client sends nothing
  // more before the answer ends, so its completion then means a close or reset).
  void read_request() {
    parser_.emplace();
    parser_->body_limit(1 << 20);
    parser_->header_limit(64 << 10);
    http::async_read(sock_, buf_, *parser_, [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_read(e); });
  }

  void on_read(beast::error_code ec) {
    if (closed_) return;
    const bool gone = ec == http::error::end_of_stream || ec == net::error::connection_reset || ec == net::error::eof;
    if (answering_) {
      if (ec) return client_gone();
      pipelined_ = true;  // served when the current answer is done
      return;
    }
    if (gone) return close();  // an idle keep-alive connection closed by the client
    if (ec) {
      keep_alive_ = false;
      answering_ = true;
      return respond(400, "Bad Request", error_json("bad HTTP request: " + ec.message(), "invalid_request_error"));
    }
    take_request();
  }

  void take_request() {
    const auto req = parser_->release();
    keep_alive_ = req.keep_alive();
    answering_ = true;
    read_request();
    on_request(req);
  }

  // The answer's last byte is written: the connection waits for the next request, or closes.
  void answer_done() {
    if (!keep_alive_) return close();
    answering_ = false;
    if (std::exchange(pipelined_, false)) take_request();
  }

  void on_request(const http::request<http::string_body>& req) {
    const std::string target(req.target());
    const std::string path = target.substr(0, target.find('?'));
    if (path == "/v1/models") {
      if (req.method() != http::verb::get) return respond(405, "Method Not Allowed", error_json("use GET", "invalid_request_error"));
      nlohmann::json data = nlohmann::json::array();
      for (const auto& m : srv_.world->models()) data.push_back({{"id", m}, {"object", "model"}, {"created", 0}, {"owned_by", "specsim"}});
      return respond(200, "OK", nlohmann::json{{"object", "list"}, {"data", data}}.dump());
    }
    if (path != "/v1/chat/completions") return respond(404, "Not Found", error_json("no such path: " + path.substr(0, 80), "invalid_request_error"));
    if (req.method() != http::verb::post) return respond(405, "Method Not Allowed", error_json("use POST", "invalid_request_error"));
    ++srv_.counters.requests;
    const std::uint64_t number = srv_.next_request++;
    try {
      request_ = parse_request(req.body());
      std::string user;
      for (const auto& m : request_.messages)
        if (m.role == "user") user = m.content;
      const PromptQuery query = parse_prompt(user);
      task_ = query.task;
      call_ = srv_.world->answer(request_.model, query);
    } catch (const ProtocolError& e) {
      return respond(400, "Bad Request", error_json(e.what(), "invalid_request_error"));
    }
    switch (srv_.options.faults.pick(sim::RandomStream(srv_.options.seed, "faults", number).uniform())) {
      case Fault::too_many_requests: {
        ++srv_.counters.too_many;
        const double wait = srv_.options.retry_after_s * srv_.options.time_scale;
        srv_.log(fmt::format("fault 429 (retry after {:.3f} s): {}", wait, call_.label));
        return respond(429, "Too Many Requests", error_json("rate limit (injected)", "rate_limit_error"),
                       fmt::format("Retry-After: {}\r\nretry-after-ms: {}\r\n", static_cast<long long>(std::ceil(wait)),
                                   static_cast<long long>(std::llround(wait * 1000))));
      }
      case Fault::server_error:
        ++srv_.counters.server_errors;
        srv_.log("fault 500: " + call_.label);
        return respond(500, "Internal Server Error", error_json("internal error (injected)", "server_error"));
      case Fault::stall:
        ++srv_.counters.stalls;
        srv_.log("fault stall: " + call_.label);
        return;  // never answers; ends when the client gives up (the pending read sees it)
      case Fault::drop:
        ++srv_.counters.drops;
        srv_.log("fault drop: " + call_.label);
        return close();
      case Fault::none: break;
    }
    begin_answer();
  }

  void begin_answer() {
    t0_ = steady::now();
    id_ = fmt::format("chatcmpl-specsim-{}", srv_.next_request);
    created_ = static_cast<std::int64_t>(std::time(nullptr));
    pieces_ = pieces_of(call_.content);
    logprob_piece_ = -1;
    if (request_.logprobs) {  // the piece that holds the action's first character carries its log-probability
      std::size_t at = 0;
      for (logprob_piece_ = 0; logprob_piece_ + 1 < static_cast<std::int64_t>(pieces_.size()); ++logprob_piece_) {
        at += pieces_[static_cast<std::size_t>(logprob_piece_)].size();
        if (at > call_.action_at) break;
      }
    }
    sent_ = 0;
    endpoint_ = call_.served_by ? srv_.endpoints[static_cast<std::size_t>(sim::index(*call_.served_by))].get() : nullptr;
    first_ = served_ = false;
    if (endpoint_ && !request_.stream) return start_on_endpoint();  // on_served() answers
    if (!request_.stream) {
      return wait_until(call_.total, [this] {
        ++srv_.counters.answered;
        const auto now = steady::now();
        report_answered(now, now);
        respond(200, "OK", whole_answer());
      });
    }
    write(fmt::format("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                      "Connection: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
                      connection_header()),
          [this] {
            if (!request_.include_usage) return stream_pieces();
            // At once, as OpenAI's first chunk: the role with no content, here with the prompt's
            // usage, so a client that cancels before any token still knows its billed input.
            write(frame_chunk(sse(chunk_json(id_, request_.model, created_, "", nullptr, &call_.usage))), [this] { stream_pieces(); });
          });
  }

  void stream_pieces() {
    if (endpoint_) return start_on_endpoint();
    next_piece();
  }

  // A call on a self-hosted endpoint: its first token and its end come when the endpoint says
  // (first_token(), served()), its pieces in between as its output tokens are written.
  void start_on_endpoint() {
    tag_ = srv_.next_tag++;
    srv_.on_endpoint[tag_] = weak_from_this();
    const auto tokens = [](std::int64_t n) { return static_cast<std::int32_t>(std::clamp<std::int64_t>(n, 0, 1 << 30)); };
    running_on_endpoint_ = true;
    endpoint_request_ = endpoint_->start(srv_, tag_, tokens(call_.usage.prompt_tokens), tokens(call_.usage.completion_tokens));
  }

 public:
  void on_first_token() {
    first_ = true;
    served_pump();
  }

  void on_served() {
    served_ = true;
    served_due_ = srv_.clock->wall(srv_.clock->dispatching());  // the endpoint's end event's time
    running_on_endpoint_ = false;
    if (!request_.stream) {
      ++srv_.counters.answered;
      const auto now = steady::now();
      report_answered(now, now);
      return respond(200, "OK", whole_answer());
    }
    timer_.cancel();
    served_pump();
  }

 private:
  // Piece i of n (0 < i < n - 1) is due once the share i / (n - 1) of the output is written; the
  // first comes with the first token, the last with the end.
  double share(std::int64_t i) const {
    return static_cast<double>(call_.usage.completion_tokens) * static_cast<double>(i) / static_cast<double>(pieces_.size() - 1);
  }
  bool served_piece_due(std::int64_t i) const {
    if (i == 0 || served_) return true;
    if (i + 1 == static_cast<std::int64_t>(pieces_.size())) return false;
    return endpoint_->written(endpoint_request_) >= share(i) - 1e-3;  // a timer's rounding
  }

  // Sends what is due (a write at a time), then waits for the next piece's instant at today's
  // rates: a start or an end elsewhere changes them, and the timer is set again after the next write.
  void served_pump() {
    if (!first_ || writing_ || closed_) return;
    const auto n = static_cast<std::int64_t>(pieces_.size());
    std::string bytes;
    while (sent_ < n && served_piece_due(sent_)) {
      if (sent_ == 0) first_sent_ = steady::now();
      bytes += piece_chunk(sent_++);
    }
    if (served_) {
      report_answered(first_sent_, steady::now());
      return write_paced(bytes + frame_chunk(stream_tail()) + "0\r\n\r\n", [this] {
        ++srv_.counters.answered;
        answer_done();
      });
    }
    if (!bytes.empty()) return write_paced(std::move(bytes), [this] { served_pump(); });
    if (sent_ + 1 >= n) return;  // the last piece comes with the end
    timer_.expires_at(srv_.clock->wall(endpoint_->when_written(endpoint_request_, share(sent_))));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->served_pump();
    });
  }

  template <class F>
  void write_paced(std::string bytes, F then) {
    writing_ = true;
    write(std::move(bytes), [this, then] {
      writing_ = false;
      then();
    });
  }

  // Piece i's chunk, with its log-probability when the request asked for them.
  std::string piece_chunk(std::int64_t i) const {
    const double zero = 0;
    const double* logprob = logprob_piece_ < 0 ? nullptr : i == logprob_piece_ ? &call_.logprob : &zero;
    return frame_chunk(sse(chunk_json(id_, request_.model, created_, pieces_[static_cast<std::size_t>(i)], nullptr, nullptr, logprob)));
  }

  std::string whole_answer() const {
    if (logprob_piece_ < 0) return response_json(id_, request_.model, created_, call_.content, call_.usage);
    std::vector<TokenLogprob> tokens;
    for (std::size_t i = 0; i < pieces_.size(); ++i)
      tokens.push_back({pieces_[i], static_cast<std::int64_t>(i) == logprob_piece_ ? call_.logprob : 0.0});
    return response_json(id_, request_.model, created_, call_.content, call_.usage, &tokens);
  }

  std::string stream_tail() const {
    std::string tail = sse(chunk_json(id_, request_.model, created_, "", "stop"));
    if (request_.include_usage) tail += sse(usage_chunk_json(id_, request_.model, created_, call_.usage));
    return tail + sse("[DONE]");
  }

  // Piece i comes at first_token + (total - first_token) i / (n - 1): the first at the first
  // token, the last at the end. Deadlines are absolute, so a late write does not shift the rest.
  sim::Time piece_at(std::int64_t i) const {
    const auto n = static_cast<std::int64_t>(pieces_.size());
    const sim::Time span = call_.total - call_.first_token;
    return n == 1 ? call_.first_token : call_.first_token + sim::Time::from_ns(span.ns() / (n - 1) * i + span.ns() % (n - 1) * i / (n - 1));
  }

  // The pieces already due go out in one write (a fast world, or a server that fell behind): one
  // send for them all rather than a timer turn and a send each.
  void next_piece() {
    const auto n = static_cast<std::int64_t>(pieces_.size());
    if (sent_ < n) {
      return wait_until(piece_at(sent_), [this, n] {
        std::string bytes;
        if (sent_ == 0) first_sent_ = steady::now();
        do {
          bytes += piece_chunk(sent_++);
        } while (sent_ < n && t0_ + srv_.scaled(piece_at(sent_)) <= steady::now());
        write(std::move(bytes), [this] { next_piece(); });
      });
    }
    wait_until(call_.total, [this] {
      report_answered(first_sent_, steady::now());
      write(frame_chunk(stream_tail()) + "0\r\n\r\n", [this] {
        ++srv_.counters.answered;
        answer_done();
      });
    });
  }

  template <class F>
  void wait_until(sim::Time world_offset, F then) {
    timer_.expires_at(t0_ + srv_.scaled(world_offset));
    timer_.async_wait([self = shared_from_this(), then](beast::error_code ec) {
      if (!ec && !self->closed_) then();
    });
  }

  template <class F>
  void write(std::string bytes, F then) {
    out_ = std::move(bytes);
    net::async_write(sock_, net::buffer(out_), [self = shared_from_this(), then](beast::error_code ec, std::size_t) {
      if (self->closed_) return;
      if (ec) return self->client_gone();
      then();
    });
  }

  const char* connection_header() const { return keep_alive_ ? "keep-alive" : "close"; }

  void respond(int status, const char* reason, const std::string& body, const std::string& extra_headers = {}) {
    write(fmt::format("HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: {}\r\n{}\r\n{}",
                      status, reason, body.size(), connection_header(), extra_headers, body),
          [this] { answer_done(); });
  }

  void report_answered(steady::time_point first, steady::time_point last) const {
    const steady::time_point due = endpoint_ ? served_due_ : t0_ + srv_.scaled(call_.total);
    const auto late = std::max(steady::duration::zero(), last - due);
    srv_.counters.late_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(late).count();
    if (srv_.answered_observer) srv_.answered_observer(Answered{t0_, first, last, task_, call_.label, late});
  }

  void client_gone() {
    const auto seen = steady::now();
    ++srv_.counters.disconnects;
    const Disconnect d{seen, call_.label, sent_, static_cast<std::int64_t>(pieces_.size())};
    srv_.log(fmt::format("client disconnected after {:.6f} s: {} ({} of {} chunks sent)",
                         std::chrono::duration<double>(seen - t0_).count(), d.label, d.chunks_sent, d.chunks_planned));
    if (srv_.observer) srv_.observer(d);
    close();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    if (std::exchange(running_on_endpoint_, false)) {  // frees the endpoint for the others
      srv_.on_endpoint.erase(tag_);
      endpoint_->cancel(endpoint_request_);
    }
    beast::error_code ec;
    sock_.shutdown(tcp::socket::shutdown_both, ec);
    sock_.close(ec);
  }

  tcp::socket sock_;
  Server::Impl& srv_;
  net::steady_timer timer_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string out_;
  bool closed_ = false;
  bool answering_ = false;  // a request is being answered (the pending read watches for a close)
  bool keep_alive_ = true;
  bool pipelined_ = false;  // the next request arrived before this answer ended
  models::ServedEndpoint* endpoint_ = nullptr;  // the call's self-hosted endpoint, if any
  std::uint64_t tag_ = 0, endpoint_request_ = 0;
  bool running_on_endpoint_ = false;
  bool first_ = false, served_ = false;  // the endpoint's first token came; its end came
  steady::time_point served_due_;        // when the endpoint's event that ended it was due
  bool writing_ = false;  // a paced write is under way (served_pump waits for it)
  ChatRequest request_;
  ServedCall call_;
  std::vector<std::string> pieces_;
  std::int64_t logprob_piece_ = -1;  // -1: the request asked for no logprobs
  std::int64_t sent_ = 0, created_ = 0;
  std::string id_, task_;
  steady::time_point t0_, first_sent_;
};

}  // namespace

void Server::Impl::served(std::uint64_t tag, sim::Time) {
  const auto it = on_endpoint.find(tag);
  if (it == on_endpoint.end()) return;
  const std::shared_ptr<Session> s = it->second.lock();
  on_endpoint.erase(it);
  if (s) s->on_served();
}

void Server::Impl::first_token(std::uint64_t tag) {
  const auto it = on_endpoint.find(tag);
  if (it == on_endpoint.end()) return;
  if (const std::shared_ptr<Session> s = it->second.lock()) s->on_first_token();
}

void Server::Impl::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) std::make_shared<Session>(std::move(socket), *this)->start();
    accept();
  });
}

Server::Server(std::unique_ptr<ServedWorld> world, ServeOptions options, std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->world = std::move(world);
  impl_->options = options;
  impl_->clock = std::make_unique<ScaledClock>(impl_->io, options.time_scale);
  for (const sim::Agent a : {sim::Agent::approx, sim::Agent::target})
    if (const ServingProfile* p = impl_->world->serving_profile(a))
      impl_->endpoints[static_cast<std::size_t>(sim::index(a))] = std::make_unique<models::ServedEndpoint>(*p, *impl_->clock);
  const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
  beast::error_code ec;
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot listen on 127.0.0.1:{}: {}", port, ec.message()));
}

Server::~Server() = default;

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::run(bool handle_signals) {
  net::signal_set signals(impl_->io);
  if (handle_signals) {
    signals.add(SIGINT);
    signals.add(SIGTERM);
    signals.async_wait([this](beast::error_code ec, int) {
      if (!ec) stop();
    });
  }
  impl_->accept();
  impl_->io.run();
}

void Server::stop() {
  net::post(impl_->io, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->io.stop();
  });
}

ServeStats Server::stats() const {
  const Counters& c = impl_->counters;
  return {c.requests, c.answered, c.disconnects, c.too_many, c.server_errors, c.stalls, c.drops,
          static_cast<double>(c.late_ns) * 1e-9};
}

void Server::on_disconnect(std::function<void(const Disconnect&)> observer) { impl_->observer = std::move(observer); }
void Server::on_answered(std::function<void(const Answered&)> observer) { impl_->answered_observer = std::move(observer); }

}  // namespace specsim::models::live
