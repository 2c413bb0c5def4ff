// IndexSync against a real database: a 'rebuild' notice is only a hint, so
// any role may send it (NOTIFY needs no privilege) and nothing is rebuilt
// unless the owner moved cscx.knowledge_index's generation (migrations/009,
// `cscx kb reindex`); a flood of bogus notices changes nothing in the index;
// the request roles cannot move the generation; the load runs in the
// background, retries until the database is there, and stops promptly, even
// when its page read waits behind another session's lock; only its build
// thread runs niced.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <vector>

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

int nice_of(pid_t tid) {
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
  if (errno != 0) throw std::runtime_error("getpriority failed");
  return nice;
}

// The nice values of this process's threads named `name` (IndexSync names
// its threads cscx-kb-sync and cscx-kb-build), one per thread. A thread
// that ends while this reads is left out.
std::vector<int> nice_of_threads_named(const std::string& name) {
  std::vector<int> nice_values;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string thread_name;
    if (!std::getline(comm, thread_name) || thread_name != name) continue;
    errno = 0;
    const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(std::stoi(
                                                   task.path().filename().string())));
    if (errno == 0) nice_values.push_back(nice);
  }
  return nice_values;
}

bool pgvector_storage(db::Connection& conn) {
  return query_value(conn, "SELECT value FROM cscx.settings WHERE key = 'embedding_storage'") ==
         "pgvector";
}

class IndexSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (pgvector_storage(admin_)) GTEST_SKIP() << "with pgvector no index is loaded in memory";
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

// With an embedding provider, a row without a stored vector cannot be
// embedded in memory (the built-in vector is in another space, and a load
// never calls the network): it stays out, counted, at load and on notice,
// while the provider cannot be reached to store one (here its URL is not
// even valid).
TEST_F(IndexSyncTest, WithAProviderRowsWithoutAVectorStayOut) {
  // As `cscx kb reindex` with the provider leaves them: its vectors,
  // labelled with it (migrations/012).
  exec_or_throw(admin_,
                "SELECT set_config('cscx.embedder', 'openai-compatible:m', true);"
                "UPDATE knowledge_base SET embedding = array_fill(0.5::real, ARRAY[1536])"
                " WHERE title IN ('Article 1', 'Article 2')");
  AnnIndex index;
  IndexState state(knowledge::EmbeddingProviderConfig{"none", "k", "m"});
  auto sync = IndexSync::start(db_.url(), index, state);
  ASSERT_TRUE(eventually([&] { return sync->loads() == 1; }));
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(state.articles(), 2u);
  EXPECT_EQ(sync->skipped(), article_count() - 2);

  // A notice for a row whose vector is gone takes it out of the index.
  exec_or_throw(admin_, "UPDATE knowledge_base SET embedding = NULL WHERE title = 'Article 1'");
  ASSERT_TRUE(eventually([&] { return index.size() == 1; }));
}

// A stored vector is used only when its label names the server's embedder:
// one of another embedder, or one written without saying whose (SQL,
// /rest/v1: no label), is not. The built-in embedder embeds the text
// itself; a provider server leaves the row out.
TEST_F(IndexSyncTest, StoredVectorsOfAnotherEmbedderAreNotUsed) {
  exec_or_throw(admin_,
                "SELECT set_config('cscx.embedder', 'openai-compatible:old', true);"
                "UPDATE knowledge_base SET embedding = array_fill(0.5::real, ARRAY[1536])"
                " WHERE title <> 'Article 4'");
  exec_or_throw(admin_,
                "UPDATE knowledge_base SET embedding = array_fill(0.25::real, ARRAY[1536])"
                " WHERE title = 'Article 4'");
  EXPECT_EQ(query_value(admin_, "SELECT count(*) FROM cscx_knowledge.embedding_source"),
            std::to_string(article_count() - 1));
  {
    AnnIndex index;
    IndexState state;
    auto sync = IndexSync::start(db_.url(), index, state);
    ASSERT_TRUE(eventually([&] { return sync->loads() == 1; }));
    EXPECT_EQ(index.size(), article_count());
    for (const std::string n : {"3", "4"}) {
      const std::string id =
          query_value(admin_, "SELECT id FROM knowledge_base WHERE title = 'Article " + n + "'");
      EXPECT_TRUE(index.holds(id, knowledge::embed_article("Article " + n,
                                                           "Body of article " + n,
                                                           std::vector<std::string>{""})));
    }
  }
  AnnIndex index;
  IndexState state(knowledge::EmbeddingProviderConfig{"none", "k", "new"});
  auto sync = IndexSync::start(db_.url(), index, state);
  ASSERT_TRUE(eventually([&] { return sync->loads() == 1; }));
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(sync->skipped(), article_count());
}

