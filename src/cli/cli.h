// The `cscx` command line: parses arguments and runs one command.
#pragma once

namespace cscx::cli {

// Returns the process exit code: 0 success, 1 a failed command (one line
// "cscx: <message>" on stderr), 2 a usage error.
int run(int argc, char** argv);

}  // namespace cscx::cli
