#pragma once
// What every parser of one DSP log file shares: it visits each line in order, reports a line
// without a timestamp as unreadable, takes the task description from line 1 (a second one is a
// warning), and hands every other message to the parser of that log's own lines.
#include <string>
#include <string_view>

#include "models/trace/dsp_log_text.hpp"

namespace specsim::models::trace::dsp {

template <class Log>  // Log has `std::string task` and `LogDiagnostics diag`
class LineParser {
 public:
  virtual ~LineParser() = default;

 protected:
  explicit LineParser(const LogFile& f) : f_(f) {}

  // A timestamped line other than the task description.
  virtual void message(const LogLine& l, std::string_view m) = 0;

  void parse_lines() {
    for (const LogLine& l : f_.lines) {
      std::string_view m = l.message;
      if (!l.has_timestamp) {
        log_.diag.unreadable_line(f_, l);
      } else if (consume(m, "task description: ")) {
        if (l.number == 1) log_.task = std::string(m);
        else log_.diag.warn(f_, l.number, "a second task description");
        log_.diag.used();
      } else {
        message(l, m);
      }
    }
  }

  const LogFile& f_;
  Log log_;
};

}  // namespace specsim::models::trace::dsp
