// The optional LLM provider against a local fake endpoint: what is merged,
// what is ignored, and that every failure keeps the built-in result.
#include "llm/llm_assist.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "llm/fake_llm_server.h"
#include "support/test_database.h"

namespace cscx::llm {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using cscx::testing::FakeLlmServer;

contracts::ContractExtraction parsed_contract() {
  return contracts::parse_contract(
             cscx::testing::source_text(
                 "tests/data/contracts/dev/01_orderform_brightpath.txt"))
      .value();
}

// A model answer that corrects some fields, agrees on one, and gets others
// wrong in type or range (those must be ignored).
const char* kContractAnswer = R"({
  "company_name": "BrightPath Logistics",
  "arr": 120000,
  "currency": "usd",
  "contract_term": {"start_date": "2024-03-01", "end_date": "2025-13-40", "months": "12",
                    "auto_renew": false, "renewal_notice_days": 90},
  "entitlements": [{"name": "Analytics Platform Enterprise", "quantity": 300, "unit": "users"}],
  "stakeholders": [{"name": "Maria Gonzalez", "title": "COO", "email": "not-an-email"}],
  "technical_requirements": [],
  "pricing_terms": {"total_value": -5, "billing_frequency": "weekly", "payment_terms_days": 45,
                    "currency": "USD"}
})";

LlmConfig config_for(const FakeLlmServer& server, const std::string& mode,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  return LlmConfig{server.url(mode), "test-key", "test-model", timeout};
}

TEST(LlmMerge, TakesValidFieldsAndIgnoresInvalidOnes) {
  auto x = parsed_contract();
  const auto before = x;
  const int taken = merge_contract_answer(json::parse(kContractAnswer).as_object(), x);

  EXPECT_EQ(x.company_name, "BrightPath Logistics");
  EXPECT_EQ(x.evidence.at("company_name").source, "llm");
  EXPECT_GT(x.evidence.at("company_name").end, x.evidence.at("company_name").start)
      << "a value found verbatim in the text gets its span";
  EXPECT_LE(x.evidence.at("company_name").confidence, 0.5);
  EXPECT_EQ(x.arr, 120000);
  EXPECT_EQ(x.evidence.at("arr").source, "llm");
  EXPECT_EQ(x.contract_term.auto_renew, false);
  EXPECT_EQ(x.contract_term.renewal_notice_days, 90);
  EXPECT_EQ(x.pricing_terms.payment_terms_days, 45);
  ASSERT_EQ(x.entitlements.size(), 1u);
  EXPECT_EQ(x.entitlements[0].quantity, 300);
  EXPECT_EQ(x.evidence.count("entitlements[1]"), 0u) << "the old list's evidence is dropped";

  // Invalid or wrongly typed: kept as the parser found them.
  EXPECT_EQ(x.currency, before.currency);                   // lower case is not ISO 4217
  EXPECT_EQ(x.contract_term.end_date, before.contract_term.end_date);  // not a date
  EXPECT_EQ(x.contract_term.months, before.contract_term.months);      // a string
  EXPECT_EQ(x.stakeholders.size(), before.stakeholders.size());        // a bad email
  EXPECT_EQ(x.technical_requirements, before.technical_requirements);  // empty is no answer
  EXPECT_EQ(x.pricing_terms.total_value, before.pricing_terms.total_value);
  EXPECT_EQ(x.pricing_terms.billing_frequency, before.pricing_terms.billing_frequency);
  // Agreement changes nothing, and keeps the parser's evidence.
  EXPECT_EQ(x.evidence.at("contract_term.start_date").source, "rules");
  EXPECT_EQ(taken, 6);
  EXPECT_EQ(json::value_to<std::string>(
                contracts::to_json(x).at("evidence").at("arr").at("source")),
            "llm");
}

