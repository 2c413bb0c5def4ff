// The optional embedding provider's client (issue 8) against a local fake
// /v1/embeddings endpoint: the request it sends, unit vectors back in input
// order, and every bad answer a clear error value. Never the network.
#include "knowledge/embedding_provider.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <cmath>
#include <cstdlib>

#include "knowledge/fake_embedding_server.h"
#include "support/fake_http_server.h"

namespace cscx::knowledge {
namespace {
namespace json = boost::json;
using cscx::testing::FakeEmbeddingServer;

const std::map<std::string, int> kTopics{{"cancel", 1}, {"renewal", 2}};

EmbeddingProviderConfig config_for(
    const FakeEmbeddingServer& server,
    std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  return EmbeddingProviderConfig{{server.url(), "test-key", "fake-embed", timeout}};
}

Result<std::vector<Embedding>> embed(const EmbeddingProviderConfig* provider,
                                     std::vector<std::string> texts) {
  return llm::run_blocking(embed_texts(provider, std::move(texts)));
}

Result<Embedding> embed_one_query(const EmbeddingProviderConfig* provider,
                                  std::string text) {
  return llm::run_blocking(embed_search_query(provider, std::move(text)));
}

// `count` different queries ("q0", "q1"...), each failing with `code`.
void expect_query_failures(const EmbeddingProviderConfig& config, int count, Code code) {
  for (int i = 0; i < count; ++i) {
    auto failed = embed_one_query(&config, "q" + std::to_string(i));
    ASSERT_FALSE(failed) << i;
    EXPECT_EQ(failed.error().code, code) << failed.error().to_string();
  }
}

json::value request_json(const std::string& raw) {
  return json::parse(cscx::testing::request_body(raw));
}

TEST(EmbeddingProvider, SendsTheRequestAndReturnsUnitVectorsInInputOrder) {
  FakeEmbeddingServer server(kTopics);
  const auto config = config_for(server);
  auto vectors = embed(&config, {"How to cancel", "Renewal playbook", "nothing"});
  ASSERT_TRUE(vectors) << vectors.error().to_string();
  ASSERT_EQ(vectors->size(), 3u);
  EXPECT_EQ((*vectors)[0],
            testing::unit_vector(testing::fake_embedding("How to cancel", kTopics)));
  EXPECT_EQ((*vectors)[1],
            testing::unit_vector(testing::fake_embedding("Renewal playbook", kTopics)));
  for (const Embedding& v : *vectors) {
    ASSERT_EQ(v.size(), kEmbeddingDimensions);
    EXPECT_NEAR(similarity(v, v), 1.0, 1e-5);
  }
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_NE(requests[0].find("POST /v1/embeddings HTTP/1.1"), std::string::npos);
  EXPECT_NE(requests[0].find("Authorization: Bearer test-key"), std::string::npos);
  const json::value body = request_json(requests[0]);
  EXPECT_EQ(body.at("model"), "fake-embed");
  EXPECT_EQ(body.at("input").as_array().size(), 3u);
  EXPECT_EQ(body.at("input").at(1), "Renewal playbook");
  // text-embedding-ada-002 and many compatible servers refuse the field.
  EXPECT_FALSE(body.as_object().contains("dimensions")) << requests[0];
}

TEST(EmbeddingProvider, SendsDimensionsOnlyWhenConfigured) {
  FakeEmbeddingServer server(kTopics);
  auto config = config_for(server);
  config.send_dimensions = true;
  ASSERT_TRUE(embed(&config, {"a"}));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(request_json(requests[0]).at("dimensions"), 1536);
}

TEST(EmbeddingProvider, WithoutAProviderTheBuiltInEmbedderAnswers) {
  auto vectors = embed(nullptr, {"Renewal playbook"});
  ASSERT_TRUE(vectors);
  EXPECT_EQ(vectors->at(0), embed_text("Renewal playbook"));
  EXPECT_EQ(embedder_name(nullptr), kEmbedderVersion);
  const EmbeddingProviderConfig config{
      {"http://x/v1/embeddings", "k", "text-embedding-3-small"}};
  EXPECT_EQ(embedder_name(&config), "openai-compatible:text-embedding-3-small");
}

TEST(EmbeddingProvider, EveryBadAnswerIsAClearError) {
  FakeEmbeddingServer server(kTopics);
  const auto config = config_for(server, std::chrono::milliseconds(300));
  struct Case {
    std::string mode;
    Code code;
    std::string says;
  };
  for (const Case& c :
       {Case{"error", Code::kUnavailable, "answered 500"},
        Case{"malformed", Code::kDependencyFailed, "not JSON"},
        Case{"wrong-shape", Code::kDependencyFailed, "no \"data\" array"},
        Case{"wrong-width", Code::kDependencyFailed, "has 768 numbers"},
        Case{"not-numbers", Code::kDependencyFailed, "not a number"},
        Case{"too-few", Code::kDependencyFailed, "1 embeddings for 2 texts"},
        Case{"hang", Code::kUnavailable, "timed out"}}) {
    server.set_mode(c.mode);
    auto vectors = embed(&config, {"a", "b"});
    ASSERT_FALSE(vectors) << c.mode;
    EXPECT_EQ(vectors.error().code, c.code)
        << c.mode << ": " << vectors.error().to_string();
    EXPECT_NE(vectors.error().message.find(c.says), std::string::npos)
        << c.mode << ": " << vectors.error().message;
    EXPECT_EQ(vectors.error().message.find("the embedding endpoint"), 0u) << c.mode;
  }
}

TEST(EmbeddingProvider, ARefusalIsPermanentAndKeepsTheBodyOutOfTheMessage) {
  FakeEmbeddingServer server(kTopics);
  const auto config = config_for(server);
  for (const int status : {400, 401, 403, 404, 413, 422}) {
    server.set_mode("status:" + std::to_string(status));
    auto vectors = embed(&config, {"a"});
    ASSERT_FALSE(vectors) << status;
    const Error& e = vectors.error();
    EXPECT_EQ(e.code, Code::kDependencyFailed) << e.to_string();
    EXPECT_NE(e.message.find("answered " + std::to_string(status)), std::string::npos)
        << e.message;
    EXPECT_NE(e.message.find("retrying will not help"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find(cscx::testing::kEchoedSecret), std::string::npos)
        << e.message;
    EXPECT_NE(e.detail.find(cscx::testing::kEchoedSecret), std::string::npos) << e.detail;
  }
}

TEST(EmbeddingProvider, OverloadAndServerErrorsAreTransient) {
  FakeEmbeddingServer server(kTopics);
  const auto config = config_for(server);
  for (const int status : {408, 429, 500, 502, 503}) {
    server.set_mode("status:" + std::to_string(status));
    auto vectors = embed(&config, {"a"});
    ASSERT_FALSE(vectors) << status;
    EXPECT_EQ(vectors.error().code, Code::kUnavailable) << vectors.error().to_string();
    EXPECT_EQ(vectors.error().message.find("retrying will not help"), std::string::npos);
  }
}

TEST(EmbeddingProvider, CutsEachTextAtAUtf8Boundary) {
  FakeEmbeddingServer server(kTopics);
  const auto config = config_for(server);
  // "é" is two bytes; one "a" first puts a character across the cap.
  std::string long_text = "a";
  while (long_text.size() < kProviderTextBytes + 100) long_text += "\xC3\xA9";
  ASSERT_TRUE(embed(&config, {long_text, "short"}));
  const auto inputs = server.inputs();
  ASSERT_EQ(inputs.size(), 2u);
  // Non-ASCII bytes count three units each: "a" and 3,749 "é" (6 units
  // each) fill 22,495 of the 22,500.
  const std::size_t kept = 1 + 2 * ((kProviderTextBytes - 1) / 6);
  EXPECT_EQ(inputs[0].size(), kept);
  EXPECT_EQ(inputs[0], long_text.substr(0, kept));
  EXPECT_EQ(inputs[1], "short");
}

TEST(EmbeddingProvider, SplitsManyTextsIntoBoundedRequestsInOrder) {
  FakeEmbeddingServer server(kTopics);
  const auto config = config_for(server);
  std::vector<std::string> texts;
  for (int i = 0; i < 100; ++i)
    texts.push_back(i % 7 == 0 ? "cancel " + std::to_string(i)
                               : "text " + std::to_string(i));
  auto vectors = embed(&config, texts);
  ASSERT_TRUE(vectors) << vectors.error().to_string();
  ASSERT_EQ(vectors->size(), 100u);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ((*vectors)[i],
              testing::unit_vector(testing::fake_embedding(texts[i], kTopics)))
        << i;
  }
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(request_json(requests[0]).at("input").as_array().size(), kProviderBatch);
  EXPECT_EQ(request_json(requests[1]).at("input").as_array().size(),
            100 - kProviderBatch);
}

TEST(EmbeddingProviderRequests, StayUnderTheByteCap) {
  const std::vector<std::string> long_texts(30, std::string(kProviderTextBytes, 'x'));
  const auto ranges = internal::request_ranges(long_texts);
  const std::size_t per_request = kProviderBatchBytes / kProviderTextBytes;  // 21
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0], std::make_pair(std::size_t{0}, per_request));
  EXPECT_EQ(ranges[1], std::make_pair(per_request, std::size_t{30}));
  EXPECT_TRUE(internal::request_ranges({}).empty());
  EXPECT_EQ(internal::request_ranges({""}).size(), 1u);
}

