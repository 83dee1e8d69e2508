# specsim_library(NAME DEPS ...): the library of one source folder, made of every .cpp below it,
# except in subfolders that have their own CMakeLists.txt (those are libraries of their own, with
# dependencies the parent does not need, such as models/live's libcurl).
function(specsim_library name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  file(GLOB_RECURSE own_lists ${CMAKE_CURRENT_SOURCE_DIR}/*/CMakeLists.txt)
  foreach(list ${own_lists})
    get_filename_component(dir ${list} DIRECTORY)
    list(FILTER sources EXCLUDE REGEX "^${dir}/")
  endforeach()
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE specsim_warnings)
endfunction()
