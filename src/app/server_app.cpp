#include "app/server_app.h"

#include <fmt/core.h>
#include <signal.h>
#include <sys/resource.h>

#include <boost/asio/thread_pool.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <cstdlib>
#include <spdlog/spdlog.h>
#include <thread>

#include "agents/agent_routes.h"
#include "api/openapi_route.h"
#include "auth/auth_routes.h"
#include "auth/auth_service.h"
#include "auth/keys.h"
#include "contracts/contract_routes.h"
#include "customers/customer_routes.h"
#include "health/health_routes.h"
#include "health/refresh_schedule.h"
#include "meetings/meeting_routes.h"
#include "knowledge/ann_index.h"
#include "knowledge/embedder.h"
#include "knowledge/embedding_provider.h"
#include "knowledge/index_sync.h"
#include "knowledge/knowledge_routes.h"
#include "llm/llm_client.h"
#include "meetings/transcript_routes.h"
#include "rest/rest_routes.h"
#include "training/training_routes.h"
#include "db/embedded_cluster.h"
#include "db/pool.h"
#include "http/metrics.h"
#include "http/server.h"
#include "migrate/migrator.h"

namespace cscx::app {
namespace asio = boost::asio;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

// The migrations applied, and how knowledge_base.embedding is stored
// ("vector(1536)" where migration 002 found pgvector, else "real[]"); read
// by name, not by a regclass cast, so a missing table is a NULL, not an error.
constexpr const char* kReadyCheck =
    "SELECT (SELECT count(*) FROM cscx.schema_migrations),"
    "       (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a"
    "          JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
    "          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    "         WHERE n.nspname = 'public' AND c.relname = 'knowledge_base'"
    "           AND a.attname = 'embedding')";

Result<long> env_number(const char* name, long fallback, long min, long max) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  if (*end != '\0' || n < min || n > max) {
    return make_error(
        Code::kInvalidArgument,
        fmt::format("{}={} is not a number from {} to {}", name, v, min, max));
  }
  return n;
}

// The URL the request pool logs in with: the embedded cluster's
// `authenticator`; for an external server $CSCX_API_DATABASE_URL, else
// DATABASE_URL (whose user must be able to SET ROLE to the request roles).

// What /ready says of knowledge search (issue 8): where pgvector is
// installed migration 002 stores vectors in it and PostgreSQL finds the
// nearest neighbours (the seed's ivfflat index); otherwise the ANN index is
// ours, and is "loading" (with the articles read so far) until its first
// load ends.
std::string knowledge_readiness(std::string_view column_type,
                                const knowledge::IndexState& state) {
  // The provider's model is the operator's text: serialized, so a quote in
  // it cannot break the JSON.
  const std::string embedder = boost::json::serialize(
      boost::json::value(knowledge::embedder_name(state.embedding_provider())));
  const std::string_view index = state.ready() ? "ready" : "loading";
  if (column_type.starts_with("vector")) {
    return fmt::format(R"({{"embedding_storage":"pgvector","ann":"pgvector ivfflat",)"
                       R"("embedder":{},"index":"{}"}})",
                       embedder, index);
  }
  return fmt::format(R"({{"embedding_storage":"real[]","ann":"hnswlib in memory","embedder":{},)"
                     R"("index":"{}","articles":{}}})",
                     embedder, index, state.articles());
}

// /ready is 200 when the database answers and is current: the knowledge
// index still loading does not make the server unready, since search then
// answers from full text (docs/knowledge.md).
void add_health_routes(http::Router& router, db::Pool& pool,
                       const knowledge::IndexState& knowledge_state) {
  router.add("GET", "/health", "/health",
             [](const Request&, RequestLog&) -> asio::awaitable<Result<Response>> {
               co_return Response::json(200, R"({"status":"ok"})");
             });
  router.add("GET", "/ready", "/ready",
             [&pool, &knowledge_state](const Request&,
                                       RequestLog&) -> asio::awaitable<Result<Response>> {
               const db::Statement check{"ready_check", kReadyCheck, {}};
               auto r = co_await pool.run_plain(std::span(&check, 1));
               if (!r) co_return r.error();
               const auto expected = migrate::builtin_migrations().size();
               if ((*r)[0].value(0, 0) != std::to_string(expected)) {
                 co_return make_error(Code::kUnavailable,
                                      "database migrations are not current");
               }
               co_return Response::json(
                   200, fmt::format(R"({{"status":"ready","knowledge":{}}})",
                                    knowledge_readiness((*r)[0].value(0, 1), knowledge_state)));
             });
}

