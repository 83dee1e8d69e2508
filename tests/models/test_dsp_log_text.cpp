// The low-level pieces of the DSP log importer: line prefixes, value syntaxes, and parsers that
// survive any text.
#include <catch2/catch.hpp>

#include <filesystem>

#include "sim/files.hpp"
#include "models/trace/dsp_approx_log.hpp"
#include "models/trace/dsp_log_text.hpp"
#include "models/trace/dsp_simulation_log.hpp"
#include "models/trace/dsp_target_log.hpp"
#include "models/trace/trace_reader.hpp"

using namespace specsim::models::trace::dsp;
using specsim::sim::Time;
namespace fs = std::filesystem;

TEST_CASE("log lines split off their timestamp, backslash-n is text", "[dsp]") {
  const LogFile f = split_log(
      "04/08/2025, 18:09:33: trajectory: [{'state': 'a\\nb'}]\n"
      "04/08/2025, 18:09:34: x\n"
      "12/31/1999, 23:59:59: \n"
      "5638 prompt",
      "/d/approximation_datapoint11.log");
  CHECK(f.name == "approximation_datapoint11.log");
  CHECK_FALSE(f.ends_with_newline);
  REQUIRE(f.lines.size() == 4);
  CHECK(f.lines[0].message == "trajectory: [{'state': 'a\\nb'}]");
  CHECK(f.lines[0].has_timestamp);
  CHECK(f.lines[1].clock_s - f.lines[0].clock_s == 1);
  CHECK(f.lines[0].clock_s == 1744135773);  // 2025-04-08T18:09:33 read as UTC
  CHECK(f.lines[2].clock_s == 946684799);
  CHECK(f.lines[2].message.empty());
  CHECK_FALSE(f.lines[3].has_timestamp);
  CHECK(f.lines[3].number == 4);
  CHECK(f.lines[3].message == "5638 prompt");
  CHECK_FALSE(split_log("13/08/2025, 18:09:33: x\n", "f").lines[0].has_timestamp);
}

TEST_CASE("value syntaxes of the logs", "[dsp]") {
  CHECK(parse_timedelta("0:02:26.384227") == Time::from_ns(146'384'227'000));
  CHECK(parse_timedelta("0:00:49") == Time::from_ns(49'000'000'000));
  CHECK(parse_timedelta("1 day, 0:00:01.000001") == Time::from_ns(86'401'000'001'000));
  CHECK(parse_timedelta("2 days, 10:00:00") == Time::from_ns(208'800'000'000'000));
  CHECK_FALSE(parse_timedelta("0:2:26").has_value());
  CHECK_FALSE(parse_timedelta("0:02:26.38").has_value());
  CHECK_FALSE(parse_timedelta("x").has_value());

  CHECK(parse_seconds("107.89000000000001") == Time::from_ns(107'890'000'000));
  CHECK(parse_seconds("8.81") == Time::from_ns(8'810'000'000));
  CHECK_FALSE(parse_seconds("-1").has_value());
  CHECK_FALSE(parse_seconds("1.5s").has_value());
  CHECK_FALSE(parse_seconds("nan").has_value());
  CHECK(parse_int("-3") == -3);
  CHECK_FALSE(parse_int("+3").has_value());
  CHECK_FALSE(parse_int("99999999999999999999").has_value());

  using L = std::vector<std::string>;
  CHECK(parse_python_str_list("['Image Deblurring', 'TERMINATE']") == L{"Image Deblurring", "TERMINATE"});
  CHECK(parse_python_str_list("['']") == L{""});
  CHECK(parse_python_str_list("[]") == L{});
  CHECK(parse_python_str_list("[\"it's\", 'a\\'b']") == L{"it's", "a'b"});
  CHECK_FALSE(parse_python_str_list("['a',]").has_value());
  CHECK_FALSE(parse_python_str_list("['a'").has_value());
  CHECK_FALSE(parse_python_str_list("[(0, 'a')]").has_value());
}

TEST_CASE("the log parsers survive any text", "[dsp]") {
  // Every published log, cut at random points and with random bytes changed, goes through the
  // parser of its kind: lines are used, ignored or reported, and every line is counted once.
  const fs::path logs = fs::path(SPECSIM_SOURCE_DIR) / ".." / "shared" / "data" / "dsp-logs" / "4_8/logs/react/dyn_k/bs_16_ep_3";
  if (!fs::is_directory(logs)) {
    WARN("DSP logs not found at " << logs.string() << ": skipping");
    return;
  }
  std::uint64_t state = 12345;
  auto next = [&state]() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
  };
  const std::string noise = "0123456789 -:.'[],\n\\xyzStepNone";
  for (const char* kind : {"approximation", "target", "simulation"}) {
    const std::string original =
        specsim::sim::read_text_file((logs / (std::string(kind) + "_datapoint16.log")).string());
    for (int i = 0; i < 300; ++i) {
      std::string text = original.substr(0, next() % (original.size() + 1));
      for (int e = 0; e < 6 && !text.empty(); ++e) text[next() % text.size()] = noise[next() % noise.size()];
      const LogFile f = split_log(text, kind);
      LogDiagnostics d;
      REQUIRE_NOTHROW(d = kind[0] == 'a' ? parse_approx_log(f).diag
                          : kind[0] == 't' ? parse_target_log(f).diag
                                           : parse_simulation_log(f).diag);
      CHECK(d.counts.used + d.counts.irrelevant + d.counts.unreadable == f.lines.size());
      CHECK(d.unreadable.size() == d.counts.unreadable);
    }
  }
}
