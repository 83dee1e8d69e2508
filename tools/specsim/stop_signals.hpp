#pragma once
// SIGINT and SIGTERM set a flag that long commands (run, sweep) check between chunks of work:
// they stop soon, leave no temporary file behind, and exit 130 or 143 (128 + the signal).
#include <atomic>

namespace specsim::cli {

const std::atomic<bool>& install_stop_signals();
int stopped_exit_code();  // after the flag was set

}  // namespace specsim::cli
