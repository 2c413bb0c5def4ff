// /api/knowledge over HTTP (issue 8): writes store an embedding and need
// service_role; search fuses the ANN index with full-text ranking and
// reads its results back through RLS, so a CSM never sees a non-public
// article or one scoped to another CSM's customer; bad input is a 400 with
// nothing written; the index follows writes made outside the API (NOTIFY).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <csignal>
#include <memory>
#include <set>
#include <thread>

#include "api/api_fixture.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;
using http::testing::HeaderList;

// The ids of a search's results.
std::set<std::string> result_ids(const Reply& r) {
  std::set<std::string> ids;
  json::value v = r.json();
  if (!v.is_object() || !v.as_object().contains("results")) return ids;
  for (const json::value& result : v.at("results").as_array()) {
    ids.emplace(result.at("id").as_string());
  }
  return ids;
}

std::string article(std::string_view title, std::string_view content,
                    json::object extra = {}) {
  extra["title"] = title;
  extra["content"] = content;
  return json::serialize(extra);
}

class KnowledgeApi : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    wait_for_index();
  }

  Reply create(std::string_view body) { return call("POST", "/api/knowledge", service(), body); }
  std::string create_id(std::string_view body) {
    Reply r = create(body);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.status == 201 ? std::string(r.json().at("id").as_string()) : "";
  }
  Reply search(const HeaderList& who, const std::string& query) {
    return call("GET", "/api/knowledge/search?" + query, who);
  }

  std::string article_count() { return value("SELECT count(*) FROM knowledge_base"); }
};

TEST_F(KnowledgeApi, CreateStoresTheEmbeddingAndSearchRanksTheArticleFirst) {
  const std::string renewal = create_id(article(
      "Renewal playbook", "Start renewal conversations ninety days before the term ends.",
      {{"category", "renewals"}, {"tags", json::array{"renewal", "playbook"}}}));
  create_id(article("Onboarding checklist", "Kickoff, data import, admin training."));
  create_id(article("Invoice disputes", "How finance handles a disputed invoice."));
  EXPECT_EQ(value("SELECT cardinality(embedding::real[]) FROM knowledge_base WHERE id = '" +
                  renewal + "'"),
            "1536");

  Reply r = search(service(), "q=renewal%20conversations&k=2");
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::value body = r.json();
  const json::array& results = body.at("results").as_array();
  ASSERT_FALSE(results.empty()) << r.body;
  EXPECT_LE(results.size(), 2u);
  const json::object& first = results[0].as_object();
  EXPECT_EQ(first.at("id"), renewal.c_str()) << r.body;
  EXPECT_EQ(first.at("category"), "renewals");
  // Both halves of the fusion found it, and the parts are in the response.
  EXPECT_EQ(first.at("vector").at("rank"), 1) << r.body;
  EXPECT_GT(first.at("vector").at("similarity").to_number<double>(), 0.2) << r.body;
  EXPECT_EQ(first.at("text").at("rank"), 1) << r.body;
  EXPECT_NEAR(first.at("score").to_number<double>(), 2.0 / 61, 1e-5) << r.body;
  EXPECT_EQ(r.json().at("fusion"), "reciprocal_rank(60)");
  EXPECT_EQ(r.json().at("semantic"), true);
}

TEST_F(KnowledgeApi, SemanticHalfFindsInflectionsFullTextAlsoCovers) {
  const std::string id = create_id(
      article("Expanding seats", "Expansion opportunities appear when usage grows."));
  Reply r = search(as('a'), "q=expansions");
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_TRUE(result_ids(r).count(id)) << r.body;
  EXPECT_FALSE(r.json().at("results").as_array()[0].at("vector").is_null()) << r.body;
}

