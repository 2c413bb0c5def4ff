// /rest/v1 over HTTP: statuses, headers and error bodies as PostgREST gives
// them, the caller's role deciding rows, and the schema cache following
// NOTIFY pgrst. (tests/compat/ drives the same API through supabase-js.)
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <thread>

#include "api/server_process.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "http/test_client.h"
#include "schema/tenant_fixture.h"
#include "support/run_cscx.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;
using http::testing::HeaderList;
using http::testing::TestClient;

constexpr const char* kSecret = "rest-api-secret-rest-api-secret-rest-api-1";

HeaderList operator+(HeaderList a, const HeaderList& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct Reply {
  unsigned status = 0;
  std::string body;
  std::string content_range;
  std::string content_type;
  std::string code() const {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("code")) return "<no code>";
    return std::string(v.at("code").as_string());
  }
};

class RestApi : public ::testing::Test {
 protected:
  void SetUp() override {
    load_two_tenants(admin_);
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{},
        std::map<std::string, std::string>{{"DATABASE_URL", db_.url()},
                                           {"CSCX_API_DATABASE_URL", db_.url_as("authenticator")},
                                           {"CSCX_JWT_SECRET", kSecret},
                                           {"CSCX_HOME", home_.path()},
                                           {"CSCX_THREADS", "2"}});
  }

  std::string token(char tenant) const {
    const std::int64_t now = time(nullptr);
    return auth::sign_jwt({{"sub", tenant_id(tenant, kUser)},
                           {"role", "authenticated"},
                           {"aud", "authenticated"},
                           {"iat", now},
                           {"exp", now + 3600}},
                          kSecret);
  }

  HeaderList as(char tenant) const {
    return {{"apikey", keys_.anon}, {"Authorization", "Bearer " + token(tenant)}};
  }
  HeaderList service() const { return {{"apikey", keys_.service_role}}; }

  Reply call(std::string_view method, const std::string& target, HeaderList headers,
             std::string_view body = {}) {
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    TestClient client(server_->port());
    auto r = client.request(method, target, headers, body);
    if (!r) return {};
    Reply out{static_cast<unsigned>(r->result_int()), r->body()};
    if (auto it = r->find("Content-Range"); it != r->end()) out.content_range = it->value();
    if (auto it = r->find("Content-Type"); it != r->end()) out.content_type = it->value();
    return out;
  }

  TestDatabase db_;
  db::Connection admin_ = db_.connect();
  TempDir home_;
  auth::ApiKeys keys_ = auth::api_keys(kSecret);
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(RestApi, ReadsThroughRlsWithContentRange) {
  Reply a = call("GET", "/rest/v1/customers?select=name", as('a'));
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, R"([{"name":"Customer a"}])");
  EXPECT_EQ(a.content_range, "0-0/*");
  Reply anon = call("GET", "/rest/v1/customers", {{"apikey", keys_.anon}});
  EXPECT_EQ(anon.body, "[]");
  EXPECT_EQ(anon.content_range, "*/*");
  Reply all = call("GET", "/rest/v1/customers?select=name&order=name&limit=1",
                   service() + HeaderList{{"Prefer", "count=exact"}});
  EXPECT_EQ(all.status, 206u);
  EXPECT_EQ(all.content_range, "0-0/2");
}

TEST_F(RestApi, OffsetPastTheRowsIs416WhenCounted) {
  Reply r = call("GET", "/rest/v1/customers?offset=5",
                 service() + HeaderList{{"Prefer", "count=exact"}});
  EXPECT_EQ(r.status, 416u);
  EXPECT_EQ(r.code(), "PGRST103");
  EXPECT_EQ(call("GET", "/rest/v1/customers?offset=5", service()).status, 200u);
}

