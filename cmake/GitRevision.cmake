# The git revision is stamped into result files; a tree without git says "unknown".
execute_process(COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} OUTPUT_VARIABLE SPECSIM_GIT_REVISION
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _git_rc)
if(NOT _git_rc EQUAL 0 OR SPECSIM_GIT_REVISION STREQUAL "")
  set(SPECSIM_GIT_REVISION "unknown")
endif()
