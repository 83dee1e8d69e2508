#include "models/shared_limits.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/registry.hpp"

namespace specsim::models {

namespace {
constexpr std::int64_t kMaxPerMin = TokenBucket::kMaxPerMin;
// Events: a ticket's retry (even args) or a limit's bucket wake-up (odd args).
constexpr std::uint64_t retry_arg(std::uint64_t ticket) { return ticket * 2; }
constexpr std::uint64_t wake_arg(int limit) { return static_cast<std::uint64_t>(limit) * 2 + 1; }
}  // namespace

std::vector<LimitSpec> decode_limits(const sim::ConfigNode& node, const std::vector<std::string>& known_models) {
  if (!node.is_sequence()) node.fail("must be a list of limits ({name, models, max_in_flight, ...})");
  std::vector<LimitSpec> limits;
  for (const sim::ConfigNode& item : node.items()) {
    item.expect_keys({"name", "models", "max_in_flight", "requests_per_min", "tokens_per_min", "overload", "priority",
                      "backoff_s", "backoff_cap_s"});
    LimitSpec l;
    const sim::ConfigNode models = item.at("models");
    if (!models.is_sequence() || models.items().empty()) models.fail("must be a non-empty list of model names");
    for (const sim::ConfigNode& m : models.items()) {
      const auto name = m.as<std::string>();
      if (std::find(known_models.begin(), known_models.end(), name) == known_models.end())
        m.fail("no agent of the scenario uses model '" + name + "'");
      for (const auto& other : limits)
        if (std::find(other.models.begin(), other.models.end(), name) != other.models.end())
          m.fail("model '" + name + "' is already under limit '" + other.name + "'");
      l.models.push_back(name);
    }
    l.name = item.get<std::string>("name", l.models.front());
    l.max_in_flight = item.get_int("max_in_flight", 0, 100'000'000, 0);
    l.requests_per_min = item.get_int_min("requests_per_min", 0, 0);
    l.tokens_per_min = item.get_int_min("tokens_per_min", 0, 0);
    if (l.requests_per_min > kMaxPerMin) item.at("requests_per_min").fail("must be at most 1e8");
    if (l.tokens_per_min > kMaxPerMin) item.at("tokens_per_min").fail("must be at most 1e8");
    if (l.max_in_flight == 0 && l.requests_per_min == 0 && l.tokens_per_min == 0)
      item.fail("a limit needs max_in_flight, requests_per_min or tokens_per_min (> 0)");
    if (auto overload = item.find("overload")) {
      using R = sim::Registry<Overload>;
      static const R kinds{"overload", {{"queue", R::constant(Overload::queue)}, {"reject", R::constant(Overload::reject)}}};
      l.overload = kinds.decode(*overload);
    }
    l.priority = item.get<bool>("priority", false);
    if (l.priority && l.overload == Overload::reject)
      item.at("priority").fail("priority orders a queue: it needs overload: queue");
    l.backoff_base = item.get_seconds("backoff_s", l.backoff_base);
    l.backoff_cap = item.get_seconds("backoff_cap_s", l.backoff_cap);
    if (l.backoff_base <= sim::Time::zero()) item.at("backoff_s").fail("must be > 0");
    if (l.backoff_cap < l.backoff_base) item.fail("backoff_cap_s must be >= backoff_s");
    limits.push_back(std::move(l));
  }
  return limits;
}

SharedLimits::SharedLimits(std::vector<LimitSpec> specs, sim::Clock& clock)
    : specs_(std::move(specs)), states_(specs_.size()), clock_(clock) {
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    State& s = states_[i];
    const LimitSpec& spec = specs_[i];
    s.requests = TokenBucket(spec.requests_per_min, spec.requests_burst, clock_.now());
    s.tokens = TokenBucket(spec.tokens_per_min, spec.tokens_burst, clock_.now());
    s.changed = clock_.now();
  }
}

int SharedLimits::limit_of(std::string_view model) const {
  for (std::size_t i = 0; i < specs_.size(); ++i)
    for (const auto& m : specs_[i].models)
      if (m == model) return static_cast<int>(i);
  return -1;
}

bool SharedLimits::admissible(State& s, const Ticket& t, sim::Time& again) {
  const sim::Time now = clock_.now();
  again = sim::Time::max();
  const auto& spec = specs_[static_cast<std::size_t>(&s - states_.data())];
  if (spec.max_in_flight > 0 && s.in_flight >= spec.max_in_flight) return false;
  // A provider's token bucket admits while it is not in debt; a client's once it holds the estimate.
  const std::int64_t tokens = spec.pacing == Pacing::client ? t.tokens_estimate : 0;
  const sim::Time wait = max(s.requests.wait_for(1, now), s.tokens.wait_for(tokens, now));
  if (wait == sim::Time::zero()) return true;
  again = now + wait;
  return false;
}