TEST(LlmMerge, TranscriptFieldsAreMarkedWithTheirSource) {
  auto a = meetings::analyze_transcript(
               "Ana: We decided to renew for two years.\nBen: I will send the quote by Friday.\n")
               .value();
  const auto before = a;
  const int taken = merge_transcript_answer(json::parse(R"({
      "summary": "Renewal agreed.",
      "decisions": ["Renew for two years"],
      "action_items": [{"description": "Send the quote", "owner": "Ben", "due_date": "2026-01-09"}],
      "concerns": "none",
      "sentiment": {"overall": "positive", "per_speaker": {"Ana": "positive", "Zed": "negative"}},
      "risk_signals": [{"type": "made_up", "sentence": "x"}]
    })").as_object(), a);
  EXPECT_EQ(a.summary, "Renewal agreed.");
  ASSERT_EQ(a.action_items.size(), 1u);
  EXPECT_EQ(a.action_items[0].owner, "Ben");
  EXPECT_EQ(meetings::format_iso_date(*a.action_items[0].due_date), "2026-01-09");
  EXPECT_EQ(a.overall_sentiment, meetings::Sentiment::kPositive);
  EXPECT_EQ(a.concerns, before.concerns);          // not a list
  EXPECT_EQ(a.risk_signals.size(), before.risk_signals.size());  // unknown type
  EXPECT_EQ(a.speakers.size(), before.speakers.size());          // "Zed" is not added
  EXPECT_EQ(taken, 4);
  const json::object out = meetings::to_json(a);
  EXPECT_EQ(out.at("sources").at("summary").as_string(), "llm");
  EXPECT_FALSE(out.at("sources").as_object().contains("concerns"));
  EXPECT_FALSE(meetings::to_json(before).contains("sources"));
}

TEST(LlmClient, SendsAJsonModeRequestAndReadsTheAnswer) {
  FakeLlmServer server(R"({"company_name": "Acme"})");
  auto answer = ask_json_blocking(config_for(server, "good"), "system text", "user text");
  ASSERT_TRUE(answer) << answer.error().to_string();
  EXPECT_EQ(answer->at("company_name").as_string(), "Acme");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_NE(requests[0].find("POST /good/v1/chat/completions HTTP/1.1"), std::string::npos);
  EXPECT_NE(requests[0].find("Authorization: Bearer test-key"), std::string::npos);
  const std::string body = requests[0].substr(requests[0].find("\r\n\r\n") + 4);
  const json::value request = json::parse(body);
  EXPECT_EQ(request.at("model").as_string(), "test-model");
  EXPECT_EQ(request.at("response_format").at("type").as_string(), "json_object");
  EXPECT_EQ(request.at("messages").at(1).at("content").as_string(), "user text");
}

TEST(LlmClient, EveryFailureIsAnErrorValue) {
  FakeLlmServer server("{}");
  struct Case {
    std::string mode;
    Code code;
  };
  // Transient (a retry may succeed): 5xx, 429, no answer in time.
  // Permanent: a refusal such as a bad key, or an answer of the wrong shape.
  for (const Case& c :
       {Case{"malformed", Code::kDependencyFailed}, Case{"wrong-shape", Code::kDependencyFailed},
        Case{"not-object", Code::kDependencyFailed}, Case{"error", Code::kUnavailable},
        Case{"429", Code::kUnavailable}, Case{"401", Code::kDependencyFailed},
        Case{"404", Code::kDependencyFailed}, Case{"hang", Code::kUnavailable}}) {
    auto answer = ask_json_blocking(config_for(server, c.mode, std::chrono::milliseconds(300)),
                                    "s", "u");
    ASSERT_FALSE(answer) << c.mode;
    EXPECT_EQ(answer.error().code, c.code) << c.mode << ": " << answer.error().to_string();
  }
  LlmConfig bad_scheme{"ftp://127.0.0.1/x", "k", "m"};
  EXPECT_EQ(ask_json_blocking(bad_scheme, "s", "u").error().code, Code::kInvalidArgument);
}

TEST(LlmClient, ConnectionRefusedIsUnavailable) {
  uint16_t closed_port;
  {
    FakeLlmServer gone("{}");
    closed_port = gone.port();
  }
  LlmConfig config{"http://127.0.0.1:" + std::to_string(closed_port) + "/v1", "k", "m"};
  auto answer = ask_json_blocking(config, "s", "u");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, Code::kUnavailable);
}

