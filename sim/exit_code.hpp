#pragma once
// The exit codes of every specsim command, in one table (docs/DESIGN.md): scripts and sweeps tell
// a mistake in their input (fix the file, rerun) from a bug (report it) by these alone.
namespace specsim::sim {

enum ExitCode : int {
  ok = 0,
  internal = 1,      // a bug or an environment failure: "specsim: internal error: ..."
  bad_input = 2,     // an InputError: the message names file, line, field
  interrupted = 130, // stopped by SIGINT (128 + SIGINT, as shells report it)
  terminated = 143,  // stopped by SIGTERM (128 + SIGTERM)
};

}  // namespace specsim::sim