TEST_F(KnowledgeApi, PatchRecomputesTheEmbeddingAndDeleteRemoves) {
  const std::string id = create_id(article("Escalation path", "Page the on-call manager."));
  const std::string before =
      value("SELECT md5(embedding::text) FROM knowledge_base WHERE id = '" + id + "'");
  Reply p = call("PATCH", "/api/knowledge/" + id, service(),
                 R"({"title":"Quarterly business review template","tags":["qbr"]})");
  ASSERT_EQ(p.status, 200u) << p.body;
  EXPECT_EQ(p.json().at("title"), "Quarterly business review template");
  EXPECT_EQ(p.json().at("content"), "Page the on-call manager.");  // kept
  EXPECT_NE(value("SELECT md5(embedding::text) FROM knowledge_base WHERE id = '" + id + "'"),
            before);

  Reply r = search(service(), "q=quarterly%20review%20template");
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_TRUE(result_ids(r).count(id)) << r.body;
  EXPECT_EQ(r.json().at("results").as_array()[0].at("vector").at("rank"), 1) << r.body;

  Reply d = call("DELETE", "/api/knowledge/" + id, service());
  ASSERT_EQ(d.status, 200u) << d.body;
  EXPECT_EQ(d.json().at("deleted"), true);
  EXPECT_FALSE(result_ids(search(service(), "q=quarterly%20review%20template")).count(id));
  EXPECT_EQ(call("DELETE", "/api/knowledge/" + id, service()).status, 404u);
  EXPECT_EQ(call("PATCH", "/api/knowledge/" + id, service(), R"({"title":"x"})").status, 404u);
}

TEST_F(KnowledgeApi, SearchNeverShowsACsmNonPublicOrAnotherCustomersArticles) {
  const std::string shared = create_id(article("Renewal basics", "Renewal steps for all."));
  const std::string hidden = create_id(
      article("Renewal pricing floor", "Internal renewal discount limits.", {{"is_public", false}}));
  const std::string for_b = create_id(article(
      "Renewal plan for customer B", "Renewal risks of this one customer.",
      {{"metadata", json::object{{"customer_id", tenant_id('b', kCustomer)}}}}));

  Reply a = search(as('a'), "q=renewal&k=100");
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_TRUE(result_ids(a).count(shared)) << a.body;
  EXPECT_FALSE(result_ids(a).count(hidden)) << a.body;
  EXPECT_FALSE(result_ids(a).count(for_b)) << a.body;
  EXPECT_EQ(a.body.find("pricing floor"), std::string::npos);
  EXPECT_EQ(a.body.find(kPrivateArticleId), std::string::npos);
  // Hidden articles take no rank: the visible ones are numbered from 1.
  const json::value a_body = a.json();
  for (const json::value& result : a_body.at("results").as_array()) {
    if (!result.at("vector").is_null()) {
      EXPECT_LE(result.at("vector").at("rank").to_number<int>(), 2) << a.body;
    }
  }

  Reply b = search(as('b'), "q=renewal&k=100");
  ASSERT_EQ(b.status, 200u) << b.body;
  EXPECT_TRUE(result_ids(b).count(for_b)) << b.body;
  EXPECT_FALSE(result_ids(b).count(hidden)) << b.body;

  // anon has no read policy at all.
  Reply none = search(anon(), "q=renewal");
  ASSERT_EQ(none.status, 200u) << none.body;
  EXPECT_TRUE(result_ids(none).empty()) << none.body;

  // service_role sees everything.
  Reply all = search(service(), "q=renewal&k=100");
  EXPECT_TRUE(result_ids(all).count(hidden)) << all.body;
  EXPECT_TRUE(result_ids(all).count(for_b)) << all.body;
}

