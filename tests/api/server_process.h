// A `cscx serve` child process for tests over HTTP.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "support/run_cscx.h"

namespace cscx::testing {

class ServerProcess {
 public:
  // Starts CSCX_BINARY serve --port 0 <args> with `env` added to this
  // process's environment, and waits for "listening on". Its stderr (the
  // access log) goes to `stderr_path` when given, else to this process's.
  // Throws on failure.
  ServerProcess(const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env,
                const std::string& stderr_path = "");
  ~ServerProcess();

  uint16_t port() const { return port_; }
  // Sends `signal` and waits; returns the exit code.
  int stop(int signal);

 private:
  TempDir log_dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace cscx::testing
