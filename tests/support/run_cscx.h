// Runs the built `cscx` binary (tests of the command line).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace cscx::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs CSCX_BINARY with `args`. `env` entries override the environment; an
// empty value unsets the variable (DATABASE_URL and CSCX_HOME are always
// unset unless given).
CommandResult run_cscx(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env = {});

// A temporary directory removed (with its contents) on destruction. As root
// it is made world-traversable so the `postgres` user can use it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace cscx::testing
