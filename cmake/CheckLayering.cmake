# cmake -DSOURCE_DIR=... -P CheckLayering.cmake: fails if a folder includes a header of a layer
# above it (docs/architecture.md). The engine (sim/) includes nothing of the project above it.
set(rules
  "sim|models/ policies/ analysis/ tools/"
  "models|policies/ analysis/ tools/"
  "policies|models/ analysis/ tools/"
  "analysis|policies/ tools/"
  "tools/runner|tools/specsim/")
set(violations "")
foreach(rule ${rules})
  string(REPLACE "|" ";" parts "${rule}")
  list(GET parts 0 folder)
  list(GET parts 1 forbidden)
  string(REPLACE " " ";" forbidden "${forbidden}")
  file(GLOB_RECURSE files "${SOURCE_DIR}/${folder}/*.hpp" "${SOURCE_DIR}/${folder}/*.cpp")
  foreach(f ${files})
    file(STRINGS "${f}" includes REGEX "^#include \"")
    foreach(line ${includes})
      foreach(prefix ${forbidden})
        if(line MATCHES "^#include \"${prefix}")
          file(RELATIVE_PATH rel "${SOURCE_DIR}" "${f}")
          string(APPEND violations "  ${rel}: ${line}\n")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "layering violated (a folder includes a layer above it):\n${violations}")
endif()
message(STATUS "layering: sim < models, policies < analysis < tools/runner < tools/specsim")
