// IndexSync against a real database: a 'rebuild' notice is only a hint, so
// any role may send it (NOTIFY needs no privilege) and nothing is rebuilt
// unless the owner moved cscx.knowledge_index's generation (migrations/009,
// `cscx kb reindex`); a flood of bogus notices changes nothing in the index;
// the request roles cannot move the generation; the load runs in the
// background, retries until the database is there, and stops promptly.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "db/connection.h"
#include "knowledge/ann_index.h"
#include "knowledge/embedder.h"
#include "knowledge/index_sync.h"
#include "support/run_cscx.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {
using knowledge::AnnIndex;
using knowledge::IndexState;
using knowledge::IndexSync;

// Waits for `done` (checked every 20 ms) for up to a minute: the harness
// machine is shared and an index load is CPU-bound.
bool eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void exec_or_throw(db::Connection& conn, const std::string& sql) {
  if (auto r = conn.exec("test_sql", sql); !r)
    throw std::runtime_error(r.error().to_string());
}

class IndexSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    exec_or_throw(
        admin_,
        "INSERT INTO knowledge_base (title, content)"
        " SELECT 'Article ' || i, 'Body of article ' || i FROM generate_series(1, 20) i");
  }

  std::size_t article_count() {
    return std::stoul(query_value(admin_, "SELECT count(*) FROM knowledge_base"));
  }

  // A committed article: its notice, delivered after every notice committed
  // before it, tells the test the sync has handled those too.
  void sync_point(AnnIndex& index) {
    const std::size_t before = index.size();
    exec_or_throw(admin_,
                  "INSERT INTO knowledge_base (title, content) VALUES ('Sync', 'point')");
    ASSERT_TRUE(eventually([&] { return index.size() == before + 1; }));
  }

  TestDatabase db_;
  db::Connection admin_ = db_.connect();
};

TEST_F(IndexSyncTest, RebuildNoticeFromAnotherRoleRebuildsNothing) {
  AnnIndex index;
  IndexState state;
  auto sync = IndexSync::start(db_.url(), index, state);
  ASSERT_TRUE(eventually([&] { return sync->loads() == 1; }));
  EXPECT_TRUE(state.ready());
  EXPECT_EQ(state.articles(), article_count());
  EXPECT_EQ(index.size(), article_count());
  EXPECT_EQ(std::to_string(state.generation()),
            query_value(admin_, "SELECT generation FROM cscx.knowledge_index"));

  // The server's login role, and a request role, each ask for a rebuild.
  db::Connection other = db::Connection::open(db_.url_as("authenticator")).value();
  exec_or_throw(other, "NOTIFY cscx_knowledge, 'rebuild'");
  exec_or_throw(other, "SET ROLE anon; NOTIFY cscx_knowledge, 'rebuild'");
  sync_point(index);
  EXPECT_EQ(sync->loads(), 1u);
}

TEST_F(IndexSyncTest, AFloodOfBogusNoticesChangesNothing) {
  AnnIndex index;
  IndexState state;
  auto sync = IndexSync::start(db_.url(), index, state);
  ASSERT_TRUE(eventually([&] { return sync->loads() == 1; }));
  const std::size_t size = index.size();
  const uint64_t refreshes = sync->refreshes();

  // Unknown ids, garbage, and the ids of existing, unchanged articles, in
  // separate transactions (PostgreSQL folds equal notices of one).
  db::Connection other = db::Connection::open(db_.url_as("authenticator")).value();
  exec_or_throw(other,
                "SELECT pg_notify('cscx_knowledge', gen_random_uuid()::text)"
                "  FROM generate_series(1, 3000)");
  exec_or_throw(other,
                "SELECT pg_notify('cscx_knowledge', repeat('x', i % 100))"
                "  FROM generate_series(1, 500) i");
  const std::string ids =
      query_value(admin_, "SELECT array_agg(id)::text FROM knowledge_base");
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(other.exec_params("notify_ids",
                                  "SELECT pg_notify('cscx_knowledge', id::text)"
                                  "  FROM unnest($1::uuid[]) id",
                                  {ids}));
  }
  sync_point(index);
  // Only the sync point's article entered the index; no other entry moved.
  EXPECT_EQ(index.size(), size + 1);
  EXPECT_EQ(sync->refreshes(), refreshes + 1);
  EXPECT_EQ(sync->loads(), 1u);
}

