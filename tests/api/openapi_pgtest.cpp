// GET /api/openapi.json (issue 8): the document is valid OpenAPI 3.1 whose
// $refs all resolve, it lists exactly the /api routes the server registers,
// and real responses (happy and error paths) match its response schemas,
// checked by a small JSON-Schema validator that is itself shown to fail.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <set>

#include "api/workspace_fixture.h"
#include "app/server_app.h"
#include "http/metrics.h"
#include "http/router.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;

// The JSON-Schema subset the document uses: $ref (local), allOf, oneOf,
// anyOf, type (a name or a list, "null" for nullable), enum, required,
// properties, additionalProperties: false, items. Errors name the JSON path.
class Validator {
 public:
  explicit Validator(const json::value& root) : root_(root) {}

  std::vector<std::string> validate(const json::value& v, const json::value& schema) const {
    std::vector<std::string> errors;
    check(v, schema, "$", errors);
    return errors;
  }

  // The schema at a local "#/a/b" reference, or null when it does not resolve.
  const json::value* resolve(std::string_view ref) const {
    if (!ref.starts_with("#/")) return nullptr;
    const json::value* at = &root_;
    std::string_view rest = ref.substr(2);
    while (!rest.empty()) {
      const size_t slash = rest.find('/');
      std::string key;  // a JSON pointer segment: "~1" is "/", "~0" is "~"
      const std::string_view raw = rest.substr(0, slash);
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '~' && i + 1 < raw.size()) {
          key += raw[++i] == '1' ? '/' : '~';
        } else {
          key += raw[i];
        }
      }
      if (!at->is_object() || !at->as_object().contains(key)) return nullptr;
      at = &at->as_object().at(key);
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    return at;
  }

 private:
  static bool has_type(const json::value& v, std::string_view type) {
    if (type == "null") return v.is_null();
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_bool();
    if (type == "number") return v.is_number();
    if (type == "integer") {
      return v.is_int64() || v.is_uint64() ||
             (v.is_double() && std::floor(v.as_double()) == v.as_double());
    }
    return false;
  }

  void check(const json::value& v, const json::value& schema, const std::string& path,
             std::vector<std::string>& errors) const {
    if (!schema.is_object()) return;
    const json::object& s = schema.as_object();
    if (const auto* ref = s.if_contains("$ref")) {
      const json::value* target = resolve(ref->as_string());
      if (target == nullptr) {
        errors.push_back(path + ": unresolved " + std::string(ref->as_string()));
      } else {
        check(v, *target, path, errors);
      }
    }
    if (const auto* all = s.if_contains("allOf")) {
      for (const auto& sub : all->as_array()) check(v, sub, path, errors);
    }
    for (const char* key : {"oneOf", "anyOf"}) {
      const auto* alternatives = s.if_contains(key);
      if (alternatives == nullptr) continue;
      size_t matched = 0;
      for (const auto& sub : alternatives->as_array()) {
        std::vector<std::string> sub_errors;
        check(v, sub, path, sub_errors);
        if (sub_errors.empty()) ++matched;
      }
      if (matched == 0 || (std::string_view(key) == "oneOf" && matched > 1)) {
        errors.push_back(path + ": " + std::to_string(matched) + " alternatives of " + key +
                         " match");
      }
    }
    if (const auto* type = s.if_contains("type")) {
      bool ok = false;
      if (type->is_string()) {
        ok = has_type(v, type->as_string());
      } else {
        for (const auto& t : type->as_array()) ok = ok || has_type(v, t.as_string());
      }
      if (!ok) {
        errors.push_back(path + ": " + json::serialize(v).substr(0, 80) + " is not of type " +
                         json::serialize(*type));
        return;
      }
    }
    if (const auto* values = s.if_contains("enum")) {
      bool found = false;
      for (const auto& e : values->as_array()) found = found || e == v;
      if (!found) errors.push_back(path + ": " + json::serialize(v) + " is not in the enum");
    }
    if (v.is_object()) check_object(v.as_object(), s, path, errors);
    if (v.is_array()) {
      if (const auto* items = s.if_contains("items")) {
        size_t i = 0;
        for (const auto& item : v.as_array()) {
          check(item, *items, path + "[" + std::to_string(i++) + "]", errors);
        }
      }
    }
  }

  void check_object(const json::object& o, const json::object& s, const std::string& path,
                    std::vector<std::string>& errors) const {
    if (const auto* required = s.if_contains("required")) {
      for (const auto& name : required->as_array()) {
        if (!o.contains(name.as_string())) {
          errors.push_back(path + ": missing " + std::string(name.as_string()));
        }
      }
    }
    const auto* properties = s.if_contains("properties");
    const auto* extra = s.if_contains("additionalProperties");
    for (const auto& [key, value] : o) {
      const json::value* sub =
          properties ? properties->as_object().if_contains(key) : nullptr;
      if (sub != nullptr) {
        check(value, *sub, path + "." + std::string(key), errors);
      } else if (extra != nullptr && extra->is_bool() && !extra->as_bool()) {
        errors.push_back(path + ": unexpected field " + std::string(key));
      } else if (extra != nullptr && extra->is_object()) {
        check(value, *extra, path + "." + std::string(key), errors);
      }
    }
  }

  const json::value& root_;
};

