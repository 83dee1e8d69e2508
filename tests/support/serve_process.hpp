#pragma once
// `specsim serve ARGS` as a user starts it, in a child process: its stdout goes to a file in the
// test's folder, and the constructor waits (at most 10 s) for the `listening on 127.0.0.1:PORT`
// line of a port-0 pick. The destructor stops it with SIGTERM, as a user's Ctrl-C would.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace specsim::testing {

class ServeProcess {
 public:
  ServeProcess(const std::vector<std::string>& args, const std::filesystem::path& stdout_file) {
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      std::vector<std::string> argv{SPECSIM_BINARY, "serve"};
      argv.insert(argv.end(), args.begin(), args.end());
      std::vector<char*> c;
      for (auto& a : argv) c.push_back(a.data());
      c.push_back(nullptr);
      if (!std::freopen(stdout_file.c_str(), "w", stdout)) _exit(127);
      ::execv(c[0], c.data());
      _exit(127);
    }
    const auto t0 = std::chrono::steady_clock::now();
    while (port_ == 0 && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)) {
      std::ifstream in(stdout_file);
      std::string line;
      if (std::getline(in, line) && line.rfind(kPrefix, 0) == 0 && in.good()) port_ = std::stoi(line.substr(kPrefix.size()));
      else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (port_ == 0) {
      stop();
      throw std::runtime_error("specsim serve printed no port within 10 s");
    }
  }
  ~ServeProcess() { stop(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

 private:
  inline static const std::string kPrefix = "listening on 127.0.0.1:";

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace specsim::testing
