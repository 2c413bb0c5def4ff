// /api/knowledge with the optional embedding provider (issue 8), against a
// local fake /v1/embeddings endpoint: writes store the provider's vector
// (unit length) or, when it fails, nothing at all (503); search embeds the
// query with it, and falls back to full text ("semantic": false) when it
// fails; rows without a stored vector stay out of the index.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "api/api_fixture.h"
#include "knowledge/embedder.h"
#include "knowledge/fake_embedding_server.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;
using http::testing::HeaderList;

// "cancel" and "churn" share a dimension: the fake model knows they are
// close, which full text (and the built-in embedder) cannot.
const std::map<std::string, int> kTopics{
    {"cancel", 1}, {"churn", 1}, {"renewal", 2}, {"invoice", 3}};

std::string article(std::string_view title, std::string_view content,
                    json::object extra = {}) {
  extra["title"] = title;
  extra["content"] = content;
  return json::serialize(extra);
}

class KnowledgeProviderApi : public ApiTest {
 protected:
  void SetUp() override {
    load_two_tenants(admin_);
    start_server({{"CSCX_EMBEDDING_URL", provider_.url()},
                  {"CSCX_EMBEDDING_KEY", "fake-key"},
                  {"CSCX_EMBEDDING_MODEL", "fake-embed"},
                  {"CSCX_EMBEDDING_TIMEOUT_MS", "1500"}});
    wait_for_index();
  }
  // The server goes before the fake provider it may still be talking to.
  void TearDown() override { server_.reset(); }

  Reply create(std::string_view body) {
    return call("POST", "/api/knowledge", service(), body);
  }
  std::string create_id(std::string_view body) {
    Reply r = create(body);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.status == 201 ? std::string(r.json().at("id").as_string()) : "";
  }
  Reply search(const std::string& query) {
    return call("GET", "/api/knowledge/search?" + query, service());
  }
  std::vector<float> stored_vector(const std::string& id) {
    auto v = knowledge::parse_pg_array(
        value("SELECT embedding::text FROM knowledge_base WHERE id = '" + id + "'"));
    EXPECT_TRUE(v) << id;
    return v ? *v : std::vector<float>{};
  }

  FakeEmbeddingServer provider_{kTopics};
};

TEST_F(KnowledgeProviderApi, WritesStoreTheProvidersUnitVector) {
  const std::string id = create_id(article("Renewal playbook", "Start ninety days ahead.",
                                           {{"tags", json::array{"renewal"}}}));
  const std::vector<std::string> tags{"renewal"};
  const std::string text =
      knowledge::article_text("Renewal playbook", "Start ninety days ahead.", tags);
  // Among the texts the provider got (with pgvector the server also sends
  // the fixture's articles that have no vector, at any moment).
  auto asked = [&](const std::string& t) {
    const auto inputs = provider_.inputs();
    return std::find(inputs.begin(), inputs.end(), t) != inputs.end();
  };
  EXPECT_TRUE(asked(text));
  EXPECT_EQ(stored_vector(id), unit_vector(fake_embedding(text, kTopics)));

  Reply p =
      call("PATCH", "/api/knowledge/" + id, service(), R"({"title":"Invoice disputes"})");
  ASSERT_EQ(p.status, 200u) << p.body;
  const std::string merged =
      knowledge::article_text("Invoice disputes", "Start ninety days ahead.", tags);
  EXPECT_TRUE(asked(merged));
  EXPECT_EQ(stored_vector(id), unit_vector(fake_embedding(merged, kTopics)));

  const json::value ready = call("GET", "/ready", {}).json();
  EXPECT_EQ(ready.at("knowledge").at("embedder"), "openai-compatible:fake-embed");
}

