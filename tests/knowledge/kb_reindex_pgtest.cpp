// `cscx kb reindex`: every article gets the embedder's vector (also rows
// written without one, or with a stale one), labelled with the embedder
// (migrations/012), page by page in short transactions, with one 'rebuild'
// notice to running servers instead of one per row and the index
// generation moved at the end; a role that may not move it changes nothing.
#include <gtest/gtest.h>

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <string>
#include <utility>

#include "db/connection.h"
#include "knowledge/embedder.h"
#include "knowledge/reindex.h"
#include "knowledge/fake_embedding_server.h"
#include "support/run_cscx.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {

// `n` articles ('Article i', 'Body i') without a vector.
void insert_articles(db::Connection& admin, int n) {
  ASSERT_TRUE(admin.exec_params("articles",
                                "INSERT INTO knowledge_base (title, content)"
                                " SELECT 'Article ' || i, 'Body ' || i"
                                "   FROM generate_series(1, $1::integer) i",
                                {std::to_string(n)}));
}

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

std::map<std::string, std::string> provider_env(const TestDatabase& db,
                                                const FakeEmbeddingServer& provider) {
  return {{"DATABASE_URL", db.url()},
          {"CSCX_EMBEDDING_URL", provider.url()},
          {"CSCX_EMBEDDING_KEY", "fake-key"},
          {"CSCX_EMBEDDING_MODEL", "fake-embed"},
          {"CSCX_EMBEDDING_TIMEOUT_MS", "1000"}};
}

// With CSCX_EMBEDDING_* set, reindex is how the stored vectors move to the
// provider's space: every article, 64 texts per request.
TEST(KbReindex, WithAProviderStoresItsVectorsInBatches) {
  TestDatabase db;
  db::Connection admin = db.connect();
  ASSERT_TRUE(admin.exec("articles",
                         "INSERT INTO knowledge_base (title, content, tags)"
                         " SELECT 'Renewal ' || i, 'Body ' || i, ARRAY['t' || i, 'x']"
                         "   FROM generate_series(1, 70) i"));
  FakeEmbeddingServer provider({{"renewal", 2}});

  const CommandResult r = run_cscx({"kb", "reindex"}, provider_env(db, provider));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("reindexed 70 articles with openai-compatible:fake-embed"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(provider.requests().size(), 2u) << "64 + 6 texts";
  EXPECT_EQ(provider.inputs().size(), 70u);
  // The text the write routes embed; the tags come as the page read them.
  const std::string text =
      knowledge::article_text("Renewal 7", "Body 7", std::vector<std::string>{"t7 x"});
  auto stored = knowledge::parse_pg_array(query_value(
      admin, "SELECT embedding::text FROM knowledge_base WHERE title = 'Renewal 7'"));
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, unit_vector(fake_embedding(text, {{"renewal", 2}})));
  EXPECT_EQ(query_value(admin, "SELECT count(*) FROM knowledge_base WHERE embedding IS NULL"),
            "0");
  // Servers use a stored vector only when its label names their embedder.
  const std::string labels =
      "SELECT string_agg(embedder || ' ' || n, ',') FROM (SELECT embedder, count(*) AS n"
      "  FROM cscx_knowledge.embedding_source GROUP BY embedder) l";
  EXPECT_EQ(query_value(admin, labels), "openai-compatible:fake-embed 70");
  EXPECT_EQ(query_value(admin, "SELECT embedder FROM cscx.knowledge_index"),
            "openai-compatible:fake-embed");
  const CommandResult back = run_cscx({"kb", "reindex"}, {{"DATABASE_URL", db.url()}});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(query_value(admin, labels), "cscx-hash-v1 70");
  EXPECT_EQ(query_value(admin, "SELECT embedder FROM cscx.knowledge_index"), "cscx-hash-v1");
}

