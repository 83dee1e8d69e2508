#include "models/live/socket_arrival.hpp"

#include <sys/socket.h>

#include <cstring>
#include <ctime>
#include <limits>

namespace specsim::models::live {

namespace {

std::int64_t ns_of(const timespec& t) { return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec; }

constexpr std::int64_t kMaxAge = 60'000'000'000;  // older than this: the wall clock was stepped
constexpr std::int64_t kMaxAhead = 1'000'000'000;  // bytes come after the mark, not this long after
constexpr std::int64_t kMarkGap = 20'000;           // two clock reads this close: not preempted
constexpr int kMarkAttempts = 5;

}  // namespace

bool enable_arrival_stamps(int fd) {
  const int on = 1;
  return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
}

void ArrivalStamps::mark(const sim::Clock& clock) {
  std::int64_t best_gap = std::numeric_limits<std::int64_t>::max();
  for (int attempt = 0; attempt < kMarkAttempts && best_gap > kMarkGap; ++attempt) {
    const sim::Time before = clock.now();
    timespec wall{};
    clock_gettime(CLOCK_REALTIME, &wall);  // the clock SO_TIMESTAMPNS stamps with
    const sim::Time after = clock.now();
    if ((after - before).ns() >= best_gap) continue;
    best_gap = (after - before).ns();
    clock_at_mark_ = before + sim::Time::from_ns(best_gap / 2);
    wall_at_mark_ns_ = ns_of(wall);
  }
}

std::optional<sim::Time> ArrivalStamps::newest(int fd) {
  iovec io{scratch_.data(), scratch_.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr m{};
  m.msg_iov = &io;
  m.msg_iovlen = 1;
  m.msg_control = control;
  m.msg_controllen = sizeof control;
  if (recvmsg(fd, &m, MSG_PEEK | MSG_DONTWAIT) <= 0) return std::nullopt;
  for (cmsghdr* h = CMSG_FIRSTHDR(&m); h != nullptr; h = CMSG_NXTHDR(&m, h)) {
    if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_TIMESTAMPNS) continue;
    timespec stamp{};
    std::memcpy(&stamp, CMSG_DATA(h), sizeof stamp);
    const std::int64_t offset = ns_of(stamp) - wall_at_mark_ns_;  // negative: before the mark
    if (offset < -kMaxAge || offset > kMaxAhead) return std::nullopt;
    return clock_at_mark_ + sim::Time::from_ns(offset);
  }
  return std::nullopt;
}

}  // namespace specsim::models::live