TEST(EmbeddingProviderRequests, CutTextKeepsWholeCharacters) {
  EXPECT_EQ(internal::cut_text("abc", 5), "abc");
  EXPECT_EQ(internal::cut_text("abcdef", 3), "abc");
  // "€" is three bytes (E2 82 AC): a cut inside it drops it whole.
  // Its bytes count three units each (2 + 9 = 11 for the whole text).
  EXPECT_EQ(internal::cut_text("ab\xE2\x82\xAC", 3), "ab");
  EXPECT_EQ(internal::cut_text("ab\xE2\x82\xAC", 10), "ab");
  EXPECT_EQ(internal::cut_text("ab\xE2\x82\xAC", 11), "ab\xE2\x82\xAC");
  // 7,500 bytes of three-byte characters fill the budget; ASCII 22,500.
  std::string cjk;
  while (cjk.size() < 9000) cjk += "\xE6\x97\xA5";  // "日"
  EXPECT_EQ(internal::cut_text(cjk, kProviderTextBytes).size(), 7500u);
  EXPECT_EQ(internal::cut_text(std::string(30000, 'x'), kProviderTextBytes).size(),
            kProviderTextBytes);
}

TEST(EmbeddingProvider, TheAnswerLimitGrowsWithTheTextsAsked) {
  FakeEmbeddingServer server(kTopics);
  const auto config = config_for(server);
  // ~6 KiB of vector plus 130 KiB of padding: over one text's 128 KiB,
  // under two texts' 192 KiB.
  server.set_mode("padded:" + std::to_string(130 * 1024));
  auto one = embed(&config, {"a"});
  ASSERT_FALSE(one);
  EXPECT_EQ(one.error().code, Code::kDependencyFailed);
  EXPECT_NE(one.error().message.find("answered more than 131072 bytes"),
            std::string::npos)
      << one.error().message;
  auto two = embed(&config, {"a", "b"});
  EXPECT_TRUE(two) << two.error().to_string();
}

