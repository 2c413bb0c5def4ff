#include "db/connection.h"

#include <gtest/gtest.h>

namespace cscx::db {
namespace {

TEST(RedactConninfo, HidesUrlPassword) {
  EXPECT_EQ(redact_conninfo("postgresql://app:s3cret@db.example.com:5432/cscx"),
            "postgresql://app:***@db.example.com:5432/cscx");
}

TEST(RedactConninfo, HidesKeywordAndQueryPasswords) {
  EXPECT_EQ(redact_conninfo("host=db password=s3cret user=app"),
            "host=db password=*** user=app");
  EXPECT_EQ(redact_conninfo("postgresql:///cscx?host=/tmp&password=s3cret&user=x"),
            "postgresql:///cscx?host=/tmp&password=***&user=x");
}

TEST(Connection, UnreachableServerIsUnavailableWithoutPassword) {
  auto conn =
      Connection::open("postgresql://app:s3cret@127.0.0.1:1/cscx?connect_timeout=2");
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().code, Code::kUnavailable);
  EXPECT_NE(conn.error().message.find("cannot connect"), std::string::npos);
  EXPECT_EQ(conn.error().message.find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace cscx::db
