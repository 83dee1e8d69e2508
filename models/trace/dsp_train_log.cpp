#include "models/trace/dsp_train_log.hpp"

#include <string_view>

#include "models/trace/dsp_line_parser.hpp"

namespace specsim::models::trace::dsp {
namespace {

// "[9, 3, 6]" -> 3; nullopt unless it is a list of non-negative integers.
std::optional<std::int64_t> count_index_list(std::string_view s) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return std::nullopt;
  s = s.substr(1, s.size() - 2);
  std::int64_t n = 0;
  while (!s.empty()) {
    if (n > 0 && !consume(s, ", ")) return std::nullopt;
    if (!consume_int(s)) return std::nullopt;
    ++n;
  }
  return n;
}

class TrainParser final : public LineParser<TrainLog> {
 public:
  explicit TrainParser(const LogFile& f) : LineParser(f) {}

  TrainLog run() {
    parse_lines();
    if (chosen_) log_.diag.warn(f_, chosen_line_, "a \"chosen index\" line without an epoch after it");
    return std::move(log_);
  }

 private:
  void message(const LogLine& l, std::string_view m) override {
    std::string_view rest = m;
    if (consume(rest, "chosen index ")) {
      auto n = count_index_list(rest);
      if (!n) return log_.diag.unreadable_line(f_, l);
      if (chosen_) log_.diag.warn(f_, l.number, "a second \"chosen index\" line before an epoch");
      chosen_ = *n;
      chosen_line_ = l.number;
      return log_.diag.used();
    }
    rest = m;
    if (consume(rest, "Epoch ")) return epoch_line(l, rest);
    log_.diag.unreadable_line(f_, l);
  }

  // "e - Loss: L - Accuracy: A%"
  void epoch_line(const LogLine& l, std::string_view m) {
    auto e = consume_int(m);
    if (!e || *e < 1 || !consume(m, " - Loss: ")) return log_.diag.unreadable_line(f_, l);
    const std::size_t sep = m.find(" - Accuracy: ");
    if (sep == std::string_view::npos || m.empty() || m.back() != '%') return log_.diag.unreadable_line(f_, l);
    auto loss = parse_real(m.substr(0, sep));
    const std::string_view acc_text = m.substr(sep + 13, m.size() - sep - 14);
    auto acc = parse_real(acc_text);
    if (!loss || !acc || *loss < 0 || *acc < 0 || *acc > 100) return log_.diag.unreadable_line(f_, l);
    log_.diag.used();
    TrainEpochLine epoch{static_cast<int>(*e), *loss, *acc / 100.0, chosen_, l.clock_s, l.number};
    chosen_.reset();
    if (epoch.epoch == 1 || log_.jobs.empty()) {
      if (epoch.epoch != 1) log_.diag.warn(f_, l.number, "a job starts at epoch " + std::to_string(epoch.epoch));
      log_.jobs.emplace_back();
    } else if (epoch.epoch != log_.jobs.back().back().epoch + 1) {
      log_.diag.warn(f_, l.number, "epoch " + std::to_string(epoch.epoch) + " follows epoch " +
                                       std::to_string(log_.jobs.back().back().epoch));
    }
    log_.jobs.back().push_back(epoch);
  }

  std::optional<std::int64_t> chosen_;
  int chosen_line_ = 0;
};

}  // namespace

TrainLog parse_train_log(const LogFile& file) { return TrainParser(file).run(); }

}  // namespace specsim::models::trace::dsp
