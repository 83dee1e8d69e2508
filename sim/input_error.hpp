#pragma once
// Bad input (scenario YAML, traces, CLI flags, HTTP answers) is reported as an InputError that
// names where it is: "FILE:LINE:COLUMN: FIELD: what is wrong". Commands turn it into ExitCode::bad_input (sim/exit_code.hpp).
#include <stdexcept>
#include <string>

namespace specsim::sim {

class InputError : public std::runtime_error {
 public:
  // line and column are 1-based; 0 means unknown and is left out of the message.
  InputError(std::string file, int line, int column, std::string field, const std::string& message)
      : std::runtime_error(format(file, line, column, field, message)),
        file_(std::move(file)), field_(std::move(field)), message_(message), line_(line), column_(column) {}

  const std::string& file() const { return file_; }
  const std::string& field() const { return field_; }
  const std::string& message() const { return message_; }  // what() without the position
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  static std::string format(const std::string& file, int line, int column, const std::string& field,
                            const std::string& message) {
    std::string s = file.empty() ? "<input>" : file;
    if (line > 0) s += ":" + std::to_string(line);
    if (line > 0 && column > 0) s += ":" + std::to_string(column);
    s += ": ";
    if (!field.empty()) s += field + ": ";
    return s + message;
  }

  std::string file_, field_, message_;
  int line_, column_;
};

}  // namespace specsim::sim
