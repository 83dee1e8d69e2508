#include "analysis/csv_table.hpp"

#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace specsim::analysis {

std::string csv_cell(const char* row, const CsvColumn& c) {
  const char* at = row + c.offset;
  switch (c.kind) {
    case CsvColumn::Kind::f64: { double v; std::memcpy(&v, at, sizeof v); return fmt::format("{}", v); }
    case CsvColumn::Kind::i64: { std::int64_t v; std::memcpy(&v, at, sizeof v); return std::to_string(v); }
    case CsvColumn::Kind::i32: { std::int32_t v; std::memcpy(&v, at, sizeof v); return std::to_string(v); }
    case CsvColumn::Kind::u64: { std::uint64_t v; std::memcpy(&v, at, sizeof v); return std::to_string(v); }
    case CsvColumn::Kind::text: {
      std::string text(at, strnlen(at, c.size));
      if (text.find_first_of(",\"\n") == std::string::npos) return text;
      std::string quoted = "\"";
      for (char ch : text) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      return quoted + "\"";
    }
  }
  return "";
}

}  // namespace specsim::analysis
