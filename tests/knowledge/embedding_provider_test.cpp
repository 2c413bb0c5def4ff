// The optional embedding provider's client (issue 8) against a local fake
// /v1/embeddings endpoint: the request it sends, unit vectors back in input
// order, and every bad answer a clear error value. Never the network.
#include "knowledge/embedding_provider.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cmath>
#include <cstdlib>

#include "knowledge/fake_embedding_server.h"

namespace cscx::knowledge {
namespace {
namespace json = boost::json;
using cscx::testing::FakeEmbeddingServer;

const std::map<std::string, int> kTopics{{"cancel", 1}, {"renewal", 2}};

EmbeddingProviderConfig config_for(
    const FakeEmbeddingServer& server,
    std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  return EmbeddingProviderConfig{server.url(), "test-key", "fake-embed", timeout};
}

Result<std::vector<Embedding>> embed(const EmbeddingProviderConfig* provider,
                                     std::vector<std::string> texts) {
  return llm::run_blocking(embed_texts(provider, std::move(texts)));
}

TEST(EmbeddingProvider, SendsTheRequestAndReturnsUnitVectorsInInputOrder) {
  FakeEmbeddingServer server(kTopics);
  const auto config = config_for(server);
  auto vectors = embed(&config, {"How to cancel", "Renewal playbook", "nothing"});
  ASSERT_TRUE(vectors) << vectors.error().to_string();
  ASSERT_EQ(vectors->size(), 3u);
  EXPECT_EQ((*vectors)[0], testing::unit_vector(testing::fake_embedding("How to cancel", kTopics)));
  EXPECT_EQ((*vectors)[1], testing::unit_vector(testing::fake_embedding("Renewal playbook", kTopics)));
  for (const Embedding& v : *vectors) {
    ASSERT_EQ(v.size(), kEmbeddingDimensions);
    EXPECT_NEAR(similarity(v, v), 1.0, 1e-5);
  }
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_NE(requests[0].find("POST /v1/embeddings HTTP/1.1"), std::string::npos);
  EXPECT_NE(requests[0].find("Authorization: Bearer test-key"), std::string::npos);
  const json::value body =
      json::parse(requests[0].substr(requests[0].find("\r\n\r\n") + 4));
  EXPECT_EQ(body.at("model"), "fake-embed");
  EXPECT_EQ(body.at("dimensions"), 1536);
  EXPECT_EQ(body.at("input").as_array().size(), 3u);
  EXPECT_EQ(body.at("input").at(1), "Renewal playbook");
}

TEST(EmbeddingProvider, WithoutAProviderTheBuiltInEmbedderAnswers) {
  auto vectors = embed(nullptr, {"Renewal playbook"});
  ASSERT_TRUE(vectors);
  EXPECT_EQ(vectors->at(0), embed_text("Renewal playbook"));
  EXPECT_EQ(embedder_name(nullptr), kEmbedderVersion);
  const EmbeddingProviderConfig config{"http://x/v1/embeddings", "k",
                                       "text-embedding-3-small"};
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
  for (const Case& c : {Case{"error", Code::kInternal, "answered 500"},
                        Case{"malformed", Code::kInternal, "not JSON"},
                        Case{"wrong-shape", Code::kInternal, "no \"data\" array"},
                        Case{"wrong-width", Code::kInternal, "has 768 numbers"},
                        Case{"not-numbers", Code::kInternal, "not a number"},
                        Case{"too-few", Code::kInternal, "1 embeddings for 2 texts"},
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

TEST(EmbeddingProvider, AnUnusableUrlOrAClosedPortIsAnError) {
  const EmbeddingProviderConfig bad_scheme{"ftp://127.0.0.1/v1/embeddings", "k", "m"};
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
      "http://127.0.0.1:" + std::to_string(closed_port) + "/v1/embeddings", "k", "m"};
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

TEST(EmbeddingProviderFromEnv, NeedsUrlKeyAndModel) {
  ::unsetenv("CSCX_EMBEDDING_URL");
  ::setenv("CSCX_EMBEDDING_KEY", "k", 1);
  ::setenv("CSCX_EMBEDDING_MODEL", "m", 1);
  EXPECT_FALSE(embedding_provider_from_env());
  ::setenv("CSCX_EMBEDDING_URL", "", 1);
  EXPECT_FALSE(embedding_provider_from_env());
  ::setenv("CSCX_EMBEDDING_URL", "http://127.0.0.1:1/v1/embeddings", 1);
  auto config = embedding_provider_from_env();
  ASSERT_TRUE(config);
  EXPECT_EQ(config->url, "http://127.0.0.1:1/v1/embeddings");
  EXPECT_EQ(config->key, "k");
  EXPECT_EQ(config->model, "m");
  EXPECT_EQ(config->timeout, std::chrono::milliseconds(10'000));
  ::setenv("CSCX_EMBEDDING_TIMEOUT_MS", "250", 1);
  EXPECT_EQ(embedding_provider_from_env()->timeout, std::chrono::milliseconds(250));
  for (const char* bad : {"soon", "0", "-5", "600001", "12ms"}) {
    ::setenv("CSCX_EMBEDDING_TIMEOUT_MS", bad, 1);
    EXPECT_EQ(embedding_provider_from_env()->timeout, std::chrono::milliseconds(10'000))
        << bad;
  }
  ::unsetenv("CSCX_EMBEDDING_MODEL");
  EXPECT_FALSE(embedding_provider_from_env());
  for (const char* name : {"CSCX_EMBEDDING_URL", "CSCX_EMBEDDING_KEY",
                           "CSCX_EMBEDDING_MODEL", "CSCX_EMBEDDING_TIMEOUT_MS"}) {
    ::unsetenv(name);
  }
}

}  // namespace
}  // namespace cscx::knowledge
