#pragma once
// Low-level reading of DSP's run logs (guanyilin428/Dynamic-Speculative-Planning): lines with
// their "MM/DD/YYYY, HH:MM:SS: " prefix split off, the few value syntaxes the logs use, and the
// bookkeeping every log parser shares (which lines were used, ignored, or not understood).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.hpp"

namespace specsim::models::trace::dsp {

struct LogLine {
  int number = 0;              // 1-based
  bool has_timestamp = false;  // false: the whole line is in `message`
  std::int64_t clock_s = 0;    // the timestamp as seconds since 1970-01-01 (local time, 1 s resolution)
  std::string message;
  std::string text;  // the raw line, for reports
};

struct LogFile {
  std::string path;
  std::string name;  // file name without directories
  std::vector<LogLine> lines;
  bool ends_with_newline = true;
};

// Throws sim::InputError when the file cannot be read. Lines split at '\n' only: the literal
// backslash-n pairs in trajectory dumps are text.
LogFile read_log(const std::string& path);
LogFile split_log(std::string_view text, const std::string& path);

// A line the importer could not interpret.
struct UnreadableLine {
  std::string file;
  int line = 0;
  std::string text;
  bool operator==(const UnreadableLine&) const = default;
};

struct LineCounts {
  std::size_t used = 0;        // gave data to the trace or a cross-check
  std::size_t irrelevant = 0;  // understood, carries nothing the trace needs
  std::size_t unreadable = 0;  // not understood: listed in `unreadable`
  LineCounts& operator+=(const LineCounts& o) {
    used += o.used;
    irrelevant += o.irrelevant;
    unreadable += o.unreadable;
    return *this;
  }
};

struct LogDiagnostics {
  LineCounts counts;
  std::vector<UnreadableLine> unreadable;
  std::vector<std::string> warnings;  // "file:line: what"

  void used() { ++counts.used; }
  void irrelevant() { ++counts.irrelevant; }
  void unreadable_line(const LogFile& f, const LogLine& l) {
    ++counts.unreadable;
    unreadable.push_back({f.path, l.number, l.text});
  }
  void warn(const LogFile& f, int line, const std::string& what) {
    warnings.push_back(f.name + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + what);
  }
};

// Whole-string conversions: nullopt unless all of `s` is the value.
std::optional<std::int64_t> parse_int(std::string_view s);
std::optional<double> parse_real(std::string_view s);  // finite only
// Non-negative seconds such as "8.81" or Python's "107.89000000000001", to the nearest ns.
std::optional<sim::Time> parse_seconds(std::string_view s);
// Python's str(timedelta): "0:02:26.384227", "1 day, 0:00:01", "2 days, 3:04:05.000001".
std::optional<sim::Time> parse_timedelta(std::string_view s);
// Python's repr of a list of strings: ['a', "b's", '']. No nesting.
std::optional<std::vector<std::string>> parse_python_str_list(std::string_view s);

// If `s` starts with `prefix`, removes it and returns true.
bool consume(std::string_view& s, std::string_view prefix);
// Reads a decimal integer from the front of `s` (no sign) and removes it.
std::optional<std::int64_t> consume_int(std::string_view& s);

}  // namespace specsim::models::trace::dsp