TEST(EmbeddingProvider, AnUnusableUrlOrAClosedPortIsAnError) {
  const EmbeddingProviderConfig bad_scheme{{"ftp://127.0.0.1/v1/embeddings", "k", "m"}};
  auto bad = embed(&bad_scheme, {"a"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Code::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("CSCX_EMBEDDING_URL"), std::string::npos);

  uint16_t closed_port;
  {
    FakeEmbeddingServer gone;
    closed_port = gone.port();
  }
  const EmbeddingProviderConfig closed{
      {"http://127.0.0.1:" + std::to_string(closed_port) + "/v1/embeddings", "k", "m"}};
  auto refused = embed(&closed, {"a"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kUnavailable);
}

TEST(EmbeddingProviderAnswer, RejectsZeroOutOfRangeAndRepeatedVectors) {
  auto answer = [](double first, std::int64_t index_a, std::int64_t index_b) {
    json::array a(kEmbeddingDimensions, 0.0);
    a[0] = first;
    json::array b(kEmbeddingDimensions, 1.0);
    return json::value(json::object{
        {"data", json::array{json::object{{"index", index_a}, {"embedding", a}},
                             json::object{{"index", index_b}, {"embedding", b}}}}});
  };
  auto good = internal::read_embeddings(answer(2.0, 1, 0), 2);
  ASSERT_TRUE(good) << good.error().to_string();
  EXPECT_EQ(good->at(1)[0], 1.0f) << "sorted by index";
  EXPECT_NEAR(good->at(0)[0], 1.0f / std::sqrt(1536.0f), 1e-6);

  auto zero = internal::read_embeddings(answer(0.0, 0, 1), 2);
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.error().message.find("zero vector"), std::string::npos);
  auto huge = internal::read_embeddings(answer(1e39, 0, 1), 2);
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message.find("out of range"), std::string::npos);
  auto twice = internal::read_embeddings(answer(1.0, 0, 0), 2);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("index 0 twice"), std::string::npos);
  auto outside = internal::read_embeddings(answer(1.0, 0, 2), 2);
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message.find("index out of range"), std::string::npos);
  EXPECT_FALSE(internal::read_embeddings(json::value(json::array{}), 0));
}