// Two servers with different embedders on one database: each write labels
// its vector, so a vector the other server stored after this one loaded
// never enters this one's index (the one label per table of migrations/011
// named only the last reindex's embedder, and mixed them).
TEST_F(IndexSyncTest, AVectorOfAnotherEmbedderWrittenLaterStaysOut) {
  exec_or_throw(admin_,
                "SELECT set_config('cscx.embedder', 'openai-compatible:m', true);"
                "UPDATE knowledge_base SET embedding = array_fill(0.5::real, ARRAY[1536])");
  AnnIndex index;
  IndexState state(knowledge::EmbeddingProviderConfig{"none", "k", "m"});
  auto sync = IndexSync::start(db_.url(), index, state);
  ASSERT_TRUE(eventually([&] { return sync->loads() == 1; }));
  ASSERT_EQ(index.size(), article_count());
  // The built-in server's write of Article 1.
  exec_or_throw(admin_,
                "SELECT set_config('cscx.embedder', 'cscx-hash-v1', true);"
                "UPDATE knowledge_base SET embedding = array_fill(0.01::real, ARRAY[1536])"
                " WHERE title = 'Article 1'");
  ASSERT_TRUE(eventually([&] { return index.size() == article_count() - 1; }));
  // Its own embedder's write of it comes back in.
  exec_or_throw(admin_,
                "SELECT set_config('cscx.embedder', 'openai-compatible:m', true);"
                "UPDATE knowledge_base SET embedding = array_fill(0.5::real, ARRAY[1536])"
                " WHERE title = 'Article 1'");
  ASSERT_TRUE(eventually([&] { return index.size() == article_count(); }));
}

// A title, content or tags changed with SQL under an unchanged vector
// leaves that vector stale: migrations/012 sets it NULL (and drops its
// label), and the index embeds the new text.
TEST_F(IndexSyncTest, ATextChangedWithSqlIsEmbeddedAgain) {
  exec_or_throw(admin_,
                "SELECT set_config('cscx.embedder', 'cscx-hash-v1', true);"
                "UPDATE knowledge_base SET embedding = array_fill(0.5::real, ARRAY[1536])");
  AnnIndex index;
  IndexState state;
  auto sync = IndexSync::start(db_.url(), index, state);
  ASSERT_TRUE(eventually([&] { return sync->loads() == 1; }));
  const std::string id =
      query_value(admin_, "SELECT id FROM knowledge_base WHERE title = 'Article 5'");
  const knowledge::Embedding fresh = knowledge::embed_article(
      "Article 5", "Renewal playbook for churn risk", std::vector<std::string>{""});
  ASSERT_FALSE(index.holds(id, fresh));

  exec_or_throw(admin_, "UPDATE knowledge_base SET content = 'Renewal playbook for churn risk'"
                        " WHERE id = '" + id + "'");
  EXPECT_EQ(query_value(admin_, "SELECT embedding IS NULL FROM knowledge_base WHERE id = '" +
                                    id + "'"),
            "t");
  EXPECT_EQ(query_value(admin_, "SELECT count(*) FROM cscx_knowledge.embedding_source"
                                " WHERE article_id = '" + id + "'"),
            "0");
  ASSERT_TRUE(eventually([&] { return index.holds(id, fresh); }));

  // A change of another column, or one that declares its embedder, keeps it.
  exec_or_throw(admin_, "UPDATE knowledge_base SET is_public = false, title = title");
  EXPECT_EQ(query_value(admin_, "SELECT count(*) FROM knowledge_base WHERE embedding IS NULL"),
            "1");
}