TEST_F(RestApi, SingleObjectNeedsExactlyOneRow) {
  HeaderList h = as('a');
  h.emplace_back("Accept", "application/vnd.pgrst.object+json");
  Reply one = call("GET", "/rest/v1/customers?select=name", h);
  EXPECT_EQ(one.status, 200u);
  EXPECT_EQ(one.body, R"({"name":"Customer a"})");
  Reply none = call("GET", "/rest/v1/customers?name=eq.nobody", h);
  EXPECT_EQ(none.status, 406u);
  EXPECT_EQ(none.code(), "PGRST116");
  // A write that would touch two rows is refused and rolled back.
  HeaderList w = service();
  w.emplace_back("Accept", "application/vnd.pgrst.object+json");
  Reply many = call("PATCH", "/rest/v1/customers", w, R"({"industry":"x"})");
  EXPECT_EQ(many.status, 406u);
  EXPECT_EQ(query_value(admin_, "SELECT count(*) FROM customers WHERE industry = 'x'"), "0");
}

TEST_F(RestApi, ErrorsUsePostgrestCodesAndStatuses) {
  EXPECT_EQ(call("GET", "/rest/v1/nope", service()).code(), "PGRST205");
  EXPECT_EQ(call("GET", "/rest/v1/nope", service()).status, 404u);
  EXPECT_EQ(call("GET", "/rest/v1/customers?select=nope", service()).code(), "42703");
  EXPECT_EQ(call("GET", "/rest/v1/customers?id=eq.x", service()).code(), "22P02");
  EXPECT_EQ(call("GET", "/rest/v1/customers?id=zz.x", service()).code(), "PGRST100");
  EXPECT_EQ(call("GET", "/rest/v1/customers?select=*,nope(*)", service()).code(), "PGRST200");
  EXPECT_EQ(call("POST", "/rest/v1/customers", service(), "{bad").code(), "PGRST102");
  EXPECT_EQ(call("POST", "/rest/v1/customers", service(), R"({"nope":1})").code(), "PGRST204");
  EXPECT_EQ(call("POST", "/rest/v1/rpc/nope", service(), "{}").code(), "PGRST202");
  EXPECT_EQ(call("DELETE", "/rest/v1/rpc/update_health_score", service()).code(), "PGRST101");
  EXPECT_EQ(call("GET", "/rest/v1/a/b", service()).code(), "PGRST125");
  Reply dup = call("POST", "/rest/v1/customers", service(),
                   R"({"id":")" + tenant_id('a', kCustomer) + R"(","name":"x"})");
  EXPECT_EQ(dup.status, 409u);
  EXPECT_EQ(dup.code(), "23505");
  Reply rls = call("POST", "/rest/v1/customers", as('a'),
                   R"({"name":"x","csm_id":")" + tenant_id('b', kUser) + R"("})");
  EXPECT_EQ(rls.status, 403u);
  EXPECT_EQ(rls.code(), "42501");
}

TEST_F(RestApi, RefusesOtherProfilesAndMediaTypes) {
  Reply p = call("GET", "/rest/v1/customers", service() + HeaderList{{"Accept-Profile", "x"}});
  EXPECT_EQ(p.status, 406u);
  EXPECT_EQ(p.code(), "PGRST106");
  Reply m = call("GET", "/rest/v1/customers", service() + HeaderList{{"Accept", "image/png"}});
  EXPECT_EQ(m.status, 406u);
  EXPECT_EQ(m.code(), "PGRST107");
}

TEST_F(RestApi, RefusedTokensAre401WithPostgrestCodes) {
  EXPECT_EQ(call("GET", "/rest/v1/customers", {}).status, 401u);
  Reply bad = call("GET", "/rest/v1/customers", {{"apikey", "x.y.z"}});
  EXPECT_EQ(bad.status, 401u);
  EXPECT_EQ(bad.code(), "PGRST301");

  const std::int64_t now = time(nullptr);
  const std::string expired = auth::sign_jwt(
      {{"sub", tenant_id('a', kUser)}, {"role", "authenticated"}, {"exp", now - 10}},
      kSecret);
  Reply old = call("GET", "/rest/v1/customers",
                   {{"apikey", keys_.anon}, {"Authorization", "Bearer " + expired}});
  EXPECT_EQ(old.status, 401u);
  EXPECT_EQ(old.code(), "PGRST303");
  // Decided by the verifier's reason, not by words in the message: a
  // not-yet-valid token is PGRST301.
  const std::string early = auth::sign_jwt(
      {{"role", "authenticated"}, {"exp", now + 3600}, {"nbf", now + 600}}, kSecret);
  Reply soon = call("GET", "/rest/v1/customers",
                    {{"apikey", keys_.anon}, {"Authorization", "Bearer " + early}});
  EXPECT_EQ(soon.status, 401u);
  EXPECT_EQ(soon.code(), "PGRST301");
}