// A provider's failure writes nothing: a transient one (500, a hang) is a
// 503 a retry may cure, a permanent one (an unusable answer, a refused key)
// a 502 that says retrying will not help.
TEST_F(KnowledgeProviderApi, AProviderFailureIsA503Or502WithNothingWritten) {
  const std::string id = create_id(article("Renewal playbook", "Start early."));
  const std::string before =
      value("SELECT md5(k::text) FROM knowledge_base k WHERE id = '" + id + "'");
  const std::string count = value("SELECT count(*) FROM knowledge_base");
  const std::pair<std::string, unsigned> cases[] = {
      {"error", 503}, {"hang", 503}, {"wrong-width", 502}, {"status:401", 502}};
  for (const auto& [mode, status] : cases) {
    const std::string code = status == 503 ? "unavailable" : "dependency_failed";
    provider_.set_mode(mode);
    Reply r = create(article("Invoice disputes", "Finance handles them."));
    ASSERT_EQ(r.status, status) << mode << ": " << r.body;
    EXPECT_EQ(r.json().at("code"), code.c_str()) << r.body;
    EXPECT_EQ(
        std::string(r.json().at("message").as_string()).find("embedding provider failed"),
        0u)
        << r.body;
    Reply p = call("PATCH", "/api/knowledge/" + id, service(), R"({"title":"Changed"})");
    ASSERT_EQ(p.status, status) << mode << ": " << p.body;
    EXPECT_EQ(p.json().at("code"), code.c_str()) << p.body;
  }
  EXPECT_EQ(value("SELECT count(*) FROM knowledge_base"), count);
  EXPECT_EQ(value("SELECT md5(k::text) FROM knowledge_base k WHERE id = '" + id + "'"),
            before);
}

TEST_F(KnowledgeProviderApi, SearchRanksByTheProvidersQueryVector) {
  const std::string cancel =
      create_id(article("How to cancel a subscription", "Steps to close an account."));
  create_id(article("Quarterly business review", "Agenda for the QBR."));
  create_id(article("Invoice disputes", "Finance handles a disputed invoice."));

  // No article says "churn": only the provider's vector can find one.
  Reply r = search("q=churn&k=3");
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::value body = r.json();
  EXPECT_EQ(body.at("semantic"), true) << r.body;
  const json::array& results = body.at("results").as_array();
  ASSERT_FALSE(results.empty()) << r.body;
  EXPECT_EQ(results[0].at("id"), cancel.c_str()) << r.body;
  EXPECT_EQ(results[0].at("vector").at("rank"), 1) << r.body;
  EXPECT_GT(results[0].at("vector").at("similarity").to_number<double>(), 0.9) << r.body;
  EXPECT_TRUE(results[0].at("text").is_null()) << r.body;
  EXPECT_EQ(provider_.inputs().back(), "churn");
}

TEST_F(KnowledgeProviderApi, SearchFallsBackToFullTextWhenTheProviderFails) {
  const std::string cancel =
      create_id(article("How to cancel a subscription", "Steps to close an account."));
  for (const std::string mode : {"error", "malformed", "hang"}) {
    provider_.set_mode(mode);
    Reply r = search("q=cancel");
    ASSERT_EQ(r.status, 200u) << mode << ": " << r.body;
    const json::value body = r.json();
    EXPECT_EQ(body.at("semantic"), false) << r.body;
    const json::array& results = body.at("results").as_array();
    ASSERT_EQ(results.size(), 1u) << r.body;
    EXPECT_EQ(results[0].at("id"), cancel.c_str());
    EXPECT_TRUE(results[0].at("vector").is_null()) << r.body;
    EXPECT_EQ(results[0].at("text").at("rank"), 1) << r.body;
  }
}

