#include <csignal>

#include "cli/cli.h"

int main(int argc, char** argv) {
  // A write to a closed pipe (stderr piped to a reader that went away, a
  // client gone mid-response) must be an EPIPE error, not the end of the
  // process: sockets and the access log handle the error themselves.
  std::signal(SIGPIPE, SIG_IGN);
  return cscx::cli::run(argc, argv);
}