// The server remembers verified tokens (auth/principal.cpp); a token that
// was accepted must still be refused once its exp has passed.
TEST_F(RestApi, AnAcceptedTokenIsRefusedOnceItExpires) {
  const std::int64_t exp = time(nullptr) + 2;
  const std::string brief = auth::sign_jwt({{"sub", tenant_id('a', kUser)},
                                            {"role", "authenticated"},
                                            {"aud", "authenticated"},
                                            {"exp", exp}},
                                           kSecret);
  const HeaderList headers{{"apikey", keys_.anon}, {"Authorization", "Bearer " + brief}};
  Reply fresh = call("GET", "/rest/v1/customers?select=id", headers);
  ASSERT_EQ(fresh.status, 200u) << fresh.body;
  EXPECT_EQ(call("GET", "/rest/v1/customers?select=id", headers).status, 200u);
  while (time(nullptr) <= exp) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Reply late = call("GET", "/rest/v1/customers?select=id", headers);
  EXPECT_EQ(late.status, 401u);
  EXPECT_EQ(late.code(), "PGRST303");
}

TEST_F(RestApi, AnAnonymousWriteIs401AndWritesNothing) {
  // anon holds no INSERT privilege: PostgreSQL's 42501, which PostgREST
  // answers with 401 for an anonymous caller (403 for a signed-in one).
  Reply refused = call("POST", "/rest/v1/customers", {{"apikey", keys_.anon}},
                       R"({"name":"Anonymous"})");
  EXPECT_EQ(refused.status, 401u) << refused.body;
  EXPECT_EQ(refused.code(), "42501");
  Reply all = call("GET", "/rest/v1/customers?select=name&name=eq.Anonymous", service());
  EXPECT_EQ(all.body, "[]");
}

TEST_F(RestApi, WritesAnswerWithRepresentationOrNothing) {
  HeaderList rep = as('a') + HeaderList{{"Prefer", "return=representation"}};
  Reply created = call("POST", "/rest/v1/customers?select=name,stage", rep,
                       R"({"name":"New","csm_id":")" + tenant_id('a', kUser) + R"("})");
  EXPECT_EQ(created.status, 201u);
  EXPECT_EQ(created.body, R"([{"name":"New","stage":"prospect"}])");
  Reply minimal = call("PATCH", "/rest/v1/customers?name=eq.New", as('a'), R"({"arr":5})");
  EXPECT_EQ(minimal.status, 204u);
  EXPECT_EQ(minimal.body, "");
  // CSM a cannot touch b's customer: zero rows, nothing changed.
  Reply other = call("PATCH", "/rest/v1/customers?id=eq." + tenant_id('b', kCustomer),
                     rep, R"({"name":"Hijacked"})");
  EXPECT_EQ(other.body, "[]");
  Reply gone = call("DELETE", "/rest/v1/customers?id=eq." + tenant_id('b', kCustomer), rep);
  EXPECT_EQ(gone.body, "[]");
  EXPECT_EQ(query_value(admin_, "SELECT name FROM customers WHERE id = '" +
                                    tenant_id('b', kCustomer) + "'"),
            "Customer b");
}

TEST_F(RestApi, RollbackPreferenceKeepsNothing) {
  Reply r = call("DELETE", "/rest/v1/transcripts",
                 service() + HeaderList{{"Prefer", "tx=rollback,return=representation"}});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(query_value(admin_, "SELECT count(*) FROM transcripts"), "2");
}

