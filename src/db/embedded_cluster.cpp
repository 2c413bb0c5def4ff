#include "db/embedded_cluster.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "core/sha256.h"
#include "db/connection.h"

namespace cscx::db {
namespace fs = std::filesystem;
using internal::ProcessOutput;
using internal::RunAs;

namespace {

// sun_path is 108 bytes; the socket file name adds "/.s.PGSQL.5432".
constexpr size_t kMaxSocketDirLength = 90;

// Holds an exclusive flock on <home>/cscx.lock for its lifetime.
class HomeLock {
 public:
  static Result<HomeLock> acquire(const fs::path& home) {
    const fs::path path = home / "cscx.lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return make_error(Code::kFailedPrecondition,
                        "cannot open " + path.string() + ": " + std::strerror(errno));
    }
    while (flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        ::close(fd);
        return make_error(Code::kInternal, "cannot lock " + path.string(),
                          std::strerror(errno));
      }
    }
    return HomeLock(fd);
  }
  HomeLock(HomeLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ~HomeLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit HomeLock(int fd) : fd_(fd) {}
  int fd_;
};

std::string tail_of_file(const fs::path& path, size_t max_lines) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  size_t from = lines.size() > max_lines ? lines.size() - max_lines : 0;
  for (size_t i = from; i < lines.size(); ++i) out += lines[i] + "\n";
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<void> chown_to(const fs::path& path, const std::optional<RunAs>& user) {
  if (!user) return ok();
  if (::chown(path.c_str(), user->uid, user->gid) != 0) {
    return make_error(Code::kFailedPrecondition, "cannot hand " + path.string() +
                                                     " to user " + user->name + ": " +
                                                     std::strerror(errno));
  }
  return ok();
}

// Whether `user` can write and enter `dir` (checked by running test(1) as
// that user, so every ancestor's permissions count).
bool user_can_use(const fs::path& dir, const RunAs& user) {
  auto r = internal::run_process(
      {"/usr/bin/test", "-w", dir.string(), "-a", "-x", dir.string()}, user);
  return r && r->exit_code == 0;
}

// Creates <home>/cluster owned by the cluster user. As root, when `postgres`
// cannot reach the home directory (a clone under /root, mode 0700), the
// cluster lives in /var/lib/cscx/clusters/<hash> and home/cluster links there.
Result<fs::path> prepare_cluster_root(const fs::path& home,
                                      const std::optional<RunAs>& user) {
  const fs::path link = home / "cluster";
  std::error_code ec;
  if (!fs::exists(link, ec)) {
    fs::create_directory(link, ec);
    if (ec) {
      return make_error(Code::kFailedPrecondition,
                        "cannot create " + link.string() + ": " + ec.message());
    }
    fs::permissions(link, fs::perms::owner_all, ec);
    if (auto r = chown_to(link, user); !r) return r.error();
    if (user && !user_can_use(link, *user)) {
      fs::remove(link, ec);
      const fs::path target = fs::path("/var/lib/cscx/clusters") /
                              core::sha256_hex(home.string()).substr(0, 16);
      fs::create_directories(target, ec);
      if (ec) {
        return make_error(Code::kFailedPrecondition,
                          "cannot create " + target.string() + ": " + ec.message());
      }
      fs::permissions(target, fs::perms::owner_all, ec);
      if (auto r = chown_to(target, user); !r) return r.error();
      fs::create_directory_symlink(target, link, ec);
      if (ec) {
        return make_error(Code::kFailedPrecondition,
                          "cannot link " + link.string() + ": " + ec.message());
      }
    }
  }
  fs::path root = fs::canonical(link, ec);
  if (ec) {
    return make_error(Code::kFailedPrecondition,
                      "cannot resolve " + link.string() + ": " + ec.message());
  }
  return root;
}

std::optional<pid_t> read_postmaster_pid(const fs::path& pid_file) {
  std::ifstream in(pid_file);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

}  // namespace

fs::path resolve_home(const std::optional<std::string>& flag) {
  fs::path home;
  if (flag && !flag->empty()) {
    home = *flag;
  } else if (const char* env = std::getenv("CSCX_HOME"); env && *env) {
    home = env;
  } else {
    home = ".cscx";
  }
  std::error_code ec;
  fs::path abs = fs::absolute(home, ec);
  return ec ? home : abs.lexically_normal();
}

Result<EmbeddedCluster> EmbeddedCluster::open(const fs::path& home) {
  std::error_code ec;
  fs::create_directories(home, ec);
  if (ec || !fs::is_directory(home, ec)) {
    return make_error(Code::kFailedPrecondition,
                      "cannot create home directory " + home.string() + ": " +
                          (ec ? ec.message() : "not a directory"));
  }
  if (::access(home.c_str(), W_OK | X_OK) != 0) {
    return make_error(
        Code::kFailedPrecondition,
        "home directory " + home.string() + " is not writable: " + std::strerror(errno));
  }
  auto bindir = internal::postgres_bindir();
  if (!bindir) return bindir.error();
  auto user = internal::cluster_user();
  if (!user) return user.error();
  auto root = prepare_cluster_root(home, *user);
  if (!root) return root.error();

  ClusterLayout layout;
  layout.home = home;
  layout.root = *root;
  layout.data = *root / "pgdata";
  layout.log = *root / "postgres.log";
  layout.sockets = *root / "run";
  if (layout.sockets.string().size() > kMaxSocketDirLength) {
    layout.sockets =
        fs::path("/tmp") / ("cscx-" + core::sha256_hex(root->string()).substr(0, 16));
  }
  if (!fs::exists(layout.sockets, ec)) {
    fs::create_directory(layout.sockets, ec);
    if (ec) {
      return make_error(Code::kFailedPrecondition, "cannot create socket directory " +
                                                       layout.sockets.string() + ": " +
                                                       ec.message());
    }
    fs::permissions(layout.sockets, fs::perms::owner_all, ec);
    if (auto r = chown_to(layout.sockets, *user); !r) return r.error();
  }
  return EmbeddedCluster(std::move(layout), std::move(*user), std::move(*bindir));
}

