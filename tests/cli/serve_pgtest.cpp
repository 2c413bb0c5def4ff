// cscx serve: starts the embedded database with demo data, runs until
// SIGTERM, then stops the cluster it started.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "db/connection.h"
#include "http/test_client.h"
#include "support/run_cscx.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {

extern "C" char** environ;

// Starts `cscx serve --demo --home home` with stdout on a pipe.
struct ServeProcess {
  pid_t pid = -1;
  int out = -1;

  explicit ServeProcess(const std::string& home) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::string bin = CSCX_BINARY;
    std::vector<std::string> args = {bin, "serve",  "--demo", "--port",
                                     "0", "--home", home};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("spawn");
    }
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out = fds[0];
  }

  // Reads stdout until `needle` appears or the pipe closes.
  std::string read_until(const std::string& needle) {
    std::string text;
    char buf[512];
    while (text.find(needle) == std::string::npos) {
      ssize_t n = read(out, buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
    }
    return text;
  }

  int wait_exit() {
    int status = 0;
    waitpid(pid, &status, 0);
    close(out);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  ~ServeProcess() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      wait_exit();
    }
  }
};

TEST(Serve, StartsWithDemoDataAndStopsTheClusterOnSigterm) {
  TempDir dir;
  const std::string home = dir.path() + "/home";
  ServeProcess serve(home);
  const std::string banner = serve.read_until("listening on");
  ASSERT_NE(banner.find("listening on http://127.0.0.1:"), std::string::npos) << banner;
  EXPECT_NE(banner.find("loaded demo data"), std::string::npos) << banner;

  // Sign in as a demo CSM over HTTP and list her customers through RLS.
  const std::string marker = "listening on http://127.0.0.1:";
  const uint16_t port = static_cast<uint16_t>(
      std::stoi(banner.substr(banner.find(marker) + marker.size())));
  const std::string keys = run_cscx({"keys", "--home", home}).out;
  const std::string anon = keys.substr(9, keys.find('\n') - 9);
  {
    http::testing::TestClient client(port);
    auto session = client.request(
        "POST", "/auth/v1/token?grant_type=password",
        {{"apikey", anon}, {"Content-Type", "application/json"}},
        R"({"email":"alice@demo.cscx.ai","password":"demo-password-123"})");
    ASSERT_TRUE(session);
    ASSERT_EQ(session->result_int(), 200) << session->body();
    const std::string body = session->body();
    const std::string key = "\"access_token\":\"";
    const size_t at = body.find(key) + key.size();
    const std::string token = body.substr(at, body.find('"', at) - at);
    auto customers =
        client.request("GET", "/api/customers",
                       {{"apikey", anon}, {"Authorization", "Bearer " + token}});
    ASSERT_TRUE(customers);
    EXPECT_EQ(customers->result_int(), 200);
    for (const char* name : {"Acme Corporation", "Globex", "Initech"}) {
      EXPECT_NE(customers->body().find(name), std::string::npos) << customers->body();
    }
    EXPECT_EQ(customers->body().find("Umbrella"), std::string::npos)
        << "bob's customer leaked";

    // The demo's pending approval holds a payload the approval flow runs.
    const std::string approval = "a9900000-0000-4000-8000-000000000001";
    auto pending = client.request("GET", "/api/agents/pending",
                                  {{"apikey", anon}, {"Authorization", "Bearer " + token}});
    ASSERT_TRUE(pending);
    EXPECT_NE(pending->body().find(approval), std::string::npos) << pending->body();
    auto approved = client.request(
        "POST", "/api/agents/approve/" + approval,
        {{"apikey", anon}, {"Authorization", "Bearer " + token},
         {"Content-Type", "application/json"}},
        R"({"approved":true,"comment":"send it"})");
    ASSERT_TRUE(approved);
    EXPECT_EQ(approved->result_int(), 200) << approved->body();
    EXPECT_NE(approved->body().find("\"approved\""), std::string::npos) << approved->body();
  }

  auto url = run_cscx({"db", "url", "--home", home});
  ASSERT_EQ(url.exit_code, 0) << url.err;
  {
    auto conn = db::Connection::open(url.out.substr(0, url.out.find('\n')));
    ASSERT_TRUE(conn) << conn.error().to_string();
    for (const char* table : {"customers", "stakeholders", "contracts", "meetings",
                              "insights", "training_progress"}) {
      EXPECT_NE(query_value(*conn, std::string("SELECT count(*) FROM ") + table), "0")
          << table;
    }
  }

  kill(serve.pid, SIGTERM);
  EXPECT_EQ(serve.wait_exit(), 0);
  auto status = run_cscx({"db", "status", "--home", home});
  EXPECT_NE(status.out.find("stopped"), std::string::npos) << status.out;
}

TEST(Serve, ATakenPortIsAOneLineErrorAndTheClusterIsStoppedAgain) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string port = std::to_string(ntohs(addr.sin_port));
  TempDir dir;
  const std::string home = dir.path() + "/home";
  auto r = run_cscx({"serve", "--port", port, "--home", home});
  close(fd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot listen on 127.0.0.1:" + port), std::string::npos) << r.err;
  auto status = run_cscx({"db", "status", "--home", home});
  EXPECT_NE(status.out.find("stopped"), std::string::npos) << status.out;
}

TEST(Serve, AnUnusableProviderUrlStopsItBeforeTheDatabaseStarts) {
  TempDir dir;
  const std::string home = dir.path() + "/home";
  for (const std::string prefix : {"CSCX_EMBEDDING", "CSCX_LLM"}) {
    auto r = run_cscx({"serve", "--port", "0", "--home", home},
                      {{prefix + "_URL", "localhost:8080/v1"},
                       {prefix + "_KEY", "k"},
                       {prefix + "_MODEL", "m"}});
    EXPECT_EQ(r.exit_code, 2) << prefix << ": " << r.err;
    EXPECT_NE(r.err.find(prefix + "_URL must be an http:// or https:// URL with a host"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.out.find("database ready"), std::string::npos) << r.out;
  }
}

TEST(Serve, LeavesAClusterItDidNotStartRunning) {
  TempDir dir;
  const std::string home = dir.path() + "/home";
  ASSERT_EQ(run_cscx({"db", "start", "--home", home}).exit_code, 0);
  {
    ServeProcess serve(home);
    ASSERT_NE(serve.read_until("database ready").find("database ready"),
              std::string::npos);
    kill(serve.pid, SIGINT);
    EXPECT_EQ(serve.wait_exit(), 0);
  }
  auto status = run_cscx({"db", "status", "--home", home});
  EXPECT_NE(status.out.find("running"), std::string::npos) << status.out;
  EXPECT_EQ(run_cscx({"db", "stop", "--home", home}).exit_code, 0);
}

}  // namespace
}  // namespace cscx::testing
