#pragma once
// Upper bounds on measured wall times in the live tests. They hold for the normal build on a
// loaded two-core machine; AddressSanitizer (the CI's second pass) runs client and server several
// times slower, so there they are stretched. The targets themselves are the benchmarks' business
// (bench/bench_live_client.cpp); these bounds only catch a call that waits for the wrong thing.
namespace specsim::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr double kWallSlack = 4.0;
#else
inline constexpr double kWallSlack = 1.0;
#endif

}  // namespace specsim::testing
