#pragma once
// Simulated time: a strong type over int64 nanoseconds. Doubles appear only at the edges
// (configuration in, reports out), so sums of durations never drift.
#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace specsim::sim {

class Time {
 public:
  constexpr Time() = default;
  static constexpr Time from_ns(std::int64_t ns) { return Time(ns); }
  // Rounds to the nearest nanosecond; rejects values that are not finite or do not fit.
  static Time from_seconds(double s) {
    const double ns = std::round(s * 1e9);
    if (!std::isfinite(ns) || std::fabs(ns) > 9.2e18) throw std::out_of_range("time out of range");
    return Time(static_cast<std::int64_t>(ns));
  }
  static constexpr Time zero() { return Time(0); }
  static constexpr Time max() { return Time(std::numeric_limits<std::int64_t>::max()); }
  static constexpr Time lowest() { return Time(std::numeric_limits<std::int64_t>::min()); }

  constexpr std::int64_t ns() const { return ns_; }
  // Division, not multiplication by 1e-9: correctly rounded, so 7.5 s reads back as 7.5.
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }

  // Saturating, never wrapping (signed overflow is undefined behaviour): a run whose clock
  // reaches the end of int64 nanoseconds (292 years) says so (saturated()), it is not silently wrong.
  constexpr Time operator+(Time o) const {
    std::int64_t r = 0;
    if (__builtin_add_overflow(ns_, o.ns_, &r)) return o.ns_ > 0 ? max() : lowest();
    return Time(r);
  }
  constexpr Time operator-(Time o) const {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(ns_, o.ns_, &r)) return o.ns_ < 0 ? max() : lowest();
    return Time(r);
  }
  constexpr Time& operator+=(Time o) { return *this = *this + o; }
  constexpr Time& operator-=(Time o) { return *this = *this - o; }
  constexpr Time operator*(std::int64_t n) const {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(ns_, n, &r)) return (ns_ < 0) == (n < 0) ? max() : lowest();
    return Time(r);
  }
  constexpr bool saturated() const { return *this == max() || *this == lowest(); }
  constexpr auto operator<=>(const Time&) const = default;

 private:
  constexpr explicit Time(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

constexpr Time max(Time a, Time b) { return a < b ? b : a; }
constexpr Time min(Time a, Time b) { return a < b ? a : b; }

}  // namespace specsim::sim
