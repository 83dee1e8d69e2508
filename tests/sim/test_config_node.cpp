#include <catch2/catch.hpp>

#include <string>

#include "sim/config_node.hpp"
#include "support/input_error.hpp"

using namespace specsim;
using sim::ConfigNode;

namespace {

std::string load_error(const std::string& yaml) {
  return testing::input_error_of([&] { ConfigNode::load_string(yaml, "s.yaml"); });
}

}  // namespace

TEST_CASE("a key given twice is an error at its second place, at any depth", "[config]") {
  CHECK(load_error("name: a\nseed: 1\nname: b\n") == "s.yaml:3:1: invalid YAML: key 'name' is given twice (first on line 1)");
  CHECK(load_error("agents:\n  approx: {model: a, model: b}\n") ==
        "s.yaml:2:22: invalid YAML: key 'model' is given twice (first on line 2)");
  CHECK(load_error("policies:\n  - {kind: fixed_k, k: 1}\n  - kind: dsp\n    tau: 0.5\n    tau: 0.7\n") ==
        "s.yaml:5:5: invalid YAML: key 'tau' is given twice (first on line 4)");
  CHECK_NOTHROW(ConfigNode::load_string("a: {x: 1}\nb: {x: 1}\n", "s.yaml"));  // equal keys of different maps
}

TEST_CASE("a file holds one YAML document", "[config]") {
  CHECK(load_error("name: a\n---\nname: b\n") == "s.yaml:2:1: invalid YAML: a second document (after '---'); a file holds one");
  CHECK(load_error("name: a\n...\nname: b\n") == "s.yaml:3:1: invalid YAML: a second document (after '---'); a file holds one");
  CHECK_NOTHROW(ConfigNode::load_string("---\nname: a\n...\n", "s.yaml"));  // markers around one document
  CHECK_NOTHROW(ConfigNode::load_string("", "s.yaml"));
}

// yaml-cpp 0.7's LoadAll loops for ever (and fills the memory) on these: found by fuzz_scenario.
TEST_CASE("a document that starts with a ',' outside [ ] or { } is an error, not a hang", "[config]") {
  CHECK(load_error(",\n") == "s.yaml:1:1: invalid YAML: a ',' outside [ ] or { }");
  CHECK(load_error("# a comment\n\n  , x (y\n") == "s.yaml:3:3: invalid YAML: a ',' outside [ ] or { }");
  CHECK(load_error("name: a\n---\n!tag &anchor ,\n") == "s.yaml:2:1: invalid YAML: a second document (after '---'); a file holds one");
  CHECK(load_error("--- ,\n") == "s.yaml:1:5: invalid YAML: a ',' outside [ ] or { }");
  CHECK_NOTHROW(ConfigNode::load_string("a: [1,\n  2]\nb: {x: 1,\n  y: 2}\nc: x, y\n", "s.yaml"));
}
