# specsim_warnings: an interface target every project target links, so flags live in one place.
# -Wno-restrict: GCC 12 reports false positives on std::string concatenation (GCC bug 105651).
add_library(specsim_warnings INTERFACE)
target_compile_options(specsim_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wno-sign-conversion $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict> $<$<BOOL:${SPECSIM_WERROR}>:-Werror>)
