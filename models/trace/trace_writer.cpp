#include "models/trace/trace_writer.hpp"

#include <charconv>
#include <system_error>
#include <vector>

#include "models/trace/trace_reader.hpp"
#include "sim/files.hpp"

namespace specsim::models::trace {
namespace {

using nlohmann::json;

// A tiny emitter instead of nlohmann's dump, to own key order and number formatting.
class LineWriter {
 public:
  std::string& out() { return out_; }

  void key(std::string_view k) {
    comma();
    out_ += '"';
    out_ += k;
    out_ += "\":";
    first_ = true;  // the value follows without a comma
  }
  void open(char c) {
    comma();
    out_ += c;
    first_ = true;
  }
  void close(char c) {
    out_ += c;
    first_ = false;
  }
  void string(const std::string& s, const std::string& field) {
    comma();
    try {
      out_ += json(s).dump(-1, ' ', false, json::error_handler_t::strict);
    } catch (const json::type_error&) {
      throw sim::InputError("", 0, 0, field, "not valid UTF-8");
    }
    first_ = false;
  }
  void integer(std::int64_t v) {
    comma();
    out_ += std::to_string(v);
    first_ = false;
  }
  void real(double v) {
    comma();
    // -0.0 is written as 0: it equals 0.0, equal traces must give identical files, and "-0" would
    // read back as the integer 0 anyway (so a written trace would not be a fixed point).
    if (v == 0) v = 0.0;
    char buf[64];
    // std::to_chars without a format gives the shortest text that reads back to the same double.
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, ec == std::errc() ? end : buf);
    first_ = false;
  }
  void seconds(sim::Time t) {
    comma();
    out_ += format_seconds(t);
    first_ = false;
  }
  void boolean(bool b) {
    comma();
    out_ += b ? "true" : "false";
    first_ = false;
  }
  void raw(const std::string& text) {
    comma();
    out_ += text;
    first_ = false;
  }

 private:
  void comma() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  std::string out_;
  bool first_ = true;
};

void write_agent_step(LineWriter& w, const AgentStep& a, const std::string& path) {
  w.open('{');
  w.key("action");
  w.string(a.action, path + ".action");
  if (!a.alternatives.empty()) {
    w.key("alternatives");
    w.open('[');
    for (std::size_t i = 0; i < a.alternatives.size(); ++i)
      w.string(a.alternatives[i], path + ".alternatives[" + std::to_string(i) + "]");
    w.close(']');
  }
  w.key("calls");
  w.open('[');
  for (const Call& c : a.calls) {
    w.open('{');
    w.key("latency_s");
    w.seconds(c.latency);
    w.key("input_tokens");
    w.integer(c.input_tokens);
    w.key("output_tokens");
    w.integer(c.output_tokens);
    if (c.attempts != 1) {
      w.key("attempts");
      w.integer(c.attempts);
    }
    w.close('}');
  }
  w.close(']');
  w.close('}');
}

}  // namespace