constexpr const char* kEnvNames[] = {"CSCX_EMBEDDING_URL", "CSCX_EMBEDDING_KEY",
                                     "CSCX_EMBEDDING_MODEL", "CSCX_EMBEDDING_TIMEOUT_MS",
                                     "CSCX_EMBEDDING_DIMENSIONS"};

class EmbeddingProviderFromEnv : public ::testing::Test {
 protected:
  void SetUp() override { clear(); }
  void TearDown() override { clear(); }
  static void clear() {
    for (const char* name : kEnvNames) ::unsetenv(name);
  }
  static void configure(const char* url) {
    ::setenv("CSCX_EMBEDDING_URL", url, 1);
    ::setenv("CSCX_EMBEDDING_KEY", "k", 1);
    ::setenv("CSCX_EMBEDDING_MODEL", "m", 1);
  }
};

TEST_F(EmbeddingProviderFromEnv, NeedsUrlKeyAndModel) {
  configure("");
  ASSERT_TRUE(embedding_provider_from_env());
  EXPECT_FALSE(*embedding_provider_from_env());
  ::unsetenv("CSCX_EMBEDDING_URL");
  EXPECT_FALSE(*embedding_provider_from_env());
  ::setenv("CSCX_EMBEDDING_URL", "http://127.0.0.1:1/v1/embeddings", 1);
  auto config = embedding_provider_from_env();
  ASSERT_TRUE(config && *config);
  EXPECT_EQ((*config)->url, "http://127.0.0.1:1/v1/embeddings");
  EXPECT_EQ((*config)->key, "k");
  EXPECT_EQ((*config)->model, "m");
  EXPECT_EQ((*config)->timeout, std::chrono::milliseconds(10'000));
  EXPECT_FALSE((*config)->send_dimensions);
  ::unsetenv("CSCX_EMBEDDING_MODEL");
  EXPECT_FALSE(*embedding_provider_from_env());
}

TEST_F(EmbeddingProviderFromEnv, ReadsTheTimeoutOrKeepsTheDefault) {
  configure("http://127.0.0.1:1/v1/embeddings");
  ::setenv("CSCX_EMBEDDING_TIMEOUT_MS", "250", 1);
  EXPECT_EQ((*embedding_provider_from_env())->timeout, std::chrono::milliseconds(250));
  for (const char* bad : {"soon", "0", "-5", "600001", "12ms"}) {
    ::setenv("CSCX_EMBEDDING_TIMEOUT_MS", bad, 1);
    EXPECT_EQ((*embedding_provider_from_env())->timeout,
              std::chrono::milliseconds(10'000))
        << bad;
  }
}

TEST_F(EmbeddingProviderFromEnv, SendsDimensionsOnlyFor1536) {
  configure("http://127.0.0.1:1/v1/embeddings");
  ::setenv("CSCX_EMBEDDING_DIMENSIONS", "", 1);
  EXPECT_FALSE((*embedding_provider_from_env())->send_dimensions);
  ::setenv("CSCX_EMBEDDING_DIMENSIONS", "1536", 1);
  EXPECT_TRUE((*embedding_provider_from_env())->send_dimensions);
  for (const char* bad : {"768", "3072", "yes", "1536 "}) {
    ::setenv("CSCX_EMBEDDING_DIMENSIONS", bad, 1);
    auto config = embedding_provider_from_env();
    ASSERT_FALSE(config) << bad;
    EXPECT_EQ(config.error().code, Code::kInvalidArgument);
    EXPECT_NE(config.error().message.find("CSCX_EMBEDDING_DIMENSIONS"),
              std::string::npos);
  }
}

TEST_F(EmbeddingProviderFromEnv, AnUnusableUrlIsAnErrorWhenRead) {
  for (const char* bad : {"localhost:8080/v1/embeddings", "ftp://host/v1", "http://",
                          "https:///v1/embeddings", "http://host:0/v1",
                          "http://host:99999/v1", "not a url"}) {
    configure(bad);
    auto config = embedding_provider_from_env();
    ASSERT_FALSE(config) << bad;
    EXPECT_EQ(config.error().code, Code::kInvalidArgument) << bad;
    EXPECT_EQ(config.error().message,
              "CSCX_EMBEDDING_URL must be an http:// or https:// URL with a host")
        << bad;
  }
  configure("https://api.openai.com/v1/embeddings");
  EXPECT_TRUE(embedding_provider_from_env());
}

TEST(EmbeddingSearchQuery, WithoutAProviderIsTheBuiltInVector) {
  auto vector = embed_one_query(nullptr, "renewal playbook");
  ASSERT_TRUE(vector);
  EXPECT_EQ(*vector, embed_text("renewal playbook"));
}

TEST(EmbeddingSearchQuery, AnswersARepeatedQueryFromTheCache) {
  FakeEmbeddingServer server(kTopics);
  const auto config = config_for(server);
  auto first = embed_one_query(&config, "how to cancel");
  ASSERT_TRUE(first) << first.error().to_string();
  auto second = embed_one_query(&config, "how to cancel");
  ASSERT_TRUE(second) << second.error().to_string();
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(*first,
            testing::unit_vector(testing::fake_embedding("how to cancel", kTopics)));
  EXPECT_EQ(server.requests().size(), 1u);
  ASSERT_TRUE(embed_one_query(&config, "renewal"));
  EXPECT_EQ(server.requests().size(), 2u) << "another text is asked";
  // A copy of the config is the same provider, with the same cache.
  const EmbeddingProviderConfig copy = config;
  ASSERT_TRUE(embed_one_query(&copy, "renewal"));
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(EmbeddingSearchQuery, StopsAskingAfterTransientFailuresInARow) {
  FakeEmbeddingServer server(kTopics);
  const auto config = config_for(server);
  ASSERT_TRUE(embed_one_query(&config, "cached"));
  server.set_mode("error");
  expect_query_failures(config, 5, Code::kUnavailable);
  EXPECT_EQ(server.requests().size(), 6u);
  server.set_mode("good");
  // Open for 30 s: the next query fails at once, without a request...
  auto refused = embed_one_query(&config, "q5");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kUnavailable);
  EXPECT_EQ(server.requests().size(), 6u);
  // ...while a cached one still answers.
  EXPECT_TRUE(embed_one_query(&config, "cached"));
}

TEST(EmbeddingSearchQuery, RefusesANinthConcurrentQueryAtOnce) {
  FakeEmbeddingServer server(kTopics);
  const auto config = config_for(server, std::chrono::milliseconds(300));
  server.set_mode("hang");
  boost::asio::io_context io;
  std::vector<Result<Embedding>> results;
  for (int i = 0; i < 9; ++i) {
    // Each runs up to its first network wait before the next starts: the
    // first eight hold the eight slots when the ninth asks.
    boost::asio::co_spawn(io, embed_search_query(&config, "q" + std::to_string(i)),
                          [&results](std::exception_ptr, Result<Embedding> r) {
                            results.push_back(std::move(r));
                          });
  }
  io.run();
  ASSERT_EQ(results.size(), 9u);
  // The refused one finished first, without waiting for the others.
  ASSERT_FALSE(results[0]);
  EXPECT_EQ(results[0].error().code, Code::kUnavailable);
  EXPECT_NE(results[0].error().message.find("8 query requests under way"),
            std::string::npos)
      << results[0].error().message;
  for (std::size_t i = 1; i < results.size(); ++i) {
    ASSERT_FALSE(results[i]);
    EXPECT_NE(results[i].error().message.find("timed out"), std::string::npos)
        << results[i].error().message;
  }
}

TEST(EmbeddingSearchQuery, AQueryDestroyedMidRequestGivesItsSlotBack) {
  FakeEmbeddingServer server(kTopics);
  const auto config = config_for(server);
  server.set_mode("hang");
  {
    boost::asio::io_context io;
    for (int i = 0; i < 8; ++i) {
      boost::asio::co_spawn(io, embed_search_query(&config, "q" + std::to_string(i)),
                            [](std::exception_ptr, Result<Embedding>) {});
    }
    // Each starts and takes its slot, then waits on the network; the
    // io_context is destroyed with all eight suspended.
    io.poll();
  }
  server.set_mode("good");
  auto vector = embed_one_query(&config, "after");
  EXPECT_TRUE(vector) << vector.error().to_string();
}

TEST(EmbeddingSearchQuery, PermanentFailuresDoNotOpenTheBreaker) {
  FakeEmbeddingServer server(kTopics);
  const auto config = config_for(server);
  server.set_mode("status:401");
  expect_query_failures(config, 7, Code::kDependencyFailed);
  EXPECT_EQ(server.requests().size(), 7u);
}

TEST(EmbeddingSearchQuery, WaitsAtMostTheQueryTimeout) {
  FakeEmbeddingServer server(kTopics);
  // Configured for a minute: a query still gives up after kQueryTimeout.
  const auto config = config_for(server, std::chrono::minutes(1));
  server.set_mode("hang");
  auto vector = embed_one_query(&config, "q");
  ASSERT_FALSE(vector);
  EXPECT_EQ(vector.error().code, Code::kUnavailable);
  EXPECT_NE(vector.error().message.find("timed out"), std::string::npos)
      << vector.error().message;
}

}  // namespace
}  // namespace cscx::knowledge
