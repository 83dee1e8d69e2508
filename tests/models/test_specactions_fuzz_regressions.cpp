// Inputs on which the importers of Speculative Actions' logs broke a property checked by
// tools/fuzz/fuzz_specactions_import: an import gives a trace that the writer accepts and that
// reads back equal, or a sim::InputError naming the file and field; nothing else.
#include <catch2/catch.hpp>

#include <string>

#include "models/trace/specactions_importer.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"
#include "sim/input_error.hpp"
#include "support/temp_dir.hpp"
#include "support/write_text.hpp"

using namespace specsim;
using namespace specsim::models::trace;

namespace {

namespace fs = std::filesystem;
using testing::write_text;

const std::string kNormal = R"({"prompt": "Question: Which dog?", "actions": ["Search[x]", "Finish[y]"]})";
const std::string kSim = R"({"actions": [["Search[x]", "Search[z]"], "Finish[y]"]})";

std::string move(const std::string& time_taken = "1.5") {
  return R"({"current_move": "[e2e4]", "time_taken_current_agent": )" + time_taken +
         R"(, "input_tokens_current_agent": 350, "output_tokens_current_agent": 334, "guessed_moves": ["[e2e4]", "[d2d4]"],
            "guess_prediction_time": 4.0, "guess_input_tokens": 482, "guess_output_tokens": 282})";
}

// The import's error message, or "no error" after checking the fuzz target's round trip.
std::string outcome(SpecActionsImport (*import)(const std::string&), const fs::path& root) {
  try {
    const SpecActionsImport out = import(root.string());
    CHECK(parse_trace(trace_to_jsonl(out.trace), "back.jsonl") == out.trace);
    return "no error";
  } catch (const sim::InputError& e) {
    return e.what();
  }
}

}  // namespace

TEST_CASE("a number beyond a double names the file and field", "[fuzz][specactions]") {
  // Was: nlohmann's out_of_range escaped the importer (exit 1, "number overflow parsing '1e400'").
  testing::TempDir tmp;
  const fs::path file = tmp / "g" / "steps_info_m_guess_2.json";
  write_text(file, R"({"0": )" + move("1e400") + "}");
  CHECK(outcome(import_specactions_chess, tmp.path()) ==
        file.string() + ": \"0\".time_taken_current_agent: number out of range (JSON numbers are doubles)");
  write_text(tmp / "r" / "normalobs.json", kNormal);
  write_text(tmp / "r" / "simobs.json", R"({"actions": [["a"], ["b", "c"]], "time_taken": [1, [2, -1e999]]})");
  CHECK(outcome(import_specactions_hotpotqa, tmp.path()) ==
        (tmp / "r" / "simobs.json").string() + ": time_taken[1][1]: number out of range (JSON numbers are doubles)");
}

TEST_CASE("a key given twice is an error naming it", "[fuzz][specactions]") {
  // Was: nlohmann kept the last of the two silently (the trace reader rejects duplicate keys).
  testing::TempDir tmp;
  const fs::path file = tmp / "g" / "steps_info_m_guess_2.json";
  write_text(file, R"({"0": )" + move() + R"(, "1": )" + move() + R"(, "0": )" + move() + "}");
  CHECK(outcome(import_specactions_chess, tmp.path()) == file.string() + ": \"0\": given twice in one object");
  write_text(file, R"({"0": {"current_move": "[e2e4]", "current_move": "[d2d4]"}})");
  CHECK(outcome(import_specactions_chess, tmp.path()) == file.string() + ": \"0\".current_move: given twice in one object");
  write_text(tmp / "r" / "normalobs.json", R"({"actions": ["a"], "prompt": "", "actions": ["b"]})");
  write_text(tmp / "r" / "simobs.json", kSim);
  CHECK(outcome(import_specactions_hotpotqa, tmp.path()) == (tmp / "r" / "normalobs.json").string() + ": actions: given twice in one object");
  // Equal keys in different objects are not duplicates.
  write_text(tmp / "r" / "normalobs.json", R"({"actions": ["Search[x]"], "meta": {"actions": 1}})");
  CHECK(outcome(import_specactions_hotpotqa, tmp.path()) == "no error");
}