TEST(ProviderHttp, HttpsRequestsShareOneTlsContext) {
  // Loading the system's CA store once, not per request (review of issue 8).
  uint16_t closed_port;
  {
    FakeLlmServer gone("{}");
    closed_port = gone.port();
  }
  LlmConfig config{"https://127.0.0.1:" + std::to_string(closed_port) + "/v1", "k", "m"};
  for (int i = 0; i < 3; ++i) {
    auto answer = ask_json_blocking(config, "s", "u");
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().code, Code::kUnavailable) << answer.error().to_string();
  }
  EXPECT_EQ(testing::tls_contexts_built(), 1u);
}

TEST(LlmRefine, AnyFailureKeepsTheBuiltInResult) {
  FakeLlmServer server(kContractAnswer);
  const auto original = parsed_contract();
  for (const std::string mode : {"malformed", "wrong-shape", "not-object", "error", "slow"}) {
    auto x = original;
    refine_contract_blocking(config_for(server, mode, std::chrono::milliseconds(300)), x);
    EXPECT_EQ(json::serialize(contracts::to_json(x)),
              json::serialize(contracts::to_json(original)))
        << mode;
  }
  auto off = original;
  refine_contract_blocking(std::nullopt, off);
  EXPECT_EQ(json::serialize(contracts::to_json(off)),
            json::serialize(contracts::to_json(original)));
  EXPECT_EQ(server.requests().size(), 5u) << "no request when the provider is off";
}

TEST(LlmRefine, TheAsyncPathLeavesTheEventLoopFree) {
  // The endpoint answers after 1.5 s; a timer of 10 ms on the same
  // single-threaded io_context must fire first, which it cannot if the
  // request blocks the thread.
  FakeLlmServer server(kContractAnswer);
  const auto config = std::optional<LlmConfig>(config_for(server, "slow"));
  auto x = parsed_contract();
  asio::io_context io;
  std::vector<std::string> order;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await refine_contract(config, x);
        order.push_back("refined");
      },
      asio::detached);
  asio::steady_timer timer(io, std::chrono::milliseconds(10));
  timer.async_wait([&](boost::system::error_code) { order.push_back("timer"); });
  io.run();
  EXPECT_EQ(order, (std::vector<std::string>{"timer", "refined"}));
  EXPECT_EQ(x.arr, 120000) << "the slow but good answer is merged";
}

TEST(LlmConfigFromEnv, NeedsAllThreeVariables) {
  ::unsetenv("CSCX_LLM_URL");
  ::setenv("CSCX_LLM_KEY", "k", 1);
  ::setenv("CSCX_LLM_MODEL", "m", 1);
  ASSERT_TRUE(llm_config_from_env());
  EXPECT_FALSE(*llm_config_from_env());
  ::setenv("CSCX_LLM_URL", "http://127.0.0.1:1/v1/chat/completions", 1);
  ::setenv("CSCX_LLM_TIMEOUT_MS", "250", 1);
  auto config = llm_config_from_env();
  ASSERT_TRUE(config && *config);
  EXPECT_EQ((*config)->timeout, std::chrono::milliseconds(250));
  ::setenv("CSCX_LLM_TIMEOUT_MS", "soon", 1);
  EXPECT_EQ((*llm_config_from_env())->timeout, std::chrono::milliseconds(20'000));
  // A URL that can never work is an error when read, naming the variable.
  ::setenv("CSCX_LLM_URL", "localhost:8080/v1/chat/completions", 1);
  auto bad = llm_config_from_env();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Code::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("CSCX_LLM_URL"), std::string::npos);
  for (const char* name :
       {"CSCX_LLM_URL", "CSCX_LLM_KEY", "CSCX_LLM_MODEL", "CSCX_LLM_TIMEOUT_MS"}) {
    ::unsetenv(name);
  }
}

}  // namespace
}  // namespace cscx::llm