// The first page's failure leaves everything as it was (later pages'
// failures keep the pages stored before them, each correctly labelled).
TEST(KbReindex, AProviderFailureOnTheFirstPageChangesNothing) {
  TestDatabase db;
  db::Connection admin = db.connect();
  insert_articles(admin, 100);
  const std::string generation = query_value(admin, "SELECT generation FROM cscx.knowledge_index");
  FakeEmbeddingServer provider;
  // A bad answer fails the reindex before anything is stored.
  provider.set_mode("wrong-width");
  const CommandResult r = run_cscx({"kb", "reindex"}, provider_env(db, provider));
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.err.find("embedding provider failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("768"), std::string::npos) << r.err;
  EXPECT_EQ(query_value(admin, "SELECT count(*) FROM knowledge_base WHERE embedding IS NULL"),
            "100");
  EXPECT_EQ(query_value(admin, "SELECT generation FROM cscx.knowledge_index"), generation);
  EXPECT_EQ(query_value(admin, "SELECT embedder FROM cscx.knowledge_index"), "cscx-hash-v1");
}

// A failure after the first page keeps the pages stored before it, each
// labelled with the provider, tells running servers (the generation moves)
// and says so; the embedder on record stays the last finished reindex's.
TEST(KbReindex, AFailureOnALaterPageKeepsThePagesBeforeItAndSaysSo) {
  TestDatabase db;
  db::Connection admin = db.connect();
  insert_articles(admin, 700);
  const long generation =
      std::stol(query_value(admin, "SELECT generation FROM cscx.knowledge_index"));
  FakeEmbeddingServer provider;
  const knowledge::EmbeddingProviderConfig config{provider.url(), "fake-key", "fake-embed",
                                                  std::chrono::milliseconds(1000)};
  db::Connection owner = db.connect();
  // The first page (500 articles) is stored before the progress call.
  auto r = knowledge::reindex_all(
      owner, [&](std::size_t, std::size_t) { provider.set_mode("error"); }, &config);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("stopped after 500 of 700 articles"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("the 500 stored stay and running servers were told"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(query_value(admin, "SELECT count(*) FROM cscx_knowledge.embedding_source"
                               " WHERE embedder = 'openai-compatible:fake-embed'"),
            "500");
  EXPECT_EQ(query_value(admin, "SELECT count(*) FROM knowledge_base WHERE embedding IS NULL"),
            "200");
  EXPECT_EQ(std::stol(query_value(admin, "SELECT generation FROM cscx.knowledge_index")),
            generation + 1);
  EXPECT_EQ(query_value(admin, "SELECT embedder FROM cscx.knowledge_index"), "cscx-hash-v1");
}

// The store of a page is conditional on the version read with it: an
// article written while its page was being embedded keeps what that write
// left, not a vector of its old text.
TEST(KbReindex, AnArticleWrittenWhileItsPageIsEmbeddedKeepsThatWrite) {
  TestDatabase db;
  db::Connection admin = db.connect();
  insert_articles(admin, 3);
  db::Connection writer = db.connect();
  FakeEmbeddingServer provider;
  std::atomic<int> requests = 0;  // counted on the fake's thread
  provider.set_on_request([&] {
    if (++requests > 1) return;
    EXPECT_TRUE(writer.exec("rewrite", "UPDATE knowledge_base SET content = 'Rewritten'"
                                       " WHERE title = 'Article 2'"));
  });
  const knowledge::EmbeddingProviderConfig config{provider.url(), "fake-key", "fake-embed",
                                                  std::chrono::milliseconds(1000)};
  db::Connection owner = db.connect();
  auto r = knowledge::reindex_all(owner, {}, &config);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(requests, 1);
  EXPECT_EQ(r->read, 3u);
  EXPECT_EQ(r->stored, 2u);
  EXPECT_EQ(query_value(admin, "SELECT string_agg(title || '=' || content, ',' ORDER BY title)"
                               "  FROM knowledge_base WHERE embedding IS NULL"),
            "Article 2=Rewritten");
}

// An article the provider refuses on its own (as OpenAI refuses a text
// over its token limit) is left as it was; the rest of its page and the
// pages after it are embedded.
TEST(KbReindex, AnArticleTheProviderRefusesIsLeftAndTheRestEmbedded) {
  TestDatabase db;
  db::Connection admin = db.connect();
  insert_articles(admin, 120);
  ASSERT_TRUE(admin.exec("poison",
                         "UPDATE knowledge_base SET content = 'poison' WHERE title = 'Article 7'"));
  FakeEmbeddingServer provider;
  provider.set_mode("refuse:poison");
  const CommandResult r = run_cscx({"kb", "reindex"}, provider_env(db, provider));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("reindexed 119 articles"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 articles the provider refused"), std::string::npos) << r.out;
  EXPECT_EQ(query_value(admin, "SELECT string_agg(title, ',') FROM knowledge_base"
                               " WHERE embedding IS NULL"),
            "Article 7");
  // A provider that refuses everything is a setting to fix: an error.
  provider.set_mode("status:401");
  const CommandResult all = run_cscx({"kb", "reindex"}, provider_env(db, provider));
  EXPECT_NE(all.exit_code, 0) << all.out;
  EXPECT_NE(all.err.find("401"), std::string::npos) << all.err;
}

// Only the owner may move the generation that makes servers reload; any
// other role is refused before the first page is embedded.
TEST(KbReindex, ARoleThatMayNotMoveTheGenerationChangesNothing) {
  TestDatabase db;
  db::Connection admin = db.connect();
  insert_articles(admin, 10);
  const CommandResult r =
      run_cscx({"kb", "reindex"}, {{"DATABASE_URL", db.url_as("authenticator")}});
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.err.find("permission denied"), std::string::npos) << r.err;
  EXPECT_EQ(query_value(admin, "SELECT count(*) FROM knowledge_base WHERE embedding IS NULL"),
            "10");
}

TEST(KbReindex, AnUnusableProviderSettingStopsItBeforeAnyWork) {
  TestDatabase db;
  for (const auto& [name, value] :
       {std::pair<std::string, std::string>{"CSCX_EMBEDDING_URL", "localhost:8080/v1"},
        std::pair<std::string, std::string>{"CSCX_EMBEDDING_DIMENSIONS", "768"}}) {
    std::map<std::string, std::string> env{{"DATABASE_URL", db.url()},
                                           {"CSCX_EMBEDDING_URL", "http://127.0.0.1:1/v1"},
                                           {"CSCX_EMBEDDING_KEY", "k"},
                                           {"CSCX_EMBEDDING_MODEL", "m"}};
    env[name] = value;
    const CommandResult r = run_cscx({"kb", "reindex"}, env);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find(name + " must be"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace cscx::testing
