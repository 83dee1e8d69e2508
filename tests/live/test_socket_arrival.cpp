#include "models/live/socket_arrival.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "sim/wall_clock.hpp"

namespace {

namespace live = specsim::models::live;
using specsim::sim::Time;

// A connected loopback TCP pair: `reader` receives what `writer` sends.
struct TcpPair {
  int reader = -1, writer = -1;
  explicit TcpPair(bool stamped) {
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(listener, 1) == 0);
    REQUIRE(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    reader = socket(AF_INET, SOCK_STREAM, 0);
    if (stamped) REQUIRE(live::enable_arrival_stamps(reader));
    REQUIRE(connect(reader, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    writer = accept(listener, nullptr, nullptr);
    ::close(listener);
    REQUIRE(writer >= 0);
  }
  ~TcpPair() {
    ::close(reader);
    ::close(writer);
  }
  // Sends `bytes`; returns the clock's times just before and after (on loopback the bytes are in
  // the reader's queue when send returns).
  std::pair<Time, Time> send(const specsim::sim::WallClock& clock, const std::string& bytes) const {
    const Time before = clock.now();
    REQUIRE(::send(writer, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
    return {before, clock.now()};
  }
};

// Lets the clock move on, so a stamp taken at the mark rather than at the arrival shows.
void let_time_pass() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

// The mark pairs two clocks read back to back: allow it that much error beyond the send's bracket.
const Time kSlack = Time::from_ns(1'000'000);

}  // namespace

TEST_CASE("arrival stamps: the newest waiting bytes' arrival, on the client's clock, left unread") {
  specsim::sim::WallClock clock;
  const TcpPair pair(true);
  live::ArrivalStamps stamps;
  const auto first = pair.send(clock, "first");
  let_time_pass();
  const auto second = pair.send(clock, "second");
  let_time_pass();
  stamps.mark(clock);
  const auto at = stamps.newest(pair.reader);
  REQUIRE(at.has_value());
  CHECK(*at >= second.first - kSlack);
  CHECK(*at <= second.second + kSlack);
  CHECK(*at > first.second + kSlack);  // the newer of the two writes waiting
  char buf[32] = {};
  REQUIRE(::recv(pair.reader, buf, sizeof buf, 0) == 11);  // peeked, not read
  CHECK(std::string(buf, 11) == "firstsecond");
}

TEST_CASE("arrival stamps: nothing waiting, or a socket that stamps nothing, gives none") {
  specsim::sim::WallClock clock;
  live::ArrivalStamps stamps;
  stamps.mark(clock);
  const TcpPair stamped(true);
  CHECK_FALSE(stamps.newest(stamped.reader).has_value());
  const TcpPair plain(false);
  plain.send(clock, "bytes");
  let_time_pass();
  CHECK_FALSE(stamps.newest(plain.reader).has_value());
  CHECK_FALSE(stamps.newest(-1).has_value());
}
