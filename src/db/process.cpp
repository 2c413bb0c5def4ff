#include "db/process.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace cscx::db::internal {
namespace fs = std::filesystem;

Result<ProcessOutput> run_process(const std::vector<std::string>& argv,
                                  const std::optional<RunAs>& as) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return make_error(Code::kInternal, "cannot create a pipe", std::strerror(errno));
  }
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return make_error(Code::kInternal, "cannot fork", std::strerror(errno));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    // The postmaster outlives us; it must not hold our lock file or sockets.
    close_range(3, ~0U, 0);
    // `cscx serve` blocks SIGINT/SIGTERM to sigwait() for them; exec keeps
    // the mask, and the tools must get their signals.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (as) {
      if (setgroups(0, nullptr) != 0 || setgid(as->gid) != 0 || setuid(as->uid) != 0) {
        static const char kMsg[] = "cannot switch to the cluster user\n";
        (void)!write(2, kMsg, sizeof kMsg - 1);
        _exit(126);
      }
    }
    if (chdir("/") != 0) _exit(126);
    execv(args[0], args.data());
    static const char kMsg[] = "cannot execute the program\n";
    (void)!write(2, kMsg, sizeof kMsg - 1);
    _exit(127);
  }
  close(fds[1]);
  ProcessOutput out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n > 0) {
      out.output.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return out;
}

Result<std::optional<RunAs>> cluster_user() {
  if (geteuid() != 0) return std::optional<RunAs>{};
  struct passwd* pw = getpwnam("postgres");
  if (pw == nullptr) {
    auto made = run_process(
        {"/usr/sbin/useradd", "--system", "--user-group", "--home-dir",
         "/var/lib/postgresql", "--no-create-home", "--shell", "/bin/bash", "postgres"},
        std::nullopt);
    if (!made || made->exit_code != 0) {
      return make_error(Code::kFailedPrecondition,
                        "running as root needs the 'postgres' system user and "
                        "it could not be created",
                        made ? made->output : made.error().to_string());
    }
    pw = getpwnam("postgres");
    if (pw == nullptr) {
      return make_error(Code::kInternal, "user 'postgres' still missing after useradd");
    }
  }
  return std::optional<RunAs>{RunAs{pw->pw_uid, pw->pw_gid, "postgres"}};
}

Result<fs::path> postgres_bindir() {
  if (const char* env = std::getenv("CSCX_PG_BINDIR"); env && *env) {
    fs::path dir(env);
    if (!fs::exists(dir / "postgres")) {
      return make_error(Code::kFailedPrecondition,
                        "CSCX_PG_BINDIR=" + dir.string() + " has no postgres binary");
    }
    return dir;
  }
  for (int major = 18; major >= 15; --major) {
    fs::path dir = "/usr/lib/postgresql/" + std::to_string(major) + "/bin";
    std::error_code ec;
    if (fs::exists(dir / "postgres", ec)) return dir;
  }
  return make_error(Code::kFailedPrecondition,
                    "PostgreSQL server binaries not found (install postgresql-15 "
                    "with scripts/bootstrap.sh, or set CSCX_PG_BINDIR)");
}

}  // namespace cscx::db::internal
