#pragma once
// `specsim serve`'s server: an OpenAI-compatible endpoint on 127.0.0.1 that answers from a
// ServedWorld in (scaled) real time. POST /v1/chat/completions (streamed as SSE or whole, with
// usage), GET /v1/models.
//
// Why Boost.Beast/Asio and not cpp-httplib: httplib serves each connection on a thread of its pool
// and sleeps that thread while a stream waits for its next token, so 256 concurrent streams need
// 256 threads on a 2-core machine; Asio runs every connection and every token timer on one thread
// with async I/O, so the pacing of one stream is never held up by another's sleep, and a client
// disconnect is seen at once by the read kept pending on each connection.
//
// Connections are kept alive (HTTP/1.1) unless the client asks to close: a client that reuses its
// connections pays no connect per call. "The client went away" stays unambiguous: an HTTP/1.1
// client sends nothing on a connection until the answer on it has ended, so the read kept pending
// during an answer completes only when the client closes or resets it (a cancel).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "models/live/faults.hpp"
#include "models/live/served_world.hpp"

namespace specsim::models::live {

struct ServeOptions {
  double time_scale = 1;      // wall seconds per world second
  FaultRates faults;
  std::uint64_t seed = 1;     // fault draws: stream (seed, "faults", request number)
  double retry_after_s = 1;   // world seconds a 429 asks the client to wait (scaled like the rest)
  std::ostream* log = nullptr;  // one line per disconnect and fault; nullptr: silent
};

struct ServeStats {
  std::uint64_t requests = 0, answered = 0, disconnects = 0;
  std::uint64_t too_many_requests = 0, server_errors = 0, stalls = 0, drops = 0;
  double late_s = 0;  // Answered::late, summed over every answer, in wall seconds
};

// What a disconnect observer is told: when the server noticed the client had gone.
struct Disconnect {
  std::chrono::steady_clock::time_point seen;
  std::string label;
  std::int64_t chunks_sent = 0, chunks_planned = 0;
};

// What an answer observer is told: when the request was read and when the answer's first content
// and its end were handed to the socket (the served times a client's measured times are held to).
struct Answered {
  std::chrono::steady_clock::time_point received, first_content_sent, last_sent;
  std::string task, label;
  // How much later than due the end went out: the server's own lateness, a timer that fired late
  // on a loaded machine (a live run's latencies against the server carry it). Due is the call's
  // (scaled) world time, or on a self-hosted endpoint, whose times move with its load, the time of
  // the endpoint's event that ended it (the earliest end it served then: at most the lateness).
  std::chrono::steady_clock::duration late{};
};

class Server {
 public:
  // Binds 127.0.0.1:port (0: a free port). Throws std::runtime_error if it cannot.
  Server(std::unique_ptr<ServedWorld> world, ServeOptions options, std::uint16_t port = 0);
  ~Server();
  std::uint16_t port() const;
  // Serves until stop() (or SIGINT/SIGTERM when `handle_signals`), on the calling thread.
  void run(bool handle_signals = false);
  // Thread-safe; run() returns soon after, closing every connection.
  void stop();
  ServeStats stats() const;  // thread-safe
  // Called on the server's thread; set before run().
  void on_disconnect(std::function<void(const Disconnect&)> observer);
  void on_answered(std::function<void(const Answered&)> observer);

  struct Impl;  // the Asio state, kept out of this header (Beast is slow to compile)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace specsim::models::live