// A write route upserts into the index directly (knowledge_routes.cpp);
// when the row then goes back to what the sync last read (another server's
// write, an out-of-band revert), its notice must still put the row's
// vector back: the refresh compares with what the index holds.
TEST_F(IndexSyncTest, ANoticeRestoresTheRowOverADirectWrite) {
  AnnIndex index;
  IndexState state;
  auto sync = IndexSync::start(db_.url(), index, state);
  ASSERT_TRUE(eventually([&] { return sync->loads() == 1; }));
  const std::string id =
      query_value(admin_, "SELECT id FROM knowledge_base WHERE title = 'Article 1'");
  const knowledge::Embedding stored =
      knowledge::embed_article("Article 1", "Body of article 1", {});
  ASSERT_TRUE(index.holds(id, stored));
  const knowledge::Embedding other = knowledge::embed_text("renewal playbook for churn risk");
  ASSERT_TRUE(index.upsert(id, other));  // as a route on this server would
  ASSERT_FALSE(index.holds(id, stored));

  exec_or_throw(admin_, "SELECT pg_notify('cscx_knowledge', '" + id + "')");
  sync_point(index);
  EXPECT_TRUE(index.holds(id, stored));
  EXPECT_FALSE(index.holds(id, other));
}

TEST_F(IndexSyncTest, AMovedGenerationAndKbReindexRebuild) {
  AnnIndex index;
  IndexState state;
  auto sync = IndexSync::start(db_.url(), index, state);
  ASSERT_TRUE(eventually([&] { return sync->loads() == 1; }));
  const std::int64_t first = state.generation();

  // The owner moves the generation; the notice then rebuilds.
  exec_or_throw(admin_,
                "UPDATE cscx.knowledge_index SET generation = generation + 1;"
                "NOTIFY cscx_knowledge, 'rebuild'");
  ASSERT_TRUE(eventually([&] { return sync->loads() == 2; }));
  EXPECT_EQ(state.generation(), first + 1);

  const CommandResult r = run_cscx({"kb", "reindex"}, {{"DATABASE_URL", db_.url()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(eventually([&] { return sync->loads() == 3; }));
  EXPECT_EQ(state.generation(), first + 2);
  EXPECT_EQ(index.size(), article_count());
}

TEST_F(IndexSyncTest, RequestRolesCannotMoveTheGeneration) {
  const std::string before =
      query_value(admin_, "SELECT generation FROM cscx.knowledge_index");
  for (const char* role : {"anon", "authenticated", "service_role"}) {
    for (const char* sql :
         {"UPDATE cscx.knowledge_index SET generation = generation + 1",
          "INSERT INTO cscx.knowledge_index (singleton, generation) VALUES (false, 99)",
          "DELETE FROM cscx.knowledge_index", "TRUNCATE cscx.knowledge_index"}) {
      db::Connection conn = db_.connect();
      begin_as(conn, role);
      auto r = conn.exec("attempt", sql);
      ASSERT_FALSE(r) << role << ": " << sql;
      EXPECT_EQ(r.error().code, Code::kPermissionDenied)
          << role << ": " << r.error().to_string();
    }
  }
  // Nor the login role itself (NOINHERIT: it has no privilege of its own).
  db::Connection authenticator =
      db::Connection::open(db_.url_as("authenticator")).value();
  EXPECT_FALSE(
      authenticator.exec("attempt", "UPDATE cscx.knowledge_index SET generation = 0"));
  // service_role reads it: the index loader does.
  db::Connection service = db_.connect();
  begin_as(service, "service_role");
  EXPECT_EQ(query_value(service, "SELECT generation FROM cscx.knowledge_index"), before);
  EXPECT_EQ(query_value(admin_, "SELECT generation FROM cscx.knowledge_index"), before);
}

TEST_F(IndexSyncTest, ShowsProgressWhileLoadingAndStopsBetweenPages) {
  exec_or_throw(
      admin_,
      "INSERT INTO knowledge_base (title, content)"
      " SELECT 'Bulk ' || i, 'Bulk body ' || i FROM generate_series(1, 1000) i");
  AnnIndex index;
  IndexState state;
  auto sync = IndexSync::start(db_.url(), index, state,
                               knowledge::IndexSyncOptions{std::chrono::hours(1)});
  // The first page (1000 articles) is in; the pause holds the load there.
  ASSERT_TRUE(eventually([&] { return state.articles() == 1000; }));
  EXPECT_FALSE(state.ready());
  EXPECT_EQ(index.size(), 0u);  // the live index changes only when the load ends
  sync.reset();                 // returns without waiting out the pause
  EXPECT_FALSE(state.ready());
}

TEST(IndexSyncRetry, LoadsOnceTheDatabaseIsMigrated) {
  TestDatabase db(TestDatabase::Kind::kEmpty);
  AnnIndex index;
  IndexState state;
  auto sync = IndexSync::start(db.url(), index, state);
  // No knowledge_base yet: the load fails and is retried, the caller waits
  // for nothing.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_FALSE(state.ready());
  EXPECT_EQ(sync->loads(), 0u);
  const CommandResult r = run_cscx({"migrate"}, {{"DATABASE_URL", db.url()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(eventually([&] { return state.ready(); }));
  EXPECT_EQ(sync->loads(), 1u);
}

}  // namespace
}  // namespace cscx::testing
