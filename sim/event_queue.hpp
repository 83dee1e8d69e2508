#pragma once
// The future event list, ordered by (time, insertion sequence), so events at the same instant
// run in the order they were scheduled (ns-3's rule). Few events are pending at once (the calls
// of one round, 2 to 8 of them), so the first kSmall live in a small sorted array, earliest
// first: a pop takes its first element, a push moves the few entries later than it, a cancel
// finds its event in a short scan and removes it (no lazily cancelled entries are left to pop). Beyond kSmall
// pending events (a round of k in the hundreds) the rest go to a binary heap, and a pop takes
// the earlier of the two fronts. Cancelling an event that already ran or was cancelled is a
// harmless no-op (the planner and the backends cancel without asking).
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
  static constexpr std::uint32_t kSmall = 16;

  EventId schedule(Time at, EventHandler* handler, std::uint64_t arg) {
    const Event e{at, ++last_seq_, handler, arg};
    if (tail_ - head_ < kSmall) {
      if (tail_ == kRing) compact();
      // Its sequence is the largest: it goes after every pending event at the same time. A
      // call's completion is usually the latest event yet, so this scan mostly stops at once.
      std::uint32_t i = tail_++;
      while (i > head_ && small_[i - 1].at > at) {
        small_[i] = small_[i - 1];
        --i;
      }
      small_[i] = e;
    } else {
      heap_.push_back(e);
      std::push_heap(heap_.begin(), heap_.end(), later);
    }
    return EventId{last_seq_};
  }

  // Idempotent: an event that ran or was cancelled is no longer pending.
  void cancel(EventId id) {
    if (!id.valid()) return;
    for (std::uint32_t i = head_; i < tail_; ++i)
      if (small_[i].seq == id.seq) {
        for (; i + 1 < tail_; ++i) small_[i] = small_[i + 1];
        --tail_;
        if (head_ == tail_) head_ = tail_ = 0;
        return;
      }
    for (std::size_t i = 0; i < heap_.size(); ++i)
      if (heap_[i].seq == id.seq) {
        remove_from_heap(i);
        return;
      }
  }

  // Removes the earliest event into `out`; false when none is left.
  bool pop(Event& out) {
    if (!heap_.empty() && (head_ == tail_ || later(small_[head_], heap_.front()))) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      out = heap_.back();
      heap_.pop_back();
      return true;
    }
    if (head_ == tail_) return false;
    out = small_[head_++];
    if (head_ == tail_) head_ = tail_ = 0;
    return true;
  }

  // The earliest event's time; Time::max() when none is pending.
  Time next_time() const {
    Time t = head_ == tail_ ? Time::max() : small_[head_].at;
    if (!heap_.empty() && heap_.front().at < t) t = heap_.front().at;
    return t;
  }
  bool empty() const { return head_ == tail_ && heap_.empty(); }
  std::size_t pending() const { return (tail_ - head_) + heap_.size(); }

 private:
  static constexpr std::uint32_t kRing = 2 * kSmall;

  static bool later(const Event& a, const Event& b) {
    return a.at != b.at ? a.at > b.at : a.seq > b.seq;
  }

  // Moves the small list back to the start of its array (every kSmall pops or so).
  void compact() {
    std::copy(small_ + head_, small_ + tail_, small_);
    tail_ -= head_;
    head_ = 0;
  }

  // Removes heap_[i] in O(log n): the last entry takes its place and moves up or down.
  void remove_from_heap(std::size_t i) {
    heap_[i] = heap_.back();
    heap_.pop_back();
    if (i >= heap_.size()) return;
    while (i > 0) {  // up, while earlier than its parent
      const std::size_t parent = (i - 1) / 2;
      if (!later(heap_[parent], heap_[i])) break;
      std::swap(heap_[parent], heap_[i]);
      i = parent;
    }
    while (true) {  // down, while later than its earlier child
      const std::size_t l = 2 * i + 1, r = l + 1;
      std::size_t first = i;
      if (l < heap_.size() && later(heap_[first], heap_[l])) first = l;
      if (r < heap_.size() && later(heap_[first], heap_[r])) first = r;
      if (first == i) return;
      std::swap(heap_[first], heap_[i]);
      i = first;
    }
  }

  // The small list: small_[head_ .. tail_), earliest first, in an array that it slides along.
  Event small_[kRing];
  std::uint32_t head_ = 0, tail_ = 0;
  std::vector<Event> heap_;  // the overflow, a binary heap whose front is the earliest
  std::uint64_t last_seq_ = 0;
};

}  // namespace specsim::sim
