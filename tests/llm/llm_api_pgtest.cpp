// The optional LLM provider behind the two endpoints (issue 6), against a
// local fake chat-completions endpoint: a good answer is merged and stored,
// any failure answers with the built-in result, and a slow provider does not
// stall the server's event loop.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <future>
#include <memory>

#include "api/api_fixture.h"
#include "llm/fake_llm_server.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;
using http::testing::HeaderList;


constexpr const char* kContract =
    "Vendor: Northwind Analytics Inc.\n"
    "Customer: BrightPath Logistics LLC\n\n"
    "Subscription Start Date: March 1, 2024\n"
    "Subscription Term: 12 months\n"
    "Annual Fee: USD 105,000\n";

constexpr const char* kTranscript =
    "Alice: Thanks for joining. Usage is up 18% this quarter.\n"
    "Sarah: Great. We decided to roll out to the Detroit plant in Q4.\n"
    "Marcus: I will send the SSO logs by Friday.\n";

// One canned answer for both endpoints: each merge takes only its own keys.
constexpr const char* kAnswer = R"({
  "company_name": "BrightPath Logistics",
  "arr": 110000,
  "summary": "The model's summary.",
  "decisions": ["Roll out to Detroit in Q4", "Review usage monthly"],
  "action_items": "not a list"
})";

std::string text(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : "<" + json::serialize(v) + ">";
}

class LlmApi : public ApiTest {
 protected:
  // Each test starts the server with the fake model's behaviour it needs.
  void SetUp() override { load_two_tenants(admin_); }
  // The server goes before the fake model it may still be talking to.
  void TearDown() override { server_.reset(); }

  void start(const std::string& mode, const std::string& timeout_ms = "5000",
             const std::string& threads = "2") {
    start_server({{"CSCX_THREADS", threads},
                  {"CSCX_LLM_URL", llm_.url(mode)},
                  {"CSCX_LLM_KEY", "fake-key"},
                  {"CSCX_LLM_MODEL", "fake-model"},
                  {"CSCX_LLM_TIMEOUT_MS", timeout_ms}});
  }

  Reply parse_contract(bool commit) {
    json::object o{{"text", kContract}};
    if (commit) o["commit"] = true;
    return call("POST", "/api/contracts/parse", as('a'), json::serialize(o));
  }

  Reply post_transcript() {
    json::object o{{"content", kTranscript}, {"meeting_date", "2024-05-06"}};
    return call("POST", "/api/meetings/" + tenant_id('a', kMeeting) + "/transcript", as('a'),
                json::serialize(o));
  }

  FakeLlmServer llm_{kAnswer};
};

TEST_F(LlmApi, ContractFieldsFromTheModelAreMergedAndCommitted) {
  start("good");
  Reply r = parse_contract(true);
  ASSERT_EQ(r.status, 201u) << r.body;
  const json::value body = r.json();
  const json::value& x = body.at("extraction");
  EXPECT_EQ(text(x.at("company_name")), "BrightPath Logistics");
  EXPECT_EQ(text(x.at("evidence").at("company_name").at("source")), "llm");
  EXPECT_EQ(x.at("arr").to_number<double>(), 110000);
  EXPECT_EQ(text(x.at("contract_term").at("start_date")), "2024-03-01");
  EXPECT_EQ(text(x.at("evidence").at("contract_term.start_date").at("source")), "rules");
  EXPECT_EQ(value("SELECT company_name || '/' || (arr = 110000) FROM contracts WHERE company_name LIKE "
                  "'BrightPath%'"),
            "BrightPath Logistics/true");
  // The request reached the fake endpoint with the key and the draft.
  const auto requests = llm_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_NE(requests[0].find("Bearer fake-key"), std::string::npos);
  EXPECT_NE(requests[0].find("BrightPath Logistics LLC"), std::string::npos);
}

TEST_F(LlmApi, TranscriptInsightsComeFromTheMergedAnalysis) {
  start("good");
  Reply r = post_transcript();
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::value body = r.json();
  const json::value& analysis = body.at("analysis");
  EXPECT_EQ(text(analysis.at("summary")), "The model's summary.");
  EXPECT_EQ(text(analysis.at("sources").at("decisions")), "llm");
  EXPECT_FALSE(analysis.at("sources").as_object().contains("action_items"));
  EXPECT_EQ(analysis.at("action_items").as_array().size(), 1u) << "the analyser's own";
  EXPECT_EQ(value("SELECT string_agg(content, '|' ORDER BY content) FROM insights WHERE meeting_id = '" +
                  tenant_id('a', kMeeting) + "' AND source = 'transcript' AND type = 'decision'"),
            "Review usage monthly|Roll out to Detroit in Q4");
}

TEST_F(LlmApi, ProviderFailuresAnswerWithTheBuiltInResult) {
  for (const std::string mode : {"error", "malformed", "hang"}) {
    start(mode, "300");
    Reply contract = parse_contract(false);
    ASSERT_EQ(contract.status, 200u) << mode << ": " << contract.body;
    const json::value x = contract.json().at("extraction");
    EXPECT_EQ(text(x.at("company_name")), "BrightPath Logistics LLC") << mode;
    EXPECT_EQ(text(x.at("evidence").at("company_name").at("source")), "rules") << mode;

    Reply transcript = post_transcript();
    ASSERT_EQ(transcript.status, 200u) << mode << ": " << transcript.body;
    EXPECT_FALSE(transcript.json().at("analysis").as_object().contains("sources")) << mode;
    server_.reset();
  }
}

TEST_F(LlmApi, ASlowProviderDoesNotStallOtherRequests) {
  // One server thread. The provider answers after 1.5 s; /health, sent
  // while the transcript waits for it, must be answered first, which it
  // cannot be if the wait blocks the thread.
  start("slow", "10000", "1");
  auto slow = std::async(std::launch::async, [this] { return post_transcript(); });
  while (llm_.requests().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Reply health = call("GET", "/health", {});
  EXPECT_EQ(health.status, 200u);
  EXPECT_NE(slow.wait_for(std::chrono::seconds(0)), std::future_status::ready)
      << "/health waited for the provider";
  Reply transcript = slow.get();
  ASSERT_EQ(transcript.status, 200u) << transcript.body;
  EXPECT_EQ(text(transcript.json().at("analysis").at("summary")), "The model's summary.");
}

}  // namespace
}  // namespace cscx::testing
