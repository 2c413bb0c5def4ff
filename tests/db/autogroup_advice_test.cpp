// db::autogroup_advice reads the kernel's autogroup setting from a file.
#include <gtest/gtest.h>

#include <fstream>

#include "db/embedded_cluster.h"
#include "support/run_cscx.h"

namespace cscx::db {
namespace {

std::filesystem::path setting_file(const std::filesystem::path& dir, const char* text) {
  const auto path = dir / "sched_autogroup_enabled";
  std::ofstream(path) << text;
  return path;
}

TEST(AutogroupAdvice, AdvisesWhenAutogroupIsOn) {
  cscx::testing::TempDir dir;
  const auto advice = autogroup_advice(setting_file(std::filesystem::path(dir.path()), "1\n"));
  ASSERT_TRUE(advice);
  EXPECT_NE(advice->find("kernel.sched_autogroup_enabled is 1"), std::string::npos) << *advice;
  EXPECT_NE(advice->find("sysctl -w kernel.sched_autogroup_enabled=0"), std::string::npos);
}

TEST(AutogroupAdvice, SaysNothingWhenOffOrUnknown) {
  cscx::testing::TempDir dir;
  EXPECT_FALSE(autogroup_advice(setting_file(std::filesystem::path(dir.path()), "0\n")));
  // A kernel without autogroup has no such file; an empty one says nothing either.
  EXPECT_FALSE(autogroup_advice(std::filesystem::path(dir.path()) / "absent"));
  EXPECT_FALSE(autogroup_advice(setting_file(std::filesystem::path(dir.path()), "")));
}

}  // namespace
}  // namespace cscx::db
