#include "app/demo_data.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <exception>
#include <optional>
#include <span>
#include <vector>

#include "contracts/contract_parser.h"
#include "contracts/contract_store.h"
#include "core/embedded_file.h"
#include "db/connection.h"
#include "db/pool.h"
#include "meetings/transcript_store.h"

namespace cscx::app {
namespace internal {
std::span<const core::EmbeddedFile> demo_files();             // generated: sql/demo_*.sql
std::span<const core::EmbeddedFile> demo_contract_files();    // generated: samples/contracts
std::span<const core::EmbeddedFile> demo_transcript_files();  // generated: samples/transcripts
}  // namespace internal

namespace {
namespace asio = boost::asio;

constexpr std::string_view kAlice = "a11ce000-0000-4000-8000-000000000001";
constexpr std::string_view kBob = "b0b00000-0000-4000-8000-000000000002";

// Each contract names one of the customers of sql/demo_data.sql, so the
// commit matches it by name and sets its ARR.
constexpr DemoSample kContracts[] = {
    {"acme_corporation_order_form.txt", kAlice, {}},
    {"globex_industries_subscription.txt", kAlice, {}},
    {"initech_renewal.txt", kAlice, {}},
    {"umbrella_health_msa.txt", kBob, {}},
    {"stark_logistics_order_form.txt", kBob, {}},
};

// The completed meetings of sql/demo_data.sql.
constexpr DemoSample kTranscripts[] = {
    {"acme_q3_business_review.txt", kAlice, "3ee70000-0000-4000-8000-000000000011"},
    {"globex_kickoff.vtt", kAlice, "3ee70000-0000-4000-8000-000000000021"},
    {"initech_value_review.txt", kAlice, "3ee70000-0000-4000-8000-000000000031"},
    {"umbrella_health_qbr.srt", kBob, "3ee70000-0000-4000-8000-000000000041"},
};

Result<std::string_view> embedded(std::span<const core::EmbeddedFile> files,
                                  std::string_view name) {
  for (const core::EmbeddedFile& f : files) {
    if (f.name == name) return f.content;
  }
  return make_error(Code::kInternal, "demo file " + std::string(name) + " is not compiled in");
}

Result<void> run_sql_file(db::Connection& conn, std::string_view name) {
  auto sql = embedded(internal::demo_files(), name);
  if (!sql) return sql.error();
  return conn.transaction(name, [&]() -> Result<void> {
    if (auto r = conn.exec(std::string(name), std::string(*sql)); !r) return r.error();
    return ok();
  });
}

// The demo CSM as the API would see them after signing in.
db::RequestIdentity as_csm(std::string_view csm_id, std::string path) {
  const std::string claims = boost::json::serialize(boost::json::object{
      {"sub", csm_id}, {"role", "authenticated"}, {"aud", "authenticated"}});
  return db::RequestIdentity{"authenticated", claims, "POST", std::move(path), "127.0.0.1",
                             "cscx serve --demo", "demo-data"};
}

asio::awaitable<Result<void>> store_contract(db::Pool& pool, const DemoSample& sample) {
  auto bytes = embedded(internal::demo_contract_files(), sample.file);
  if (!bytes) co_return bytes.error();
  auto extraction = contracts::parse_contract(*bytes);
  if (!extraction) co_return extraction.error();
  const db::RequestIdentity who = as_csm(sample.csm_id, "/api/contracts/parse");
  contracts::CommitOptions options;
  options.file_name = std::string(sample.file);
  auto stored = co_await contracts::commit_contract(pool, who, *extraction, options);
  if (!stored) co_return stored.error();
  co_return ok();
}

asio::awaitable<Result<void>> store_transcript(db::Pool& pool, const DemoSample& sample) {
  auto content = embedded(internal::demo_transcript_files(), sample.file);
  if (!content) co_return content.error();
  meetings::TranscriptPost post;
  post.meeting_id = std::string(sample.meeting_id);
  post.content = std::string(*content);
  const db::RequestIdentity who =
      as_csm(sample.csm_id, "/api/meetings/" + post.meeting_id + "/transcript");
  auto stored = co_await meetings::post_transcript(pool, who, post);
  if (!stored) co_return stored.error();
  co_return ok();
}

// One at a time, in a fixed order, so the demo is the same on every load.
asio::awaitable<Result<void>> store_samples(db::Pool& pool) {
  for (const DemoSample& sample : kContracts) {
    auto r = co_await store_contract(pool, sample);
    if (!r) {
      r.error().message = "demo contract " + std::string(sample.file) + ": " + r.error().message;
      co_return r.error();
    }
  }
  for (const DemoSample& sample : kTranscripts) {
    auto r = co_await store_transcript(pool, sample);
    if (!r) {
      r.error().message =
          "demo transcript " + std::string(sample.file) + ": " + r.error().message;
      co_return r.error();
    }
  }
  co_return ok();
}

Result<void> store_samples_blocking(const std::string& api_url) {
  asio::io_context io;
  db::Pool pool(io.get_executor(), db::PoolOptions{api_url, 1, std::chrono::milliseconds(5000)});
  std::optional<Result<void>> done;
  asio::co_spawn(io, store_samples(pool), [&done](std::exception_ptr e, Result<void> r) {
    done = e ? Result<void>(make_error(Code::kInternal, "loading the demo samples threw"))
             : std::move(r);
  });
  io.run();
  if (!done) return make_error(Code::kInternal, "loading the demo samples did not finish");
  return *done;
}

}  // namespace

std::span<const DemoSample> demo_contract_samples() { return kContracts; }
std::span<const DemoSample> demo_transcript_samples() { return kTranscripts; }

Result<bool> load_demo_data_if_empty(const std::string& admin_url, const std::string& api_url) {
  auto conn = db::Connection::open(admin_url);
  if (!conn) return conn.error();
  auto count =
      conn->exec_params("count_customers", "SELECT count(*) FROM public.customers");
  if (!count) return count.error();
  if (count->value(0, 0) != "0") return false;
  if (auto r = run_sql_file(*conn, "demo_data.sql"); !r) return r.error();
  if (auto r = store_samples_blocking(api_url); !r) return r.error();
  if (auto r = run_sql_file(*conn, "demo_links.sql"); !r) return r.error();
  return true;
}

}  // namespace cscx::app
