#pragma once
// A self-hosted endpoint shared by every call made to it on one simulated clock: each request in
// flight reads its prompt, then writes its answer, at the rates its serving profile gives for the
// number of requests in flight (models/serving_profile.hpp). When a request starts or ends the
// others' rates change, so the endpoint keeps each request's remaining work (tokens of its phase)
// and one event, at the earliest end of a phase, rescheduled whenever the rates change
// (processor sharing). A request's end time is recomputed only when its rate changed, so under a
// flat profile every call takes exactly its isolated time (LatencyModel::timing).
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "models/workload.hpp"
#include "models/serving_profile.hpp"
#include "sim/call.hpp"
#include "sim/clock.hpp"

namespace specsim::models {

class ServedEndpoint final : public sim::EventHandler {
 public:
  class Client {
   public:
    // The request `tag` wrote its last token now; its first came at `first_token`.
    virtual void served(std::uint64_t tag, sim::Time first_token) = 0;
    // The request `tag` finished reading its prompt now: its first token comes. Only a client
    // that streams (`specsim serve`) needs to know before the end.
    virtual void first_token(std::uint64_t /*tag*/) {}

   protected:
    ~Client() = default;
  };

  ServedEndpoint(ServingProfile profile, sim::Clock& clock) : profile_(std::move(profile)), clock_(clock) {}

  // Starts a request now; returns its id for cancel().
  std::uint64_t start(Client& client, std::uint64_t tag, std::int32_t input, std::int32_t output);
  // Stops a request (no served() after it); returns the output tokens it had written.
  std::int32_t cancel(std::uint64_t request);
  int in_flight() const { return active_; }
  // A decoding request's output tokens written by now, and the instant it will have written
  // `tokens` at the rates of now (Time::max() before its first token): what `specsim serve`
  // paces a stream's pieces by; a later start or end changes the rates, and the answer.
  double written(std::uint64_t request) const;
  sim::Time when_written(std::uint64_t request, double tokens) const;

  void on_event(std::uint64_t) override;

 private:
  struct Request {
    Client* client = nullptr;
    std::uint64_t tag = 0;
    bool decoding = false;
    bool done = false;     // ended, its served() not yet delivered
    double remaining = 0;  // tokens left in its phase
    double rate = 0;       // tokens/s its `due` was computed with
    std::int32_t output = 0;
    sim::Time due, first_token;
  };

  void advance();     // brings every request's remaining work up to now
  void reschedule();  // new rates for the requests in flight; the next event

  ServingProfile profile_;
  sim::Clock& clock_;
  std::map<std::uint64_t, Request> requests_;  // by id: a stable order for ties
  std::uint64_t next_id_ = 0;
  int active_ = 0;
  sim::Time updated_;
  sim::EventId next_;
};

// The endpoints of one simulation: one per agent whose latency is `served`, shared by every
// session on the clock.
class ServedEndpoints {
 public:
  ServedEndpoints(const Agents& agents, sim::Clock& clock);
  ServedEndpoint* of(sim::Agent agent) const { return endpoints_[static_cast<std::size_t>(sim::index(agent))].get(); }

 private:
  std::array<std::unique_ptr<ServedEndpoint>, sim::kAgents> endpoints_;
};

}  // namespace specsim::models