TEST_F(RestApi, CsvAndStrippedNulls) {
  Reply csv = call("GET", "/rest/v1/customers?select=name,industry&order=name",
                   service() + HeaderList{{"Accept", "text/csv"}});
  EXPECT_EQ(csv.status, 200u);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body, "\"name\",\"industry\"\n\"Customer a\",\n\"Customer b\",");
  Reply stripped =
      call("GET", "/rest/v1/customers?select=name,industry&order=name&limit=1",
           service() + HeaderList{{"Accept", "application/json;nulls=stripped"}});
  EXPECT_EQ(stripped.body, R"([{"name":"Customer a"}])");
}

TEST_F(RestApi, FunctionsRunByPostAndReadOnlyByGet) {
  const std::string id = tenant_id('a', kCustomer);
  Reply post = call("POST", "/rest/v1/rpc/update_health_score", as('a'),
                    R"({"customer_uuid":")" + id + R"("})");
  EXPECT_EQ(post.status, 200u) << post.body;
  // update_health_score writes, so a GET (read-only transaction) is 405.
  Reply get = call("GET", "/rest/v1/rpc/update_health_score?customer_uuid=" + id, as('a'));
  EXPECT_EQ(get.status, 405u);
  EXPECT_EQ(get.code(), "25006");
}

TEST_F(RestApi, SchemaCacheFollowsNotify) {
  EXPECT_EQ(call("GET", "/rest/v1/notes_for_test", service()).status, 404u);
  query_value(admin_,
              "CREATE TABLE public.notes_for_test (id int PRIMARY KEY, body text);"
              "GRANT SELECT ON public.notes_for_test TO service_role;"
              "INSERT INTO public.notes_for_test VALUES (1, 'hi');"
              "NOTIFY pgrst, 'reload schema'; SELECT 1");
  Reply r;
  for (int i = 0; i < 50 && r.status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r = call("GET", "/rest/v1/notes_for_test", service());
  }
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"([{"id":1,"body":"hi"}])");
}

TEST_F(RestApi, StrictMaxAffectedRefusesAndRollsBack) {
  HeaderList h = service() + HeaderList{{"Prefer", "handling=strict, max-affected=1"}};
  Reply r = call("PATCH", "/rest/v1/customers", h, R"({"industry":"bulk"})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.code(), "PGRST124");
  EXPECT_EQ(query_value(admin_, "SELECT count(*) FROM customers WHERE industry = 'bulk'"), "0");
  Reply one = call("PATCH", "/rest/v1/customers?id=eq." + tenant_id('a', kCustomer), h,
                   R"({"industry":"one"})");
  EXPECT_EQ(one.status, 204u);
}

TEST_F(RestApi, AmbiguousEmbeddingIs300UntilAHintPicksOne) {
  query_value(admin_,
              "CREATE TABLE public.handovers (id int PRIMARY KEY,"
              " from_customer uuid REFERENCES customers(id),"
              " to_customer uuid REFERENCES customers(id));"
              "GRANT SELECT ON public.handovers TO service_role;"
              "INSERT INTO public.handovers VALUES (1, '" + tenant_id('a', kCustomer) + "', '" +
                  tenant_id('b', kCustomer) + "');"
              "NOTIFY pgrst, 'reload schema'; SELECT 1");
  Reply r;
  for (int i = 0; i < 50 && r.status != 300; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r = call("GET", "/rest/v1/handovers?select=id,customers(name)", service());
  }
  EXPECT_EQ(r.status, 300u);
  EXPECT_EQ(r.code(), "PGRST201");
  Reply hinted =
      call("GET", "/rest/v1/handovers?select=id,customers!to_customer(name)", service());
  EXPECT_EQ(hinted.status, 200u);
  EXPECT_EQ(hinted.body, R"([{"id":1,"customers":{"name":"Customer b"}}])");
}

}  // namespace
}  // namespace cscx::testing
