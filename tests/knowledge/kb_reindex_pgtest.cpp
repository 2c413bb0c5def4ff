// `cscx kb reindex`: every article gets the embedder's vector (also rows
// written without one, or with a stale one), in one transaction, with one
// 'rebuild' notice to running servers instead of one per row, and the index
// generation moved in the same transaction.
#include <gtest/gtest.h>

#include <libpq-fe.h>

#include "db/connection.h"
#include "knowledge/embedder.h"
#include "support/run_cscx.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {

TEST(KbReindex, EmbedsEveryArticleAndSendsOneRebuildNotice) {
  TestDatabase db;
  db::Connection admin = db.connect();
  ASSERT_TRUE(admin.exec("articles",
                         "INSERT INTO knowledge_base (title, content, tags)"
                         " SELECT 'Article ' || i, 'Body of article ' || i, ARRAY['t' || i]"
                         "   FROM generate_series(1, 1203) i;"
                         "UPDATE knowledge_base SET embedding = array_fill(0.5::real, ARRAY[1536])"
                         " WHERE title = 'Article 7'"));
  const long generation =
      std::stol(query_value(admin, "SELECT generation FROM cscx.knowledge_index"));
  db::Connection listener = db.connect();
  ASSERT_TRUE(listener.exec("listen", "LISTEN cscx_knowledge"));

  const CommandResult r = run_cscx({"kb", "reindex"}, {{"DATABASE_URL", db.url()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("reindexed 1203 articles"), std::string::npos) << r.out;
  // Not a terminal: no progress bar in the output.
  EXPECT_EQ(r.out.find('\r'), std::string::npos);

  EXPECT_EQ(query_value(admin,
                        "SELECT count(*) FROM knowledge_base"
                        " WHERE cardinality(embedding::real[]) = 1536"),
            "1203");
  // The stored vector is exactly what the embedder gives for the article.
  const auto article = knowledge::embed_article("Article 7", "Body of article 7",
                                                std::vector<std::string>{"t7"});
  auto stored = knowledge::parse_pg_array(query_value(
      admin, "SELECT embedding::text FROM knowledge_base WHERE title = 'Article 7'"));
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, article);

  ASSERT_TRUE(listener.exec("poll", "SELECT 1"));
  int notices = 0;
  std::string payload;
  PQconsumeInput(listener.native());
  while (PGnotify* n = PQnotifies(listener.native())) {
    ++notices;
    payload = n->extra;
    PQfreemem(n);
  }
  EXPECT_EQ(notices, 1);
  EXPECT_EQ(payload, "rebuild");
  // The notice is only a hint: servers rebuild because the generation,
  // which only the owner may write, moved with it (migrations/009).
  EXPECT_EQ(query_value(admin, "SELECT generation FROM cscx.knowledge_index"),
            std::to_string(generation + 1));
}

}  // namespace
}  // namespace cscx::testing