std::string EmbeddedCluster::url(std::string_view database, std::string_view user) const {
  return "postgresql:///" + std::string(database) +
         "?host=" + percent_encode(layout_.sockets.string()) +
         "&port=5432&user=" + std::string(user);
}

Result<ProcessOutput> EmbeddedCluster::run(std::vector<std::string> argv) const {
  argv[0] = (bindir_ / argv[0]).string();
  return internal::run_process(argv, user_);
}

bool EmbeddedCluster::postmaster_running() const {
  auto pid = read_postmaster_pid(layout_.data / "postmaster.pid");
  if (!pid) return false;
  if (::kill(*pid, 0) != 0 && errno != EPERM) return false;
  // The pid is alive, but after a crash or reboot it may belong to some
  // other process. A postmaster's working directory is its data directory.
  std::error_code ec;
  fs::path cwd = fs::read_symlink("/proc/" + std::to_string(*pid) + "/cwd", ec);
  if (!ec) return cwd == layout_.data;
  // Not allowed to look: ask the socket instead.
  return PQping(url("postgres").c_str()) != PQPING_NO_RESPONSE;
}

Result<EmbeddedCluster::State> EmbeddedCluster::state() const {
  std::error_code ec;
  if (!fs::exists(layout_.data / "PG_VERSION", ec)) return State::kNotInitialized;
  return postmaster_running() ? State::kRunning : State::kStopped;
}

Result<void> EmbeddedCluster::initdb() {
  auto r = run({"initdb", "-D", layout_.data.string(), "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"});
  if (!r) return r.error();
  if (r->exit_code != 0) {
    return make_error(Code::kFailedPrecondition,
                      "initdb failed for " + layout_.data.string(), trim(r->output));
  }
  return ok();
}

Result<void> EmbeddedCluster::remove_stale_pid_file() {
  const fs::path pid_file = layout_.data / "postmaster.pid";
  std::error_code ec;
  if (!fs::exists(pid_file, ec) || postmaster_running()) return ok();
  fs::remove(pid_file, ec);
  fs::remove(layout_.sockets / ".s.PGSQL.5432.lock", ec);
  fs::remove(layout_.sockets / ".s.PGSQL.5432", ec);
  return ok();
}

Result<void> EmbeddedCluster::ensure_database() {
  auto conn = Connection::open(url("postgres"));
  if (!conn) return conn.error();
  auto found =
      conn->exec_params("find_database", "SELECT 1 FROM pg_database WHERE datname = $1",
                        {std::string(kDatabase)});
  if (!found) return found.error();
  if (found->rows() == 0) {
    // Identifier is a compile-time constant, not input.
    auto made =
        conn->exec("create_database", "CREATE DATABASE " + std::string(kDatabase));
    if (!made && made.error().code != Code::kConflict) return made.error();
  }
  return ok();
}

Result<bool> EmbeddedCluster::start() {
  auto lock = HomeLock::acquire(layout_.home);
  if (!lock) return lock.error();
  auto current = state();
  if (!current) return current.error();
  if (*current == State::kNotInitialized) {
    if (auto r = initdb(); !r) return r.error();
  }
  bool started = false;
  if (*current != State::kRunning) {
    if (auto r = remove_stale_pid_file(); !r) return r.error();
    // jit=off: the API runs short statements, and under RLS the planner's
    // estimates can exceed jit_above_cost by far; compiling such a plan
    // took 2-3 s where running it took 0.1-0.8 s (docs/embedded-database.md,
    // "JIT"). A database or role setting, or SET, still turns it on.
    const std::string options =
        "-c listen_addresses='' -c port=5432 -c unix_socket_permissions=0700 -c jit=off "
        "-c unix_socket_directories='" +
        layout_.sockets.string() + "'";
    auto r = run({"pg_ctl", "start", "-D", layout_.data.string(), "-l",
                  layout_.log.string(), "-w", "-t", "120", "-s", "-o", options});
    if (!r) return r.error();
    if (r->exit_code != 0) {
      return make_error(
          Code::kUnavailable,
          "the embedded PostgreSQL did not start; see " + layout_.log.string(),
          trim(r->output) + "\n" + tail_of_file(layout_.log, 10));
    }
    started = true;
  }
  if (auto r = ensure_database(); !r) return r.error();
  return started;
}

Result<void> EmbeddedCluster::stop() {
  auto lock = HomeLock::acquire(layout_.home);
  if (!lock) return lock.error();
  if (!postmaster_running()) return ok();
  auto r = run({"pg_ctl", "stop", "-D", layout_.data.string(), "-m", "fast", "-w", "-t",
                "120", "-s"});
  if (!r) return r.error();
  if (r->exit_code != 0) {
    return make_error(Code::kUnavailable, "pg_ctl stop failed", trim(r->output));
  }
  return ok();
}

std::optional<std::string> autogroup_advice(const std::filesystem::path& setting) {
  std::ifstream in(setting);
  std::string value;
  if (!(in >> value) || value == "0") return std::nullopt;
  return "kernel.sched_autogroup_enabled is " + value +
         ": each PostgreSQL backend is scheduled as a group of its own, which under "
         "full CPU load can stall single queries for hundreds of milliseconds; "
         "`sysctl -w kernel.sched_autogroup_enabled=0` avoids it for backends started "
         "afterwards, so run it before cscx serve (docs/embedded-database.md)";
}

}  // namespace cscx::db