TEST_F(KnowledgeApi, IndexFollowsWritesMadeOutsideTheApi) {
  // A row written with SQL (no embedding): the NOTIFY brings it into the
  // index, embedded from its text.
  admin_.exec("insert_article",
              "INSERT INTO knowledge_base (id, title, content) VALUES "
              "('d0000000-0000-0000-0000-000000000001', 'Zorblat migration guide',"
              " 'Moving from zorblat to the new platform.')")
      .value();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool in_index = false;
  while (!in_index && std::chrono::steady_clock::now() < deadline) {
    const json::value body = search(service(), "q=zorblat%20guide").json();
    for (const json::value& result : body.at("results").as_array()) {
      in_index = in_index || (result.at("id") == "d0000000-0000-0000-0000-000000000001" &&
                              !result.at("vector").is_null());
    }
    if (!in_index) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(in_index);
}

TEST_F(KnowledgeApi, BadSearchInputIsA400) {
  for (const char* query : {"", "k=5", "q=", "q=%20%20", "q=x&k=0", "q=x&k=101", "q=x&k=abc",
                            "q=x&k=5.5", "q=x&k=-1"}) {
    Reply r = search(as('a'), query);
    EXPECT_EQ(r.status, 400u) << query << " " << r.body;
    EXPECT_EQ(r.code(), "invalid_argument") << query;
  }
  EXPECT_EQ(search(as('a'), "q=" + std::string(1001, 'x')).status, 400u);
}

// Punctuation alone embeds as the zero vector, which has no nearest
// article (and a NaN cosine in pgvector): nothing comes from the semantic
// half, and the answer is still a 200 with well-formed results.
TEST_F(KnowledgeApi, AQueryWithoutAWordFindsNothingSemantically) {
  create_id(article("Renewal playbook", "Start renewal conversations early."));
  Reply r = search(service(), "q=%21%3F%21");
  ASSERT_EQ(r.status, 200u) << r.body;
  for (const json::value& result : r.json().at("results").as_array()) {
    EXPECT_TRUE(result.at("vector").is_null()) << r.body;
  }
}

TEST_F(KnowledgeApi, BadWriteInputIsA400WithNothingWritten) {
  const std::string id = create_id(article("Keep me", "Unchanged."));
  const std::string before = article_count();
  const std::string embedding =
      value("SELECT md5(embedding::text) FROM knowledge_base WHERE id = '" + id + "'");
  for (const char* body :
       {R"({"content":"no title"})", R"({"title":"no content"})", R"({"title":"","content":"x"})",
        R"({"title":5,"content":"x"})", R"({"title":"t","content":"x","tags":[1]})",
        R"({"title":"t","content":"x","is_public":"yes"})",
        R"({"title":"t","content":"x","metadata":[]})",
        R"({"title":"t","content":"x","metadata":{"customer_id":"nope"}})",
        R"({"title":"t","content":"x","colour":"red"})", "not json", "[]"}) {
    Reply r = create(body);
    EXPECT_EQ(r.status, 400u) << body << " " << r.body;
    EXPECT_EQ(r.code(), "invalid_argument") << body;
  }
  for (const char* body : {"{}", R"({"title":""})", R"({"category":7})"}) {
    Reply r = call("PATCH", "/api/knowledge/" + id, service(), body);
    EXPECT_EQ(r.status, 400u) << body << " " << r.body;
  }
  EXPECT_EQ(call("PATCH", "/api/knowledge/not-a-uuid", service(), R"({"title":"x"})").status,
            400u);
  EXPECT_EQ(call("DELETE", "/api/knowledge/not-a-uuid", service()).status, 400u);
  EXPECT_EQ(article_count(), before);
  EXPECT_EQ(value("SELECT title || '/' || md5(embedding::text) FROM knowledge_base WHERE id = '" +
                  id + "'"),
            "Keep me/" + embedding);
}

TEST_F(KnowledgeApi, WritesAsAnonOrCsmAreRefused) {
  const std::string before = article_count();
  const std::string body = article("Sneaky", "text");
  Reply anon_post = call("POST", "/api/knowledge", anon(), body);
  EXPECT_EQ(anon_post.status, 401u) << anon_post.body;
  EXPECT_EQ(call("PATCH", std::string("/api/knowledge/") + kPublicArticleId, anon(),
                 R"({"title":"x"})")
                .status,
            401u);
  EXPECT_EQ(call("DELETE", std::string("/api/knowledge/") + kPublicArticleId, anon()).status,
            401u);
  Reply csm = call("POST", "/api/knowledge", as('a'), body);
  EXPECT_EQ(csm.status, 403u) << csm.body;
  EXPECT_EQ(call("PATCH", std::string("/api/knowledge/") + kPublicArticleId, as('a'),
                 R"({"title":"x"})")
                .status,
            403u);
  EXPECT_EQ(call("DELETE", std::string("/api/knowledge/") + kPublicArticleId, as('a')).status,
            403u);
  EXPECT_EQ(article_count(), before);
  EXPECT_EQ(value(std::string("SELECT title FROM knowledge_base WHERE id = '") +
                  kPublicArticleId + "'"),
            "Public");
}

TEST_F(KnowledgeApi, ReadySaysHowEmbeddingsAreStored) {
  Reply r = call("GET", "/ready", {});
  ASSERT_EQ(r.status, 200u) << r.body;
  if (pgvector_storage()) {
    EXPECT_EQ(r.json().at("knowledge").at("embedding_storage"), "pgvector") << r.body;
    EXPECT_EQ(r.json().at("knowledge").at("ann"), "pgvector ivfflat") << r.body;
    EXPECT_FALSE(r.json().at("knowledge").as_object().contains("articles")) << r.body;
    return;
  }
  EXPECT_EQ(r.json().at("knowledge").at("embedding_storage"), "real[]") << r.body;
  EXPECT_EQ(r.json().at("knowledge").at("ann"), "hnswlib in memory");
  EXPECT_EQ(r.json().at("knowledge").at("index"), "ready") << r.body;
  EXPECT_EQ(r.json().at("knowledge").at("articles").to_number<std::int64_t>(),
            std::stoll(article_count()))
      << r.body;
}

TEST_F(KnowledgeApi, TheIndexGenerationIsNotReachableThroughRest) {
  for (const HeaderList& who : {service(), as('a'), anon()}) {
    Reply r = call("GET", "/rest/v1/knowledge_index?select=generation", who);
    EXPECT_EQ(r.status, 404u) << r.body;
    Reply w = call("PATCH", "/rest/v1/knowledge_index", who, R"({"generation":99})");
    EXPECT_EQ(w.status, 404u) << w.body;
  }
  EXPECT_EQ(value("SELECT generation FROM cscx.knowledge_index"), "1");
}

// A server whose index load is held after its first page (a test-only
// pause): it answers at once, /ready says "loading", and search ranks by
// full text alone and says so.
class KnowledgeApiWhileLoading : public KnowledgeApi {
 protected:
  void SetUp() override {
    if (pgvector_storage()) GTEST_SKIP() << "with pgvector no index is loaded in memory";
    load_two_tenants(admin_);
    start_server_while_the_index_loads();
  }
};

TEST_F(KnowledgeApiWhileLoading, AnswersAtOnceAndSearchesByFullText) {
  EXPECT_EQ(call("GET", "/health", {}).status, 200u);
  // The first page of 1000 goes in, then the load waits.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  json::value knowledge;
  for (;;) {
    Reply ready = call("GET", "/ready", {});
    ASSERT_EQ(ready.status, 200u) << ready.body;
    knowledge = ready.json().at("knowledge");
    if (knowledge.at("articles") == 1000 || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(knowledge.at("index"), "loading") << json::serialize(knowledge);
  EXPECT_EQ(knowledge.at("articles"), 1000) << json::serialize(knowledge);

  Reply r = search(service(), "q=churn%20signals");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("semantic"), false) << r.body;
  ASSERT_TRUE(result_ids(r).count("d0000000-0000-0000-0000-000000000002")) << r.body;
  const json::value body = r.json();
  for (const json::value& result : body.at("results").as_array()) {
    EXPECT_TRUE(result.at("vector").is_null()) << r.body;
    EXPECT_FALSE(result.at("text").is_null()) << r.body;
  }
  // Still RLS: anon reads nothing.
  Reply none = search(anon(), "q=churn%20signals");
  ASSERT_EQ(none.status, 200u) << none.body;
  EXPECT_TRUE(result_ids(none).empty()) << none.body;

  // SIGTERM mid-load: the load stops between pages instead of waiting out
  // the hour-long pause.
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(server_->stop(SIGTERM), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(30));
}

}  // namespace
}  // namespace cscx::testing