std::string format_seconds(sim::Time t) {
  const std::int64_t ns = t.ns();
  const bool negative = ns < 0;
  // Work on the magnitude as unsigned so INT64_MIN does not overflow.
  const std::uint64_t mag = negative ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  std::string s = (negative ? "-" : "") + std::to_string(mag / 1'000'000'000u);
  std::uint64_t frac = mag % 1'000'000'000u;
  if (frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 9 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    s += "." + digits;
  }
  return s;
}

std::string task_to_json_line(const Task& task) {
  LineWriter w;
  w.open('{');
  w.key("task_id");
  w.string(task.task_id, "task_id");
  w.key("task");
  w.string(task.task, "task");
  if (!task.features.empty()) {
    w.key("features");
    w.open('[');
    for (double f : task.features) w.real(f);
    w.close(']');
  }
  w.key("steps");
  w.open('[');
  for (std::size_t i = 0; i < task.steps.size(); ++i) {
    const Step& s = task.steps[i];
    const std::string path = "steps[" + std::to_string(i) + "]";
    w.open('{');
    w.key("target");
    write_agent_step(w, s.target, path + ".target");
    if (s.approx) {
      w.key("approx");
      write_agent_step(w, *s.approx, path + ".approx");
    }
    if (s.match) {
      w.key("match");
      w.boolean(*s.match);
    }
    if (s.confidence) {
      w.key("confidence");
      w.real(*s.confidence);
    }
    if (s.env) {
      w.key("env");
      w.open('{');
      w.key("tool");
      w.string(s.env->tool, path + ".env.tool");
      w.key("latency_s");
      w.seconds(s.env->latency);
      w.key("price_usd");
      w.real(s.env->price_usd);
      w.key("side_effect_free");
      w.boolean(s.env->side_effect_free);
      w.close('}');
    }
    w.close('}');
  }
  w.close(']');
  if (!task.rounds.empty()) {
    w.key("rounds");
    w.open('[');
    for (const Round& r : task.rounds) {
      w.open('{');
      w.key("start_step");
      w.integer(r.start_step);
      w.key("k");
      w.integer(r.k);
      if (r.predicted_k) {
        w.key("predicted_k");
        w.integer(*r.predicted_k);
      }
      if (r.predictor_latency) {
        w.key("predictor_latency_s");
        w.seconds(*r.predictor_latency);
      }
      w.close('}');
    }
    w.close(']');
  }
  if (task.measured) {
    w.key("measured");
    w.open('{');
    if (task.measured->latency) {
      w.key("latency_s");
      w.seconds(*task.measured->latency);
    }
    if (task.measured->sequential) {
      w.key("sequential_s");
      w.seconds(*task.measured->sequential);
    }
    w.close('}');
  }
  if (!task.training.empty()) {
    w.key("training");
    w.open('[');
    for (const TrainingJob& job : task.training) {
      w.open('{');
      w.key("epochs");
      w.open('[');
      for (const TrainingEpoch& e : job.epochs) {
        w.open('{');
        w.key("at_s");
        w.seconds(e.at);
        w.key("loss");
        w.real(e.loss);
        w.key("accuracy");
        w.real(e.accuracy);
        if (e.trajectories) {
          w.key("trajectories");
          w.integer(*e.trajectories);
        }
        w.close('}');
      }
      w.close(']');
      w.close('}');
    }
    w.close(']');
  }
  if (!task.source.is_null()) {
    w.key("source");
    try {
      // nlohmann's objects are sorted maps, so this is deterministic too.
      w.raw(task.source.dump(-1, ' ', false, json::error_handler_t::strict));
    } catch (const json::type_error&) {
      throw sim::InputError("", 0, 0, "source", "not valid UTF-8");
    }
  }
  w.close('}');
  return std::move(w.out());
}

std::string trace_to_jsonl(const Trace& trace) {
  std::string out;
  for (std::size_t i = 0; i < trace.tasks.size(); ++i) {
    try {
      out += task_to_json_line(trace.tasks[i]);
    } catch (const sim::InputError& e) {
      throw sim::InputError(trace.file, static_cast<int>(i + 1), 0, e.field(), "not valid UTF-8");
    }
    out += '\n';
  }
  return out;
}

TraceFileWriter::TraceFileWriter(const std::string& path) : path_(path), file_(path), check_(path, false) {}

void TraceFileWriter::write(const Task& task) {
  ++line_;
  std::string line;
  try {
    line = task_to_json_line(task);
  } catch (const sim::InputError& e) {
    throw sim::InputError(path_, line_, 0, e.field(), "not valid UTF-8");
  }
  // Whatever is written must read back: each line passes the reader before it reaches the disk.
  check_.next_line(line);
  line += '\n';
  file_.write(line);
}

void TraceFileWriter::commit() {
  check_.finish();
  file_.commit();
}

void write_trace(const Trace& trace, const std::string& path) {
  TraceFileWriter out(path);
  for (const Task& task : trace.tasks) out.write(task);
  out.commit();
}

}  // namespace specsim::models::trace
