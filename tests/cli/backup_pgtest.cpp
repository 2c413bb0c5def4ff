// cscx backup / cscx restore: a round trip keeps every row, a non-empty
// target is refused unless --force.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "db/connection.h"
#include "support/run_cscx.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {
namespace fs = std::filesystem;

// Every table of the schema, whose content must survive a round trip.
const char* kTables[] = {"auth.users",
                         "public.customers",
                         "public.stakeholders",
                         "public.contracts",
                         "public.entitlements",
                         "public.agent_sessions",
                         "public.agent_messages",
                         "public.approvals",
                         "public.meetings",
                         "public.transcripts",
                         "public.insights",
                         "public.training_modules",
                         "public.training_progress",
                         "public.knowledge_base",
                         "public.activity_log",
                         "cscx_knowledge.embedding_source",
                         "cscx.schema_migrations"};

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "table count md5" lines: row counts and a digest of the full content.
std::string fingerprint(const std::string& url) {
  auto conn = db::Connection::open(url);
  if (!conn) throw std::runtime_error(conn.error().to_string());
  std::string out;
  for (const char* table : kTables) {
    out +=
        std::string(table) + " " +
        query_value(
            *conn,
            std::string("SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, '|' "
                        "ORDER BY t::text)), '-') FROM ") +
                table + " t") +
        "\n";
  }
  return out;
}

void load_demo(const std::string& url) {
  auto conn = db::Connection::open(url);
  if (!conn) throw std::runtime_error(conn.error().to_string());
  query_value(*conn,
              read_file(fs::path(CSCX_SOURCE_DIR) / "sql/demo_data.sql") + ";SELECT 1");
  // Stored vectors with their labels (migrations/012), as a server stores
  // them: a restore must keep both (its COPY declares no embedder).
  query_value(*conn,
              "SELECT set_config('cscx.embedder', 'cscx-hash-v1', true);"
              "UPDATE knowledge_base SET embedding = array_fill(0.1::real, ARRAY[1536]);"
              "SELECT count(*) FROM cscx_knowledge.embedding_source");
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(Backup, RoundTripIntoAnEmptyDatabaseKeepsEveryRow) {
  TempDir dir;
  const std::string file = dir.path() + "/cscx.dump";
  TestDatabase source;
  load_demo(source.url());
  const std::string before = fingerprint(source.url());
  ASSERT_FALSE(contains(before, "public.customers 0 "))
      << "demo data missing: " << before;

  auto b = run_cscx({"backup", file}, {{"DATABASE_URL", source.url()}});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  ASSERT_TRUE(fs::exists(file));

  TestDatabase target(TestDatabase::Kind::kEmpty);
  auto r = run_cscx({"restore", file}, {{"DATABASE_URL", target.url()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fingerprint(target.url()), before);
}

TEST(Backup, RestoreRefusesANonEmptyDatabaseUnlessForced) {
  TempDir dir;
  const std::string file = dir.path() + "/cscx.dump";
  TestDatabase source;
  load_demo(source.url());
  ASSERT_EQ(run_cscx({"backup", file}, {{"DATABASE_URL", source.url()}}).exit_code, 0);

  TestDatabase target;  // migrated: not empty
  auto refused = run_cscx({"restore", file}, {{"DATABASE_URL", target.url()}});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(contains(refused.err, "not empty")) << refused.err;

  auto forced = run_cscx({"restore", "--force", file}, {{"DATABASE_URL", target.url()}});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(fingerprint(target.url()), fingerprint(source.url()));
}

TEST(Backup, RestoreOfAFileThatIsNotAnArchiveChangesNothing) {
  TempDir dir;
  const std::string file = dir.path() + "/not-a-dump";
  std::ofstream(file) << "hello";
  TestDatabase target(TestDatabase::Kind::kEmpty);
  auto r = run_cscx({"restore", file}, {{"DATABASE_URL", target.url()}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "not a pg_dump custom-format archive")) << r.err;
}

TEST(Backup, FailedBackupLeavesNoFile) {
  TempDir dir;
  const std::string file = dir.path() + "/cscx.dump";
  auto r = run_cscx({"backup", file},
                    {{"DATABASE_URL", "postgresql://127.0.0.1:1/x?connect_timeout=2"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(fs::exists(file));
  EXPECT_FALSE(fs::exists(file + ".partial"));
}

// The embedded path end to end: serve --demo on one home, backup, restore
// into a brand-new home (a fresh cluster without the API roles).
TEST(Backup, EmbeddedRoundTripIntoAFreshHome) {
  TempDir dir;
  const std::string home_a = dir.path() + "/a", home_b = dir.path() + "/b";
  const std::string file = dir.path() + "/cscx.dump";
  auto start = run_cscx({"db", "start", "--home", home_a});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  const std::string url_a = start.out.substr(0, start.out.find('\n'));
  load_demo(url_a);
  ASSERT_EQ(run_cscx({"backup", "--home", home_a, file}).exit_code, 0);
  const std::string before = fingerprint(url_a);
  ASSERT_EQ(run_cscx({"db", "stop", "--home", home_a}).exit_code, 0);

  auto restored = run_cscx({"restore", "--home", home_b, file});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  auto start_b = run_cscx({"db", "start", "--home", home_b});
  ASSERT_EQ(start_b.exit_code, 0) << start_b.err;
  const std::string url_b = start_b.out.substr(0, start_b.out.find('\n'));
  EXPECT_EQ(fingerprint(url_b), before);
  EXPECT_EQ(run_cscx({"db", "stop", "--home", home_b}).exit_code, 0);
  auto status = run_cscx({"db", "status", "--home", home_b});
  EXPECT_TRUE(contains(status.out, "stopped")) << status.out;
}

}  // namespace
}  // namespace cscx::testing
