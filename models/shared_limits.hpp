#pragma once
// The limits a provider or a model puts on everyone who calls it, shared by every session of a
// fleet on one simulated clock: calls in flight, requests per minute and tokens per minute (token
// buckets, models/token_bucket.hpp). A call over a limit either waits in the limit's queue
// (committed-path calls first, with `priority`), or is rejected with a 429 and retried by its
// client after an exponential backoff with seeded jitter, as real clients do.
//
// A provider's buckets (the default) hold one minute's worth and start full; its tokens are
// debited when a call ends (its prompt and what it generated), so a call is admitted while the
// token bucket is not in debt: a limiter cannot know the output of a call in advance, and
// providers that estimate it up front refill the difference afterwards, which comes to the same
// average. A client that paces its own calls (the live client; `specsim live --dry-run` simulates
// it with these limits) holds what its endpoint says (by default a second of requests and ten
// seconds of tokens), and starts a call once the bucket holds the call's estimated tokens, which
// it takes then.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/clock.hpp"
#include "sim/config_node.hpp"
#include "sim/random.hpp"
#include "models/token_bucket.hpp"

namespace specsim::models {

enum class Overload { queue, reject };
enum class Pacing { provider, client };  // whose buckets they are (above)

struct LimitSpec {
  std::string name;                 // how reports name it
  std::vector<std::string> models;  // the models whose calls it limits
  int max_in_flight = 0;            // 0: no limit
  std::int64_t requests_per_min = 0, tokens_per_min = 0;  // 0: no limit
  Overload overload = Overload::queue;
  Pacing pacing = Pacing::provider;
  // What the buckets hold, as the refill of this long (a provider's: a minute).
  sim::Time requests_burst = sim::Time::from_ns(60'000'000'000), tokens_burst = sim::Time::from_ns(60'000'000'000);
  bool priority = false;  // queued calls on the committed path go before speculative ones
  sim::Time backoff_base = sim::Time::from_seconds(1), backoff_cap = sim::Time::from_seconds(60);
};

// `limits: [{name:, models: [...], max_in_flight:, requests_per_min:, tokens_per_min:,
// overload: queue | reject, priority:, backoff_s:, backoff_cap_s:}]`; `known_model` says whether
// a model name exists (in the scenario's catalogue).
std::vector<LimitSpec> decode_limits(const sim::ConfigNode& node, const std::vector<std::string>& known_models);

// What a limit did, summed from the run's start (subtract two snapshots for a window).
struct LimitUsage {
  std::int64_t busy_ns = 0;   // integral of calls in flight over time (call-ns)
  std::int64_t requests = 0;  // calls admitted
  std::int64_t tokens = 0;    // tokens debited
  std::int64_t rejections = 0;
  std::int64_t wait_ns = 0;   // from request to admission, over the admitted calls
  LimitUsage operator+(const LimitUsage& o) const {
    return {busy_ns + o.busy_ns, requests + o.requests, tokens + o.tokens, rejections + o.rejections, wait_ns + o.wait_ns};
  }
  LimitUsage operator-(const LimitUsage& o) const {
    return {busy_ns - o.busy_ns, requests - o.requests, tokens - o.tokens, rejections - o.rejections, wait_ns - o.wait_ns};
  }
};

class SharedLimits final : public sim::EventHandler {
 public:
  class Client {
   public:
    // The call may start now; `waited` is the time since it was requested.
    virtual void admitted(std::uint64_t tag, sim::Time waited) = 0;
    virtual void rejected() = 0;  // a 429: the client retries later

   protected:
    ~Client() = default;
  };

  SharedLimits(std::vector<LimitSpec> specs, sim::Clock& clock);

  const std::vector<LimitSpec>& specs() const { return specs_; }
  // The limit on a model's calls, or -1.
  int limit_of(std::string_view model) const;

  // Asks limit `limit` to admit a call; admission may come at once (inside this call) or later.
  // `jitter` draws the client's backoff after a rejection; `tokens_estimate` is what a client's
  // pacing takes from its token bucket (a provider's ignores it). Returns a ticket for withdraw().
  std::uint64_t request(int limit, Client& client, std::uint64_t tag, bool committed_path, sim::RandomStream& jitter,
                        std::int64_t tokens_estimate = 0);
  // The call was cancelled before it was admitted.
  void withdraw(std::uint64_t ticket);
  // An admitted call ended (finished or cancelled) having consumed `tokens` (a provider's token
  // bucket is debited them).
  void release(int limit, std::int64_t tokens);

  LimitUsage usage(int limit) const;

  void on_event(std::uint64_t arg) override;  // a retry is due, or a bucket has refilled

 private:
  struct State {
    TokenBucket requests, tokens;
    int in_flight = 0;
    sim::Time changed;
    LimitUsage usage;
    std::set<std::pair<int, std::uint64_t>> queue;  // (class, ticket): committed path 0, else 1
    sim::EventId wake;
  };
  struct Ticket {
    Client* client;
    std::uint64_t tag;
    int limit;
    int attempts = 0;
    int klass = 0;
    std::int64_t tokens_estimate = 0;
    sim::Time requested;
    sim::RandomStream* jitter;
    sim::EventId retry;
  };

  // Whether the limit admits the ticket's call now; else when to look again (Time::max(): at a
  // release).
  bool admissible(State& s, const Ticket& t, sim::Time& again);
  void admit(std::uint64_t ticket);
  void pump(int limit);
  void try_unqueued(std::uint64_t ticket);
  void count(State& s, int delta);

  std::vector<LimitSpec> specs_;
  std::vector<State> states_;
  sim::Clock& clock_;
  std::unordered_map<std::uint64_t, Ticket> tickets_;
  std::uint64_t next_ticket_ = 0;
};

}  // namespace specsim::models
