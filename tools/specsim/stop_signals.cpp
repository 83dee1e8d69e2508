#include "tools/specsim/stop_signals.hpp"

#include <csignal>

#include "sim/exit_code.hpp"

namespace specsim::cli {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
extern "C" void on_stop_signal(int signal) {
  g_signal = signal;
  g_stop = true;
}

}  // namespace

const std::atomic<bool>& install_stop_signals() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  return g_stop;
}

int stopped_exit_code() {
  return g_signal == SIGTERM ? sim::ExitCode::terminated : sim::ExitCode::interrupted;
}

}  // namespace specsim::cli
