#include <catch2/catch.hpp>

#include <string>

#include "sim/registry.hpp"
#include "support/input_error.hpp"

using namespace specsim;
using sim::ConfigNode;

namespace {

using R = sim::Registry<int>;

const R& shapes() {
  static const R registry{"shape", {
      {"square", R::constant(4)},
      {"polygon", [](const ConfigNode& node) { return node.get_int("sides", 3, 100); }},
      {"circle", R::constant(0)},
  }};
  return registry;
}

int decode(const std::string& yaml) {
  const ConfigNode root = ConfigNode::load_string(yaml, "s.yaml").at("shape");
  return root.is_map() ? shapes().decode(root.at("kind"), root) : shapes().decode(root);
}

}  // namespace

TEST_CASE("a registry decodes by name and lists its names in alphabetical order", "[registry]") {
  CHECK(decode("shape: square") == 4);
  CHECK(decode("shape: {kind: polygon, sides: 6}") == 6);
  CHECK(shapes().names() == "circle, polygon, square");
  CHECK(shapes().size() == 3);
  CHECK(shapes().contains("circle"));
  CHECK_FALSE(shapes().contains("oval"));
}

TEST_CASE("an unknown name is an error at the name, listing the choices", "[registry]") {
  CHECK(testing::input_error_of([] { decode("shape: oval"); }) ==
        "s.yaml:1:8: shape: unknown shape 'oval' (expected one of: circle, polygon, square)");
  CHECK(testing::input_error_of([] { decode("shape:\n  kind: oval\n"); }) ==
        "s.yaml:2:9: shape.kind: unknown shape 'oval' (expected one of: circle, polygon, square)");
}
