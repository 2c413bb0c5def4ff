#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "db/connection.h"
#include "db/embedded_cluster.h"
#include "support/run_cscx.h"
#include "support/test_database.h"

namespace cscx::db {
namespace {
namespace fs = std::filesystem;
using cscx::testing::TempDir;

// Each test gets its own home (and so its own cluster), stopped at the end.
class EmbeddedClusterTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (auto& c : clusters_) (void)c.stop();
    for (auto& root : relocated_) fs::remove_all(root);
  }

  EmbeddedCluster open(const fs::path& home) {
    auto c = EmbeddedCluster::open(home);
    if (!c) throw std::runtime_error(c.error().to_string());
    clusters_.push_back(*c);
    if (fs::is_symlink(home / "cluster")) relocated_.push_back(c->layout().root);
    return *c;
  }

  static std::string scalar(const EmbeddedCluster& c, const std::string& sql) {
    auto conn = Connection::open(c.url());
    if (!conn) throw std::runtime_error(conn.error().to_string());
    return cscx::testing::query_value(*conn, sql);
  }

  TempDir dir_;
  fs::path home_ = fs::path(dir_.path()) / "home";
  std::vector<EmbeddedCluster> clusters_;
  std::vector<fs::path> relocated_;
};

pid_t postmaster_pid(const EmbeddedCluster& c) {
  std::ifstream in(c.layout().data / "postmaster.pid");
  pid_t pid = 0;
  in >> pid;
  return pid;
}

TEST_F(EmbeddedClusterTest, FirstStartInitializesAndServesDatabaseCscx) {
  EmbeddedCluster c = open(home_);
  ASSERT_EQ(c.state().value(), EmbeddedCluster::State::kNotInitialized);
  auto started = c.start();
  ASSERT_TRUE(started) << started.error().to_string();
  EXPECT_TRUE(*started);
  EXPECT_EQ(c.state().value(), EmbeddedCluster::State::kRunning);
  EXPECT_EQ(scalar(c, "SELECT current_database()"), "cscx");
  EXPECT_EQ(scalar(c, "SHOW listen_addresses"), "");
  EXPECT_EQ(scalar(c, "SHOW jit"), "off");
}

TEST_F(EmbeddedClusterTest, StopThenStartKeepsData) {
  EmbeddedCluster c = open(home_);
  ASSERT_TRUE(c.start());
  scalar(c, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42); SELECT 1");
  ASSERT_TRUE(c.stop());
  EXPECT_EQ(c.state().value(), EmbeddedCluster::State::kStopped);
  ASSERT_TRUE(c.start());
  EXPECT_EQ(scalar(c, "SELECT v FROM kept"), "42");
}

TEST_F(EmbeddedClusterTest, SecondInstanceAttachesToTheRunningCluster) {
  EmbeddedCluster first = open(home_);
  ASSERT_TRUE(first.start().value());
  const pid_t pid = postmaster_pid(first);
  EmbeddedCluster second = open(home_);
  auto started = second.start();
  ASSERT_TRUE(started);
  EXPECT_FALSE(*started) << "a second cluster was started";
  EXPECT_EQ(postmaster_pid(second), pid);
}

TEST_F(EmbeddedClusterTest, StalePidFileOfAnotherLiveProcessDoesNotBlockStart) {
  EmbeddedCluster c = open(home_);
  ASSERT_TRUE(c.start());
  ASSERT_TRUE(c.stop());
  // After a reboot the recorded pid often belongs to an unrelated process:
  // here, this test process.
  {
    std::ofstream pid_file(c.layout().data / "postmaster.pid");
    pid_file << getpid() << "\n" << c.layout().data.string() << "\n";
  }
  EXPECT_EQ(c.state().value(), EmbeddedCluster::State::kStopped);
  auto started = c.start();
  ASSERT_TRUE(started) << started.error().to_string();
  EXPECT_EQ(scalar(c, "SELECT 1"), "1");
}

TEST_F(EmbeddedClusterTest, KilledPostmasterIsRestartedAfterCrash) {
  EmbeddedCluster c = open(home_);
  ASSERT_TRUE(c.start());
  const pid_t pid = postmaster_pid(c);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  // The postmaster's children notice its death and exit on their own.
  for (int i = 0; i < 100 && kill(pid, 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(fs::exists(c.layout().data / "postmaster.pid"));
  Result<bool> started = make_error(Code::kInternal, "not tried");
  // Backends may take a moment to notice; a start must succeed soon.
  for (int i = 0; i < 20; ++i) {
    started = c.start();
    if (started) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_TRUE(started) << started.error().to_string();
  EXPECT_EQ(scalar(c, "SELECT 1"), "1");
}

TEST_F(EmbeddedClusterTest, AsRootRunsAsPostgresEvenWhenHomeIsPrivate) {
  if (geteuid() != 0) GTEST_SKIP() << "only meaningful as root";
  // A private home (mode 0700, like a clone under /root) that the postgres
  // user cannot enter: the cluster moves to /var/lib/cscx and links back.
  fs::path private_home = fs::path(dir_.path()) / "private" / "home";
  fs::create_directories(private_home);
  chmod((fs::path(dir_.path()) / "private").c_str(), 0700);
  EmbeddedCluster c = open(private_home);
  auto started = c.start();
  ASSERT_TRUE(started) << started.error().to_string();
  EXPECT_EQ(scalar(c, "SELECT current_user"), "postgres");
  struct stat st {};
  ASSERT_EQ(stat(c.layout().data.c_str(), &st), 0);
  EXPECT_NE(st.st_uid, 0u);
  EXPECT_TRUE(fs::is_symlink(private_home / "cluster"));
}

TEST(EmbeddedClusterOpen, UnwritableHomeIsAClearError) {
  auto c = EmbeddedCluster::open("/proc/cscx-home");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Code::kFailedPrecondition);
  EXPECT_NE(c.error().message.find("/proc/cscx-home"), std::string::npos);
}

}  // namespace
}  // namespace cscx::db