// Rows without a stored vector (the fixture's two, inserted with SQL) get
// the provider's, stored by the server itself (IndexSync's embed_missing)
// and labelled with it (migrations/012), in both storage modes; then the
// semantic half finds them.
TEST_F(KnowledgeProviderApi, ArticlesWithoutAStoredVectorGetTheProvidersVector) {
  const std::string labelled =
      "SELECT count(*) FROM knowledge_base kb JOIN cscx_knowledge.embedding_source s"
      "    ON s.article_id = kb.id AND s.embedder = 'openai-compatible:fake-embed'"
      " WHERE kb.embedding IS NOT NULL";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (value(labelled) != "2" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(value(labelled), "2");
  if (!pgvector_storage()) {
    // Their notices bring them into the index.
    for (int i = 0; i < 600; ++i) {
      if (call("GET", "/ready", {}).json().at("knowledge").at("articles") == 2) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(call("GET", "/ready", {}).json().at("knowledge").at("articles"), 2);
  }
  Reply r = search("q=text");
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::value body = r.json();
  bool found = false;
  for (const json::value& result : body.at("results").as_array()) {
    if (result.at("id") != kPublicArticleId) continue;
    found = true;
    EXPECT_FALSE(result.at("vector").is_null()) << r.body;
  }
  EXPECT_TRUE(found) << r.body;
}

// A vector another embedder stored (the built-in one, as a server without
// CSCX_EMBEDDING_* would) is another space's: this server never ranks by it
// and never overwrites it (only `cscx kb reindex` does); the article is
// found by full text.
TEST_F(KnowledgeProviderApi, AnotherEmbeddersVectorIsNeitherUsedNorOverwritten) {
  const std::string id = value(
      "SELECT set_config('cscx.embedder', 'cscx-hash-v1', true);"
      "INSERT INTO knowledge_base (title, content, embedding) VALUES"
      " ('Churn signals', 'Usage drops before a cancel.', array_fill(0.03::real, ARRAY[1536]))"
      " RETURNING id");
  EXPECT_EQ(value("SELECT embedder FROM cscx_knowledge.embedding_source WHERE article_id = '" +
                  id + "'"),
            "cscx-hash-v1");
  // "churn" is the fake model's topic 1: a semantic hit only if the stored
  // vector were (wrongly) ranked, or replaced by the provider's.
  Reply r = search("q=cancel");
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::value body = r.json();
  for (const json::value& result : body.at("results").as_array()) {
    if (result.at("id") != id.c_str()) continue;
    EXPECT_TRUE(result.at("vector").is_null()) << r.body;
  }
  EXPECT_EQ(value("SELECT embedder FROM cscx_knowledge.embedding_source WHERE article_id = '" +
                  id + "'"),
            "cscx-hash-v1");
  EXPECT_EQ(value("SELECT (embedding::real[])[1] FROM knowledge_base WHERE id = '" + id + "'"),
            "0.03");
  // Nor does a PATCH that leaves the text as it is.
  Reply patch = call("PATCH", "/api/knowledge/" + id, service(), R"({"is_public":false})");
  ASSERT_EQ(patch.status, 200u) << patch.body;
  EXPECT_EQ(value("SELECT (embedding::real[])[1] FROM knowledge_base WHERE id = '" + id + "'"),
            "0.03");
  EXPECT_EQ(value("SELECT embedder FROM cscx_knowledge.embedding_source WHERE article_id = '" +
                  id + "'"),
            "cscx-hash-v1");
}

// A PATCH of fields that do not feed the embedding (is_public, metadata)
// keeps the stored vector: no provider call, and no failure when it is down.
TEST_F(KnowledgeProviderApi, APatchOfOtherFieldsAsksNoProvider) {
  const std::string id = create_id(article("Invoice basics", "Invoices go out monthly."));
  const std::vector<float> before = stored_vector(id);
  provider_.set_mode("error");
  Reply r = call("PATCH", "/api/knowledge/" + id, service(),
                 R"({"is_public":false,"metadata":{"owner":"finance"}})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("is_public"), false);
  EXPECT_EQ(stored_vector(id), before);
  // Tags with a NULL among them read back without it: the text is the
  // same, so still nothing is embedded and the tags are not rewritten.
  value("SELECT set_config('cscx.embedder', 'openai-compatible:fake-embed', true);"
        "UPDATE knowledge_base SET tags = '{x,NULL}' WHERE id = '" + id + "';SELECT 1");
  Reply tags = call("PATCH", "/api/knowledge/" + id, service(), R"({"metadata":{}})");
  ASSERT_EQ(tags.status, 200u) << tags.body;
  EXPECT_EQ(value("SELECT tags::text FROM knowledge_base WHERE id = '" + id + "'"), "{x,NULL}");
  EXPECT_EQ(stored_vector(id), before);
  // The text changing needs the provider, which is down: nothing written.
  Reply text = call("PATCH", "/api/knowledge/" + id, service(), R"({"content":"Weekly now."})");
  EXPECT_EQ(text.status, 503u) << text.body;
  EXPECT_EQ(value("SELECT content FROM knowledge_base WHERE id = '" + id + "'"),
            "Invoices go out monthly.");
}

}  // namespace
}  // namespace cscx::testing