// Each keep-alive connection holds a descriptor; the default soft limit
// (1024) would cap the server far below the thousands it can hold.
void raise_descriptor_limit() {
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

void add_api_routes(http::Router& router, const api::RouteContext& api_context,
                    knowledge::AnnIndex& knowledge_index,
                    const knowledge::IndexState& knowledge_state) {
  api::add_openapi_route(router);
  customers::add_customer_routes(router, api_context);
  meetings::add_meeting_routes(router, api_context);
  training::add_training_routes(router, api_context);
  contracts::add_contract_routes(router, api_context);
  meetings::add_transcript_routes(router, api_context);
  health::add_health_api_routes(router, api_context);
  knowledge::add_knowledge_routes(router, api_context, knowledge_index, knowledge_state);
  agents::add_agent_routes(router, api_context, knowledge_index, knowledge_state);
}

Result<ServeOptions> serve_options_from_env(ServeOptions o, bool host_given,
                                            bool port_given) {
  if (!host_given) {
    if (const char* h = std::getenv("CSCX_HOST"); h && *h) o.host = h;
  }
  if (!port_given) {
    auto p = env_number("CSCX_PORT", o.port, 0, 65535);
    if (!p) return p.error();
    o.port = static_cast<int>(*p);
  }
  if (o.port < 0 || o.port > 65535) {
    return make_error(Code::kInvalidArgument, "--port must be from 0 to 65535");
  }
  auto threads = env_number("CSCX_THREADS", o.threads, 0, 1024);
  if (!threads) return threads.error();
  o.threads = static_cast<unsigned>(*threads);
  auto pool = env_number("CSCX_DB_POOL_SIZE", o.pool_size, 0, 10000);
  if (!pool) return pool.error();
  o.pool_size = static_cast<size_t>(*pool);
  auto body = env_number("CSCX_BODY_LIMIT", static_cast<long>(o.body_limit), 1024,
                         1024L * 1024 * 1024);
  if (!body) return body.error();
  o.body_limit = static_cast<size_t>(*body);
  auto refresh = env_number("CSCX_HEALTH_REFRESH_SECONDS", o.health_refresh_seconds, 0,
                            31L * 24 * 3600);
  if (!refresh) return refresh.error();
  o.health_refresh_seconds = *refresh;
  // The optional providers: a URL that can never work stops `cscx serve`
  // here, naming the variable, instead of failing every request later.
  if (auto llm = llm::llm_config_from_env(); !llm) return llm.error();
  if (auto embedding = knowledge::embedding_provider_from_env(); !embedding)
    return embedding.error();
  if (const char* origins = std::getenv("CSCX_ALLOWED_ORIGINS"); origins && *origins) {
    o.allowed_origins.clear();
    std::string_view rest(origins);
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) o.allowed_origins.emplace_back(item);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return o;
}

std::string api_database_url(DatabaseTarget& target) {
  if (target.embedded()) return target.cluster().url("cscx", "authenticator");
  if (const char* v = std::getenv("CSCX_API_DATABASE_URL"); v && *v) return v;
  return target.admin_url();
}

Result<void> run_server(DatabaseTarget& target, const std::string& home,
                        const ServeOptions& options) {
  raise_descriptor_limit();
  auto secret = auth::load_jwt_secret(home);
  if (!secret) return secret.error();

  http::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = static_cast<uint16_t>(options.port);
  server_options.threads = options.threads;
  server_options.body_limit = options.body_limit;
  server_options.allowed_origins = options.allowed_origins;
  http::Server server(server_options, http::Router{});

  const unsigned threads = options.threads
                               ? options.threads
                               : std::max(1u, std::thread::hardware_concurrency());
  db::Pool pool(server.io_context().get_executor(),
                db::PoolOptions{api_database_url(target),
                                options.pool_size ? options.pool_size : 4 * threads,
                                std::chrono::milliseconds(5000)});
  server.metrics().add_gauge_source([&pool] {
    const db::PoolStats s = pool.stats();
    return fmt::format(
        "# HELP cscx_db_pool_connections Database pool connections by state.\n"
        "# TYPE cscx_db_pool_connections gauge\n"
        "cscx_db_pool_connections{{state=\"in_use\"}} {}\n"
        "cscx_db_pool_connections{{state=\"idle\"}} {}\n"
        "# HELP cscx_db_pool_waiting Requests waiting for a database connection.\n"
        "# TYPE cscx_db_pool_waiting gauge\n"
        "cscx_db_pool_waiting {}\n",
        s.in_use, s.idle, s.waiting);
  });

  asio::thread_pool hashing(std::max(1u, threads / 2));
  auth::AuthConfig auth_config{
      *secret, fmt::format("http://{}:{}/auth/v1", options.host, options.port)};
  auth::AuthService auth_service(pool, hashing, auth_config);

  // The /rest/v1 schema cache: loaded now (a server that cannot read its
  // schema does not start), then kept current by NOTIFY pgrst.
  auto schema = rest::SchemaListener::start(api_database_url(target));
  if (!schema) return schema.error();

  // The knowledge base's ANN index, loaded by IndexSync's thread while the
  // server already listens (minutes at 100,000 articles), then kept current
  // by NOTIFY cscx_knowledge (knowledge/index_sync.h).
  // Its embedder is one choice for the server's life: the optional
  // provider when CSCX_EMBEDDING_* configure one, else the built-in one.
  knowledge::AnnIndex knowledge_index;
  // serve_options_from_env already refused an unusable configuration.
  auto embedding_provider = knowledge::embedding_provider_from_env();
  if (!embedding_provider) return embedding_provider.error();
  knowledge::IndexState knowledge_state(std::move(*embedding_provider));
  auto page_pause = env_number("CSCX_TESTING_KNOWLEDGE_PAGE_PAUSE_MS", 0, 0, 3'600'000);
  if (!page_pause) return page_pause.error();
  auto knowledge_sync = knowledge::IndexSync::start(
      api_database_url(target), knowledge_index, knowledge_state,
      knowledge::IndexSyncOptions{std::chrono::milliseconds(*page_pause)});

  add_health_routes(server.router(), pool, knowledge_state);
  http::add_metrics_route(server.router(), server.metrics());
  auth::add_auth_routes(server.router(), auth_service, *secret);
  add_api_routes(server.router(), api::RouteContext{pool, *secret, server.metrics()},
                 knowledge_index, knowledge_state);
  rest::add_rest_routes(server.router(), pool, **schema, *secret, server.metrics());

  health::start_refresh_schedule(server.io_context().get_executor(), pool,
                                 std::chrono::seconds(options.health_refresh_seconds));

  if (target.embedded()) {
    if (auto advice = db::autogroup_advice()) spdlog::warn("{}", *advice);
  }

  auto port = server.listen();
  if (!port) return port.error();
  // With --port 0 the port is known only now; tokens name the real one.
  auth_service.set_issuer(fmt::format("http://{}:{}/auth/v1", options.host, *port));
  fmt::print("cscx: listening on http://{}:{}\n", options.host, *port);
  std::fflush(stdout);
  server.stop_on_signals();
  // `cscx serve` blocked SIGINT/SIGTERM while it started the database; now
  // that the server handles them, let them in (a pending one stops it).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
  server.run();
  hashing.join();
  fmt::print("cscx: stopped\n");
  return ok();
}

}  // namespace cscx::app