void SharedLimits::count(State& s, int delta) {
  const sim::Time now = clock_.now();
  s.usage.busy_ns += static_cast<std::int64_t>(s.in_flight) * (now - s.changed).ns();
  s.changed = now;
  s.in_flight += delta;
}

std::uint64_t SharedLimits::request(int limit, Client& client, std::uint64_t tag, bool committed_path,
                                    sim::RandomStream& jitter, std::int64_t tokens_estimate) {
  const std::uint64_t id = next_ticket_++;
  Ticket& t = tickets_
                  .emplace(id, Ticket{&client, tag, limit, 0, committed_path ? 0 : 1, tokens_estimate, clock_.now(), &jitter, {}})
                  .first->second;
  const LimitSpec& spec = specs_[static_cast<std::size_t>(limit)];
  if (spec.overload == Overload::reject) {
    try_unqueued(id);
    return id;
  }
  // Priority off: every call is of one class, so the queue is first come, first served.
  states_[static_cast<std::size_t>(limit)].queue.emplace(spec.priority ? t.klass : 0, id);
  pump(limit);
  return id;
}

// Rejection mode: admitted now, or a 429 and a retry after min(cap, base 2^attempts) x U(0.5, 1).
void SharedLimits::try_unqueued(std::uint64_t id) {
  Ticket& t = tickets_.at(id);
  State& s = states_[static_cast<std::size_t>(t.limit)];
  sim::Time again;
  if (admissible(s, t, again)) {
    admit(id);
    return;
  }
  const LimitSpec& spec = specs_[static_cast<std::size_t>(t.limit)];
  ++s.usage.rejections;
  const double backoff = std::min(spec.backoff_cap.seconds(), spec.backoff_base.seconds() * std::ldexp(1.0, std::min(t.attempts, 62)));
  ++t.attempts;
  t.retry = clock_.schedule(clock_.now() + sim::Time::from_seconds(backoff * (0.5 + 0.5 * t.jitter->uniform())), this, retry_arg(id));
  t.client->rejected();
}

void SharedLimits::admit(std::uint64_t id) {
  const auto it = tickets_.find(id);
  Ticket t = it->second;
  tickets_.erase(it);
  State& s = states_[static_cast<std::size_t>(t.limit)];
  count(s, +1);
  const sim::Time now = clock_.now();
  s.requests.take(1, now);
  if (specs_[static_cast<std::size_t>(t.limit)].pacing == Pacing::client) {
    s.tokens.take(t.tokens_estimate, now);
    s.usage.tokens += t.tokens_estimate;
  }
  ++s.usage.requests;
  const sim::Time waited = now - t.requested;
  s.usage.wait_ns += waited.ns();
  t.client->admitted(t.tag, waited);
}

// Admits queued calls in order while the limit allows; the head that must wait for a bucket sets
// a wake-up (one at a time per limit), the one that waits for a slot waits for a release.
void SharedLimits::pump(int limit) {
  State& s = states_[static_cast<std::size_t>(limit)];
  while (!s.queue.empty()) {
    sim::Time again;
    if (!admissible(s, tickets_.at(s.queue.begin()->second), again)) {
      if (again != sim::Time::max() && !s.wake.valid()) s.wake = clock_.schedule(again, this, wake_arg(limit));
      return;
    }
    const std::uint64_t id = s.queue.begin()->second;
    s.queue.erase(s.queue.begin());
    admit(id);
  }
}

void SharedLimits::withdraw(std::uint64_t id) {
  const auto it = tickets_.find(id);
  if (it == tickets_.end()) throw std::logic_error("withdraw of an admitted call");
  Ticket& t = it->second;
  State& s = states_[static_cast<std::size_t>(t.limit)];
  s.queue.erase({specs_[static_cast<std::size_t>(t.limit)].priority ? t.klass : 0, id});
  if (t.retry.valid()) clock_.cancel(t.retry);
  const int limit = t.limit;
  tickets_.erase(it);
  pump(limit);  // the head may have changed
}

void SharedLimits::release(int limit, std::int64_t tokens) {
  State& s = states_[static_cast<std::size_t>(limit)];
  count(s, -1);
  if (specs_[static_cast<std::size_t>(limit)].pacing == Pacing::provider) {
    s.tokens.take(tokens, clock_.now());
    s.usage.tokens += tokens;
  }
  pump(limit);
}

LimitUsage SharedLimits::usage(int limit) const {
  const State& s = states_[static_cast<std::size_t>(limit)];
  LimitUsage u = s.usage;
  u.busy_ns += static_cast<std::int64_t>(s.in_flight) * (clock_.now() - s.changed).ns();
  return u;
}

void SharedLimits::on_event(std::uint64_t arg) {
  if (arg % 2 == 1) {
    const int limit = static_cast<int>(arg / 2);
    states_[static_cast<std::size_t>(limit)].wake = {};
    pump(limit);
    return;
  }
  const std::uint64_t id = arg / 2;
  tickets_.at(id).retry = {};
  try_unqueued(id);
}

}  // namespace specsim::models
