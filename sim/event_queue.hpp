#pragma once
// The future event list: a binary heap ordered by (time, insertion sequence), so events at the
// same instant run in the order they were scheduled, whatever the heap layout (ns-3's rule).
// Cancellation removes the event: few events are pending at once (the calls of one round), so a
// linear search beats the bookkeeping of lazy deletion, and cancelling an event that already ran
// or was cancelled is a harmless no-op (the planner and the backends cancel without asking).
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

  // Idempotent: an event that ran or was cancelled is no longer in the heap.
  void cancel(EventId id) {
    if (!id.valid()) return;
    auto it = std::find_if(heap_.begin(), heap_.end(), [&](const Event& e) { return e.seq == id.seq; });
    if (it == heap_.end()) return;
    *it = heap_.back();
    heap_.pop_back();
    std::make_heap(heap_.begin(), heap_.end(), later);
  }

  // Removes the earliest event into `out`; false when none is left.
  bool pop(Event& out) {
    if (heap_.empty()) return false;
    std::pop_heap(heap_.begin(), heap_.end(), later);
    out = heap_.back();
    heap_.pop_back();
    return true;
  }

  // The earliest event's time; Time::max() when none is pending.
  Time next_time() const { return heap_.empty() ? Time::max() : heap_.front().at; }
  bool empty() const { return heap_.empty(); }
  std::size_t pending() const { return heap_.size(); }

 private:
  static bool later(const Event& a, const Event& b) {
    return a.at != b.at ? a.at > b.at : a.seq > b.seq;
  }

  std::vector<Event> heap_;
  std::uint64_t last_seq_ = 0;
};

}  // namespace specsim::sim