// Every "$ref" string anywhere under `v`.
void collect_refs(const json::value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& [key, value] : v.as_object()) {
      if (key == "$ref" && value.is_string()) out.emplace_back(value.as_string());
      collect_refs(value, out);
    }
  } else if (v.is_array()) {
    for (const auto& item : v.as_array()) collect_refs(item, out);
  }
}

// "/api/customers/{id}" -> "/api/customers/:id": the router's spelling. The
// calendar route is the template "/api/meetings/:file" whose handler takes
// "<id>.ics" (docs/workspace-api.md).
std::string router_pattern(std::string path) {
  if (path == "/api/meetings/{id}.ics") return "/api/meetings/:file";
  std::string out;
  for (char c : path) {
    if (c == '{') {
      out += ':';
    } else if (c != '}') {
      out += c;
    }
  }
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class OpenApi : public WorkspaceApi {
 protected:
  void SetUp() override {
    WorkspaceApi::SetUp();
    const Reply r = call("GET", "/api/openapi.json", {});
    ASSERT_EQ(r.status, 200u) << r.body;
    doc_ = r.json();
    ASSERT_TRUE(doc_.is_object()) << r.body.substr(0, 200);
  }

  // The documented schema of `status` for `method` on the documented `path`.
  json::value response_schema(const std::string& path, const std::string& method,
                              unsigned status) const {
    Validator validator(doc_);
    const json::value* responses =
        validator.resolve("#/paths/" + escape(path) + "/" + method + "/responses");
    if (responses == nullptr) return nullptr;
    const json::value* response =
        responses->as_object().if_contains(std::to_string(status));
    if (response == nullptr) return nullptr;
    if (const auto* ref = response->as_object().if_contains("$ref")) {
      response = validator.resolve(ref->as_string());
    }
    return response->at("content").at("application/json").at("schema");
  }

  // Checks a real reply against the documented response of its status.
  void expect_documented(const Reply& reply, const std::string& path, const std::string& method) {
    const json::value schema = response_schema(path, method, reply.status);
    ASSERT_FALSE(schema.is_null()) << method << " " << path << " does not document status "
                                   << reply.status << ": " << reply.body.substr(0, 300);
    const auto errors = Validator(doc_).validate(reply.json(), schema);
    EXPECT_TRUE(errors.empty()) << method << " " << path << " " << reply.status << ": "
                                << errors.front() << "\nbody: " << reply.body.substr(0, 600);
  }

  // A JSON pointer segment: "/" is "~1".
  static std::string escape(const std::string& path) {
    std::string out;
    for (char c : path) out += c == '/' ? std::string("~1") : std::string(1, c);
    return out;
  }

  json::value doc_;
};

TEST_F(OpenApi, IsOpenApi31AndEveryRefResolves) {
  const Reply r = call("GET", "/api/openapi.json", {});
  EXPECT_TRUE(r.content_type.starts_with("application/json")) << r.content_type;
  EXPECT_TRUE(std::string(doc_.at("openapi").as_string()).starts_with("3.1."));
  EXPECT_TRUE(doc_.at("paths").is_object());
  EXPECT_TRUE(doc_.at("components").at("securitySchemes").as_object().contains("apikey"));
  std::vector<std::string> refs;
  collect_refs(doc_, refs);
  EXPECT_GT(refs.size(), 50u);
  Validator validator(doc_);
  for (const auto& ref : refs) EXPECT_NE(validator.resolve(ref), nullptr) << ref;
}

TEST_F(OpenApi, DocumentsExactlyTheRegisteredApiRoutes) {
  boost::asio::io_context io;
  db::Pool pool(io.get_executor(), db::PoolOptions{"unused", 1});  // connects lazily
  http::Metrics metrics;
  const std::string secret = kSecret;
  http::Router router;
  knowledge::AnnIndex knowledge_index;
  knowledge::IndexState knowledge_state;
  app::add_api_routes(router, api::RouteContext{pool, secret, metrics}, knowledge_index,
                      knowledge_state);

  std::set<std::string> registered;
  for (const auto& [method, pattern] : router.routes()) {
    if (pattern.starts_with("/api/")) registered.insert(method + " " + pattern);
  }
  std::set<std::string> documented;
  for (const auto& [path, item] : doc_.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      if (method == "parameters") continue;
      documented.insert(upper(method) + " " + router_pattern(path));
    }
  }
  EXPECT_GE(registered.size(), 24u);
  EXPECT_EQ(documented, registered);
}

