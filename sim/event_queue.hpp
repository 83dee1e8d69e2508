#pragma once
// The future event list: a binary heap ordered by (time, insertion sequence), so events at the
// same instant run in the order they were scheduled, whatever the heap layout (ns-3's rule).
// Cancellation is lazy: a cancelled id is remembered and its event skipped when popped. Few
// events are pending-cancelled at once (the calls of one round), so a flat list beats a hash set.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/time.hpp"

namespace specsim::sim {

class EventHandler {
 public:
  virtual void on_event(std::uint64_t arg) = 0;

 protected:
  ~EventHandler() = default;
};

struct EventId {
  std::uint64_t seq = 0;  // 0 is never issued: a default EventId refers to no event
  bool valid() const { return seq != 0; }
};

struct Event {
  Time at;
  std::uint64_t seq = 0;
  EventHandler* handler = nullptr;
  std::uint64_t arg = 0;
};

class EventQueue {
 public:
  EventId schedule(Time at, EventHandler* handler, std::uint64_t arg) {
    heap_.push_back(Event{at, ++last_seq_, handler, arg});
    std::push_heap(heap_.begin(), heap_.end(), later);
    return EventId{last_seq_};
  }

  void cancel(EventId id) {
    if (id.valid()) cancelled_.push_back(id.seq);
  }

  // Removes the earliest live event into `out`; false when none is left.
  bool pop(Event& out) {
    while (!heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      out = heap_.back();
      heap_.pop_back();
      if (!take_cancelled(out.seq)) return true;
    }
    return false;
  }

  bool empty() const { return heap_.size() == cancelled_.size(); }
  std::size_t pending() const { return heap_.size() - cancelled_.size(); }
  std::uint64_t scheduled_count() const { return last_seq_; }

 private:
  static bool later(const Event& a, const Event& b) {
    return a.at != b.at ? a.at > b.at : a.seq > b.seq;
  }
  bool take_cancelled(std::uint64_t seq) {
    auto it = std::find(cancelled_.begin(), cancelled_.end(), seq);
    if (it == cancelled_.end()) return false;
    *it = cancelled_.back();
    cancelled_.pop_back();
    return true;
  }

  std::vector<Event> heap_;
  std::vector<std::uint64_t> cancelled_;
  std::uint64_t last_seq_ = 0;
};

}  // namespace specsim::sim