// Labels follow their rows: an id change takes the label along, a delete
// removes it, and no request role can write one.
TEST_F(IndexSyncTest, LabelsFollowTheirRowsAndOnlyTriggersWriteThem) {
  exec_or_throw(admin_,
                "SELECT set_config('cscx.embedder', 'cscx-hash-v1', true);"
                "UPDATE knowledge_base SET embedding = array_fill(0.5::real, ARRAY[1536])"
                " WHERE title = 'Article 7'");
  exec_or_throw(admin_, "UPDATE knowledge_base SET id = '00000000-0000-0000-0000-000000000007'"
                        " WHERE title = 'Article 7'");
  EXPECT_EQ(query_value(admin_, "SELECT article_id::text || ' ' || embedder"
                                "  FROM cscx_knowledge.embedding_source"),
            "00000000-0000-0000-0000-000000000007 cscx-hash-v1");
  db::Connection service = db::Connection::open(db_.url_as("authenticator")).value();
  for (const std::string role : {"service_role", "authenticated", "anon"}) {
    EXPECT_FALSE(service.exec("write_label", "SET ROLE " + role +
                                                 "; INSERT INTO cscx_knowledge.embedding_source"
                                                 " VALUES (gen_random_uuid(), 'x')"))
        << role;
    EXPECT_FALSE(service.exec("write_label", "SET ROLE " + role +
                                                 "; UPDATE cscx_knowledge.embedding_source"
                                                 " SET embedder = 'x'"))
        << role;
    (void)service.exec("reset", "RESET ROLE");
  }
  // A caller reads the labels of the articles it may read only (anon: none).
  EXPECT_EQ(query_value(service, "SET ROLE anon;"
                                 "SELECT count(*) FROM cscx_knowledge.embedding_source"),
            "0");
  (void)service.exec("reset", "RESET ROLE");
  exec_or_throw(admin_, "DELETE FROM knowledge_base WHERE title = 'Article 7'");
  EXPECT_EQ(query_value(admin_, "SELECT count(*) FROM cscx_knowledge.embedding_source"), "0");
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

// /ready's article count, once loaded, is the live index's: a write
// route's direct upsert or removal (knowledge_routes.cpp) counts at once,
// not only after the sync's next batch of notices.
TEST_F(IndexSyncTest, TheCountFollowsDirectWritesAtOnce) {
  AnnIndex index;
  IndexState state;
  auto sync = IndexSync::start(db_.url(), index, state);
  ASSERT_TRUE(eventually([&] { return sync->loads() == 1; }));
  const std::size_t loaded = state.articles();
  ASSERT_EQ(loaded, article_count());
  const std::string id = "00000000-0000-0000-0000-00000000abcd";
  ASSERT_TRUE(index.upsert(id, knowledge::embed_text("renewal playbook")));
  EXPECT_EQ(state.articles(), loaded + 1);
  ASSERT_TRUE(index.remove(id));
  EXPECT_EQ(state.articles(), loaded);
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

// The sync thread keeps the priority it started with, during a load and
// after it (a non-root process could not raise it back), while the build
// thread runs ten levels lower (at most 19). Both are sampled during the
// load, so the test also fails as root, where a lowered sync thread could
// be restored afterwards.
TEST_F(IndexSyncTest, OnlyTheBuildThreadRunsNiced) {
  // IndexSync's threads inherit this thread's nice value. At 19 (say under
  // `nice -n 19`) there is no lower level to see: move one level up when
  // allowed (root), for this test only; otherwise there is nothing to test.
  const pid_t self = gettid();
  const int outer = nice_of(self);
  if (outer == 19 && setpriority(PRIO_PROCESS, static_cast<id_t>(self), 18) != 0) {
    GTEST_SKIP() << "runs at nice 19 and may not raise it: no lower level to observe";
  }
  struct Restore {
    pid_t tid;
    int nice;
    ~Restore() { (void)setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nice); }
  } restore{self, outer};
  const int base = nice_of(self);
  ASSERT_LT(base, 19);
  exec_or_throw(
      admin_,
      "INSERT INTO knowledge_base (title, content)"
      " SELECT 'Bulk ' || i, 'Bulk body ' || i FROM generate_series(1, 1000) i");

  {  // Held after its first page: the build thread is there.
    AnnIndex index;
    IndexState state;
    auto sync = IndexSync::start(db_.url(), index, state,
                                 knowledge::IndexSyncOptions{std::chrono::hours(1)});
    ASSERT_TRUE(eventually([&] { return state.articles() == 1000; }));
    EXPECT_EQ(nice_of_threads_named("cscx-kb-sync"), std::vector<int>{base});
    // The build thread, and any helper of upsert_batch() still ending.
    const std::vector<int> build = nice_of_threads_named("cscx-kb-build");
    ASSERT_FALSE(build.empty());
    for (int nice : build) EXPECT_EQ(nice, std::min(19, base + 10));
  }
  {  // A finished load: the build thread has gone, the sync thread is as it was.
    AnnIndex index;
    IndexState state;
    auto sync = IndexSync::start(db_.url(), index, state);
    ASSERT_TRUE(eventually([&] { return sync->loads() == 1; }));
    EXPECT_EQ(index.size(), article_count());
    EXPECT_EQ(nice_of_threads_named("cscx-kb-sync"), std::vector<int>{base});
    EXPECT_TRUE(eventually([] { return nice_of_threads_named("cscx-kb-build").empty(); }));
  }
}

// Another session holds knowledge_base in ACCESS EXCLUSIVE mode (a
// migration, a LOCK TABLE), so the load's page read waits for it; stopping
// cancels that read instead of waiting for the lock.
TEST_F(IndexSyncTest, StopsWhileItsPageReadWaitsForALock) {
  db::Connection locker = db_.connect();
  exec_or_throw(locker, "BEGIN; LOCK TABLE knowledge_base IN ACCESS EXCLUSIVE MODE");
  const std::string waiting =
      "SELECT coalesce(min(pid), 0) FROM pg_locks"
      " WHERE relation = 'public.knowledge_base'::regclass AND NOT granted";
  AnnIndex index;
  IndexState state;
  auto sync = IndexSync::start(db_.url(), index, state);
  ASSERT_TRUE(eventually([&] { return query_value(admin_, waiting) != "0"; }));
  const std::string sync_backend = query_value(admin_, waiting);

  auto stopped = std::async(std::launch::async, [&] { sync.reset(); });
  // A hang guard, not a timing measure: a stop that waits for the lock
  // would wait for ever; then let it go so that the test can fail.
  const bool returned = stopped.wait_for(std::chrono::seconds(10)) ==
                        std::future_status::ready;
  if (!returned) exec_or_throw(locker, "ROLLBACK");
  stopped.get();
  ASSERT_TRUE(returned) << "stopping waited for the lock on knowledge_base";
  EXPECT_FALSE(state.ready());
  EXPECT_TRUE(nice_of_threads_named("cscx-kb-sync").empty());
  // The read was cancelled while the lock is still held, and the sync's
  // connection closed: its backend goes.
  EXPECT_EQ(query_value(admin_, waiting), "0");
  EXPECT_TRUE(eventually([&] {
    return query_value(admin_, "SELECT count(*) FROM pg_stat_activity WHERE pid = " +
                                   sync_backend) == "0";
  }));
  exec_or_throw(locker, "ROLLBACK");
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
  EXPECT_EQ(sync->loads(), state.pgvector() ? 0u : 1u);  // with pgvector nothing loads
}

// Where migration 002 found pgvector (run the suite with CSCX_PG_BINDIR
// pointing at a PostgreSQL that has the extension; Debian 12 has none, so
// CI skips this): nothing is loaded in memory, the state says where the
// vector type lives, and articles written without an embedding get the
// built-in embedder's, stored in the table, at start and on each notice.
TEST(IndexSyncPgvector, LoadsNothingAndStoresMissingEmbeddings) {
  TestDatabase db;
  db::Connection admin = db.connect();
  if (!pgvector_storage(admin)) GTEST_SKIP() << "no pgvector on this PostgreSQL";
  exec_or_throw(admin,
                "INSERT INTO knowledge_base (title, content, tags) VALUES"
                " ('Renewal playbook', 'Start renewal talks early.', '{renewal}'),"
                " ('Onboarding', 'Kickoff and training.', NULL)");
  AnnIndex index;
  IndexState state;
  auto sync = IndexSync::start(db.url(), index, state);
  ASSERT_TRUE(eventually([&] { return state.pgvector().has_value(); }));
  EXPECT_EQ(state.pgvector()->iterative_scan,
            query_value(admin, "SELECT string_to_array(extversion, '.')::int[] >= '{0,8}'"
                               " FROM pg_extension WHERE extname = 'vector'") == "t");
  EXPECT_TRUE(state.ready());
  const std::string missing = "SELECT count(*) FROM knowledge_base WHERE embedding IS NULL";
  ASSERT_TRUE(eventually([&] { return query_value(admin, missing) == "0"; }));
  const std::string tags = "renewal";
  const auto stored = knowledge::parse_pg_array(query_value(
      admin, "SELECT embedding::real[]::text FROM knowledge_base WHERE title = 'Renewal playbook'"));
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, knowledge::embed_article("Renewal playbook", "Start renewal talks early.",
                                              std::span(&tags, 1)));

  exec_or_throw(admin, "INSERT INTO knowledge_base (title, content) VALUES ('Later', 'Added.')");
  EXPECT_TRUE(eventually([&] { return query_value(admin, missing) == "0"; }));
  EXPECT_EQ(query_value(admin, "SELECT count(*) FROM cscx_knowledge.embedding_source"
                               " WHERE embedder = 'cscx-hash-v1'"),
            "3");
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(sync->loads(), 0u);
}

}  // namespace
}  // namespace cscx::testing