TEST_F(OpenApi, ValidatorRejectsAWrongResponse) {
  const json::value customer = json::parse(
      R"({"id":"00000000-0000-0000-0000-000000000001","name":"Acme","arr":null,)"
      R"("industry":null,"stage":"active","health_score":70,"csm_id":null})");
  Validator validator(doc_);
  const json::value schema = json::parse(R"({"$ref":"#/components/schemas/Customer"})");
  EXPECT_TRUE(validator.validate(customer, schema).empty());

  json::value no_name = customer;
  no_name.as_object().erase("name");
  EXPECT_FALSE(validator.validate(no_name, schema).empty());
  json::value score_text = customer;
  score_text.as_object()["health_score"] = "70";
  EXPECT_FALSE(validator.validate(score_text, schema).empty());
  const json::value band_schema = json::parse(R"({"$ref":"#/components/schemas/Health"})");
  const json::value bad_band = json::parse(
      R"({"customer_id":"00000000-0000-0000-0000-000000000001","score":1,"band":"blue"})");
  EXPECT_FALSE(validator.validate(bad_band, band_schema).empty());
  EXPECT_FALSE(validator.validate(json::parse(R"({"code":"x"})"),
                                  json::parse(R"({"$ref":"#/components/schemas/Error"})"))
                   .empty());
}

TEST_F(OpenApi, RealResponsesMatchTheDocument) {
  const std::string a = tenant_id('a', kCustomer);
  const std::string b = tenant_id('b', kCustomer);
  struct Case {
    std::string method, target, path;
    char tenant;  // 'a', 's' (service_role) or '-' (no credentials)
    std::string body;
    unsigned expected;
  };
  const std::vector<Case> cases = {
      {"GET", "/api/customers", "/api/customers", 'a', "", 200},
      {"GET", "/api/customers?sort=arr&limit=1", "/api/customers", 's', "", 200},
      {"GET", "/api/customers?sort=bogus", "/api/customers", 'a', "", 400},
      {"GET", "/api/customers", "/api/customers", '-', "", 401},
      {"POST", "/api/customers", "/api/customers", 'a', R"({"name":"OpenAPI Co","arr":10})", 201},
      {"POST", "/api/customers", "/api/customers", 'a', R"({"nme":"typo"})", 400},
      {"GET", "/api/customers/" + a, "/api/customers/{id}", 'a', "", 200},
      {"GET", "/api/customers/" + b, "/api/customers/{id}", 'a', "", 404},
      {"PATCH", "/api/customers/" + a, "/api/customers/{id}", 'a', R"({"industry":"Tech"})", 200},
      {"DELETE", "/api/customers/" + a + "?hard=true", "/api/customers/{id}", 'a', "", 403},
      {"GET", "/api/customers/" + a + "/timeline", "/api/customers/{id}/timeline", 'a', "", 200},
      {"GET", "/api/customers/" + a + "/timeline?type=nope", "/api/customers/{id}/timeline", 'a', "", 400},
      {"GET", "/api/customers/" + a + "/adoption", "/api/customers/{id}/adoption", 'a', "", 200},
      {"GET", "/api/customers/" + a + "/health", "/api/customers/{id}/health", 'a', "", 200},
      {"GET", "/api/customers/" + b + "/health", "/api/customers/{id}/health", 'a', "", 404},
      {"GET", "/api/health/portfolio", "/api/health/portfolio", 'a', "", 200},
      {"POST", "/api/health/refresh", "/api/health/refresh", 'a', "", 403},
      {"POST", "/api/health/refresh", "/api/health/refresh", 's', "", 200},
      {"GET", "/api/scorecard", "/api/scorecard", 'a', "", 200},
      {"GET", "/api/tasks?status=all", "/api/tasks", 'a', "", 200},
      {"GET", "/api/tasks?status=maybe", "/api/tasks", 'a', "", 400},
      {"GET", "/api/insights", "/api/insights", 'a', "", 200},
      {"GET", "/api/insights?customer_id=" + b, "/api/insights", 'a', "", 404},
      {"GET", "/api/training/modules", "/api/training/modules", 'a', "", 200},
      {"POST", "/api/training/progress", "/api/training/progress", 'a', R"({"progress":5})", 400},
      {"POST", "/api/meetings/schedule", "/api/meetings/schedule", 'a',
       R"({"customer_id":")" + a + R"(","title":"QBR","scheduled_at":"2030-01-02T15:00:00Z"})", 201},
      {"POST", "/api/meetings/schedule", "/api/meetings/schedule", 'a',
       R"({"customer_id":")" + b + R"(","title":"QBR","scheduled_at":"2030-01-02T15:00:00Z"})", 404},
      {"POST", "/api/contracts/parse", "/api/contracts/parse", 'a',
       R"({"text":"Master Services Agreement between Vendor Inc. and Acme Corp. Annual fee: $120,000."})", 200},
      {"POST", "/api/contracts/parse?commit=true", "/api/contracts/parse", 'a',
       R"({"text":"Master Services Agreement between Vendor Inc. and Acme Corp. Annual fee: $120,000."})", 201},
      {"POST", "/api/contracts/parse", "/api/contracts/parse", 'a', R"({"txt":"x"})", 400},
      {"POST", "/api/customers/" + a + "/health/override", "/api/customers/{id}/health/override", 'a',
       R"({"score":55,"reason":"exec call","expires_at":"2099-01-01T00:00:00Z"})", 200},
      {"POST", "/api/customers/" + a + "/health/override", "/api/customers/{id}/health/override", 'a',
       R"({"score":101,"reason":"x","expires_at":"2099-01-01T00:00:00Z"})", 400},
      {"DELETE", "/api/customers/" + a + "/health/override", "/api/customers/{id}/health/override", 'a', "", 200},
      {"DELETE", "/api/customers/" + b + "/health/override", "/api/customers/{id}/health/override", 'a', "", 404},
      {"PUT", "/api/scorecard", "/api/scorecard", 'a', R"({"weights":{"adoption":1}})", 403},
      {"PUT", "/api/scorecard", "/api/scorecard", 's', R"({"weights":{"nope":1}})", 400},
      {"PUT", "/api/scorecard", "/api/scorecard", 's', R"({"weights":{"adoption":1,"engagement":1}})", 200},
      {"PATCH", "/api/tasks/" + a, "/api/tasks/{id}", 'a', R"({"status":"done"})", 404},
      {"POST", "/api/meetings/" + tenant_id('a', kMeeting) + "/transcript", "/api/meetings/{id}/transcript", 'a',
       R"({"content":"Sarah: We decided to renew. Mike: I will send the quote by Friday."})", 200},
      {"POST", "/api/meetings/" + tenant_id('b', kMeeting) + "/transcript", "/api/meetings/{id}/transcript", 'a',
       R"({"content":"Sarah: hello"})", 404},
      {"GET", "/api/meetings/" + tenant_id('b', kMeeting) + ".ics", "/api/meetings/{id}.ics", 'a', "", 404},
      {"POST", "/api/agents/sessions", "/api/agents/sessions", 'a', R"({"customer_id":")" + a + R"("})", 201},
      {"POST", "/api/agents/sessions", "/api/agents/sessions", 'a', R"({"customer":"x"})", 400},
      {"GET", "/api/agents/sessions/" + tenant_id('a', kSession), "/api/agents/sessions/{id}", 'a', "", 200},
      {"GET", "/api/agents/sessions/" + tenant_id('b', kSession), "/api/agents/sessions/{id}", 'a', "", 404},
      {"POST", "/api/agents/chat", "/api/agents/chat", 'a',
       R"({"session_id":")" + tenant_id('a', kSession) + R"(","message":"How healthy is this customer?"})", 201},
      {"GET", "/api/agents/pending", "/api/agents/pending", 'a', "", 200},
      {"POST", "/api/agents/approve/" + tenant_id('b', kApproval), "/api/agents/approve/{id}", 'a',
       R"({"approved":true})", 404},
      {"GET", "/api/knowledge/search?q=renewal", "/api/knowledge/search", 'a', "", 200},
      {"GET", "/api/knowledge/search", "/api/knowledge/search", 'a', "", 400},
      {"POST", "/api/knowledge", "/api/knowledge", 'a', R"({"title":"T","content":"C"})", 403},
      {"POST", "/api/knowledge", "/api/knowledge", 's', R"({"title":"Renewal playbook","content":"Start early."})", 201},
      {"DELETE", "/api/knowledge/" + b, "/api/knowledge/{id}", 's', "", 404},
      {"DELETE", "/api/customers/" + a, "/api/customers/{id}", 'a', "", 200},
      {"GET", "/api/customers/" + a + "/adoption", "/api/customers/{id}/adoption", 'a', "", 200},
      {"GET", "/api/customers/" + a + "/health", "/api/customers/{id}/health", 'a', "", 200},
  };
  for (const Case& c : cases) {
    const http::testing::HeaderList headers =
        c.tenant == 's' ? service() : c.tenant == '-' ? http::testing::HeaderList{} : as(c.tenant);
    const Reply reply = call(c.method, c.target, headers, c.body);
    EXPECT_EQ(reply.status, c.expected) << c.method << " " << c.target << ": " << reply.body;
    std::string method = c.method;
    for (char& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    expect_documented(reply, c.path, method);
  }
}

// The one route whose answer is not JSON: its 200 is documented as
// text/calendar, and that is what the server sends.
TEST_F(OpenApi, CalendarFileIsDocumentedAsTextCalendar) {
  const Reply meeting = call("POST", "/api/meetings/schedule", as('a'),
                             R"({"customer_id":")" + tenant_id('a', kCustomer) +
                                 R"(","title":"QBR","scheduled_at":"2030-01-02T15:00:00Z"})");
  ASSERT_EQ(meeting.status, 201u) << meeting.body;
  const std::string id(meeting.json().at("id").as_string());
  const Reply ics = get("/api/meetings/" + id + ".ics", 'a');
  ASSERT_EQ(ics.status, 200u) << ics.body;
  EXPECT_TRUE(ics.content_type.starts_with("text/calendar")) << ics.content_type;
  EXPECT_TRUE(ics.body.starts_with("BEGIN:VCALENDAR"));
  Validator validator(doc_);
  const json::value* content = validator.resolve(
      "#/paths/~1api~1meetings~1{id}.ics/get/responses/200/content/text~1calendar");
  EXPECT_NE(content, nullptr);
}

}  // namespace
}  // namespace cscx::testing