TEST_CASE("a NUL byte or a deep nesting is not JSON", "[fuzz][specactions]") {
  // Was: nlohmann's parser stopped at a NUL byte and ignored the rest of the file.
  testing::TempDir tmp;
  write_text(tmp / "r" / "normalobs.json", kNormal);
  write_text(tmp / "r" / "simobs.json", kSim + std::string("\n\0{", 3));
  CHECK(outcome(import_specactions_hotpotqa, tmp.path()) == (tmp / "r" / "simobs.json").string() + ":2: not JSON: a NUL byte");
  write_text(tmp / "r" / "simobs.json", R"({"actions": [], "x": )" + std::string(100000, '[') + std::string(100000, ']') + "}");
  CHECK(outcome(import_specactions_hotpotqa, tmp.path()) ==
        (tmp / "r" / "simobs.json").string() + ": not JSON: nested deeper than 64 levels");
}

TEST_CASE("a chess move keyed by anything but its number says so", "[fuzz][specactions][chess]") {
  // Was: `"0": missing: moves are keyed "0" to "0"` for a file {"a": {...}}.
  testing::TempDir tmp;
  const fs::path file = tmp / "g" / "steps_info_m_guess_2.json";
  for (const std::string key : {"a", "01", "-1", "+1", " 1", ""}) {
    write_text(file, R"({")" + key + R"(": )" + move() + "}");
    CHECK(outcome(import_specactions_chess, tmp.path()) ==
          file.string() + ": \"" + key + "\": not a move number: moves are keyed \"0\" to \"0\"");
  }
  write_text(file, R"({"0": )" + move() + R"(, "1": )" + move() + R"(, "99999999999999999999": )" + move() + "}");
  CHECK(outcome(import_specactions_chess, tmp.path()) == file.string() + ": \"2\": missing: moves are keyed \"0\" to \"2\"");
}

TEST_CASE("a folder or file name that is not UTF-8 is an import error", "[fuzz][specactions]") {
  // Was: imported as the task id; the trace writer then refused the trace, naming the output.
  testing::TempDir tmp;
  const fs::path game = tmp / "games" / "g\xff";
  write_text(game / "steps_info_m_guess_2.json", R"({"0": )" + move() + "}");
  CHECK(outcome(import_specactions_chess, tmp / "games") ==
        game.string() + ": the folder's name is not valid UTF-8 (it is the task id)");
  fs::remove_all(game);
  const fs::path file = tmp / "games" / "g" / "steps_info_m\xc3_guess_2.json";
  write_text(file, R"({"0": )" + move() + "}");
  CHECK(outcome(import_specactions_chess, tmp / "games") == file.string() + ": the file's name is not valid UTF-8");
  write_text(tmp / "runs" / "\xc3(" / "normalobs.json", kNormal);
  write_text(tmp / "runs" / "\xc3(" / "simobs.json", kSim);
  CHECK(outcome(import_specactions_hotpotqa, tmp / "runs") ==
        (tmp / "runs" / "\xc3(").string() + ": the folder's name is not valid UTF-8 (it is the task id)");
}

TEST_CASE("a root that is a run has an id of its own", "[fuzz][specactions]") {
  // Was: the root's id was its name, "" for "g/" (an empty task id) and the same as a run "g"
  // below it (two tasks of one id); the writer refused both traces.
  testing::TempDir tmp;
  for (const char* dir : {"g", "g/g", "g/h"}) {
    write_text(tmp / dir / "normalobs.json", kNormal);
    write_text(tmp / dir / "simobs.json", kSim);
  }
  for (const std::string root : {"g", "g/", "g/."}) {
    const SpecActionsImport out = import_specactions_hotpotqa((tmp / root).string());
    REQUIRE(out.trace.tasks.size() == 3);
    CHECK(out.trace.tasks[0].task_id == "g");
    CHECK(out.trace.tasks[1].task_id == "g/g");
    CHECK(out.trace.tasks[2].task_id == "g/h");
    CHECK(outcome(import_specactions_hotpotqa, tmp / root) == "no error");
  }
  // A root that is not a run: ids relative to it, as before.
  fs::remove(tmp / "g" / "normalobs.json");
  const SpecActionsImport below = import_specactions_hotpotqa((tmp / "g/").string());
  REQUIRE(below.trace.tasks.size() == 2);
  CHECK(below.trace.tasks[0].task_id == "g");
  CHECK(below.trace.tasks[1].task_id == "h");
}
