#include "sim/files.hpp"
#include "models/trace/dsp_log_text.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>

#include "models/trace/trace_reader.hpp"

namespace specsim::models::trace::dsp {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int digits_value(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// "MM/DD/YYYY, HH:MM:SS: " as written by DSP's Logger.
std::optional<std::int64_t> parse_prefix(std::string_view p) {
  if (p.size() != 22 || p[2] != '/' || p[5] != '/' || p.substr(10, 2) != ", " || p[14] != ':' || p[17] != ':' ||
      p.substr(20, 2) != ": ")
    return std::nullopt;
  const std::string_view mo = p.substr(0, 2), da = p.substr(3, 2), ye = p.substr(6, 4), ho = p.substr(12, 2),
                         mi = p.substr(15, 2), se = p.substr(18, 2);
  for (std::string_view f : {mo, da, ye, ho, mi, se})
    if (!all_digits(f)) return std::nullopt;
  const int month = digits_value(mo), day = digits_value(da), hour = digits_value(ho), minute = digits_value(mi),
            second = digits_value(se);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return days_from_civil(digits_value(ye), static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
         hour * 3600 + minute * 60 + second;
}

}  // namespace

LogFile split_log(std::string_view text, const std::string& path) {
  LogFile f;
  f.path = path;
  f.name = std::filesystem::path(path).filename().string();
  f.ends_with_newline = text.empty() || text.back() == '\n';
  std::size_t pos = 0;
  int number = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    pos = end + 1;
    LogLine line;
    line.number = ++number;
    line.text = std::string(l);
    if (auto clock = l.size() >= 22 ? parse_prefix(l.substr(0, 22)) : std::nullopt) {
      line.has_timestamp = true;
      line.clock_s = *clock;
      line.message = std::string(l.substr(22));
    } else {
      line.message = line.text;
    }
    f.lines.push_back(std::move(line));
  }
  return f;
}

LogFile read_log(const std::string& path) { return split_log(sim::read_text_file(path), path); }

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  if (s.empty() || s.front() == '+') return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_real(std::string_view s) {
  double v = 0;
  if (s.empty() || s.front() == '+') return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<sim::Time> parse_seconds(std::string_view s) {
  auto v = parse_real(s);
  if (!v || *v < 0 || *v > 1e9) return std::nullopt;
  return sim::Time::from_seconds(*v);
}

std::optional<sim::Time> parse_timedelta(std::string_view s) {
  std::int64_t days = 0;
  if (const std::size_t comma = s.find(", "); comma != std::string_view::npos) {
    std::string_view d = s.substr(0, comma);
    s.remove_prefix(comma + 2);
    auto n = consume_int(d);
    if (!n || !(d == " day" || d == " days")) return std::nullopt;
    days = *n;
  }
  const std::size_t c1 = s.find(':');
  const std::size_t c2 = c1 == std::string_view::npos ? c1 : s.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return std::nullopt;
  std::string_view hh = s.substr(0, c1), mm = s.substr(c1 + 1, c2 - c1 - 1), rest = s.substr(c2 + 1);
  std::string_view ss = rest, frac;
  if (const std::size_t dot = rest.find('.'); dot != std::string_view::npos) {
    ss = rest.substr(0, dot);
    frac = rest.substr(dot + 1);
    if (frac.size() != 6 || !all_digits(frac)) return std::nullopt;
  }
  if (!all_digits(hh) || hh.size() > 2 || mm.size() != 2 || ss.size() != 2 || !all_digits(mm) || !all_digits(ss))
    return std::nullopt;
  if (days > 100000) return std::nullopt;
  const std::int64_t secs = days * 86400 + digits_value(hh) * 3600 + digits_value(mm) * 60 + digits_value(ss);
  const std::int64_t micros = frac.empty() ? 0 : digits_value(frac);
  return sim::Time::from_ns(secs * 1'000'000'000 + micros * 1'000);
}

std::optional<std::vector<std::string>> parse_python_str_list(std::string_view s) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return std::nullopt;
  s = s.substr(1, s.size() - 2);
  std::vector<std::string> out;
  while (!s.empty()) {
    const char quote = s.front();
    if (quote != '\'' && quote != '"') return std::nullopt;
    s.remove_prefix(1);
    std::string item;
    bool closed = false;
    while (!s.empty()) {
      const char c = s.front();
      s.remove_prefix(1);
      if (c == '\\') {
        if (s.empty()) return std::nullopt;
        const char e = s.front();
        s.remove_prefix(1);
        item += e == 'n' ? '\n' : e == 't' ? '\t' : e;  // repr escapes tool names never need more
      } else if (c == quote) {
        closed = true;
        break;
      } else {
        item += c;
      }
    }
    if (!closed) return std::nullopt;
    out.push_back(std::move(item));
    if (s.empty()) break;
    if (!consume(s, ", ") || s.empty()) return std::nullopt;
  }
  return out;
}

bool consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

std::optional<std::int64_t> consume_int(std::string_view& s) {
  std::size_t n = 0;
  while (n < s.size() && n < 18 && s[n] >= '0' && s[n] <= '9') ++n;
  if (n == 0) return std::nullopt;
  auto v = parse_int(s.substr(0, n));
  s.remove_prefix(n);
  return v;
}

}  // namespace specsim::models::trace::dsp
