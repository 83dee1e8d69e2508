#pragma once
// Plain rows described by fields, as CSV: a header of field names, then one line per row
// (numbers in their shortest exact form, text quoted only when it must be).
#include <cstddef>
#include <string>
#include <vector>

namespace specsim::analysis {

struct CsvColumn {
  std::string name;
  std::size_t offset;
  enum class Kind { f64, i64, i32, u64, text } kind;
  std::size_t size = 0;  // for text
};
std::string csv_cell(const char* row, const CsvColumn& column);

}  // namespace specsim::analysis
