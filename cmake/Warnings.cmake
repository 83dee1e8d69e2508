# specsim_warnings: an interface target every project target links, so flags live in one place.
add_library(specsim_warnings INTERFACE)
target_compile_options(specsim_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wno-sign-conversion $<$<BOOL:${SPECSIM_WERROR}>:-Werror>)
