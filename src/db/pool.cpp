#include "db/pool.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cscx::db {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

// The identity framing: one statement sets every transaction-local
// setting. set_config('role', ..., true) is SET LOCAL ROLE with a bound
// parameter; the login role can only switch into the three request roles.
constexpr const char* kSetIdentity =
    "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true), "
    "set_config('request.method', $3, true), set_config('request.path', $4, true), "
    "set_config('request.ip', $5, true), set_config('request.user_agent', $6, true), "
    "set_config('request.id', $7, true)";

}  // namespace

Pool::Pool(asio::any_io_executor executor, PoolOptions options)
    : executor_(std::move(executor)), options_(std::move(options)) {}

PoolStats Pool::stats() const {
  std::lock_guard lock(mutex_);
  return PoolStats{open_ - idle_.size(), idle_.size(), waiters_.size()};
}

asio::awaitable<Result<std::unique_ptr<AsyncConnection>>> Pool::acquire() {
  const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  for (;;) {
    std::shared_ptr<Waiter> waiter;
    {
      std::unique_lock lock(mutex_);
      if (!idle_.empty()) {
        auto conn = std::move(idle_.front());
        idle_.pop_front();
        co_return conn;
      }
      if (open_ < options_.size) {
        ++open_;
        lock.unlock();
        auto conn = co_await AsyncConnection::connect(executor_, options_.conninfo);
        if (!conn) {
          std::lock_guard relock(mutex_);
          --open_;
        }
        co_return conn;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        co_return make_error(Code::kUnavailable,
                             "the database is busy: no connection free within " +
                                 std::to_string(options_.acquire_timeout.count()) +
                                 " ms");
      }
      waiter = std::make_shared<Waiter>(executor_, 1);
      waiters_.push_back(waiter);
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
    co_await (waiter->async_receive(asio::as_tuple(asio::use_awaitable)) ||
              timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    std::lock_guard lock(mutex_);
    std::erase(waiters_, waiter);
  }
}

void Pool::release(std::unique_ptr<AsyncConnection> conn) {
  std::vector<std::shared_ptr<Waiter>> wake;
  {
    std::lock_guard lock(mutex_);
    if (conn && !conn->broken()) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;  // a lost connection frees its slot; the next acquire reconnects
    }
    wake.swap(waiters_);
  }
  // Wake everyone: the losers of the race wait again. No wake-up is lost,
  // because a waiter re-checks the pool under the lock after every wake.
  for (auto& w : wake) w->try_send(boost::system::error_code{});
  // Destroy a broken connection outside the lock.
}

asio::awaitable<Result<std::vector<QueryResult>>> Pool::run_plain(
    std::span<const Statement> statements) {
  auto conn = co_await acquire();
  if (!conn) co_return conn.error();
  auto results = co_await (*conn)->pipeline(statements);
  release(std::move(*conn));
  co_return results;
}

asio::awaitable<Result<std::vector<QueryResult>>> Pool::run_in_transaction(
    const RequestIdentity& who, std::span<const Statement> statements,
    TransactionOptions options) {
  std::vector<Statement> all;
  all.reserve(statements.size() + 3);
  all.push_back(options.read_only ? Statement{"begin", "BEGIN READ ONLY", {}}
                                  : Statement{"begin", "BEGIN", {}});
  all.push_back(Statement{"set_request_identity",
                          kSetIdentity,
                          {who.role, who.claims_json, who.method, who.path, who.ip,
                           who.user_agent, who.request_id}});
  all.insert(all.end(), statements.begin(), statements.end());
  all.push_back(options.rollback ? Statement{"rollback", "ROLLBACK", {}}
                                 : Statement{"commit", "COMMIT", {}});

  auto conn = co_await acquire();
  if (!conn) co_return conn.error();
  auto results = co_await (*conn)->pipeline(all);
  if (!results) {
    // The failed statement left the transaction open and aborted.
    if (!(*conn)->broken()) {
      const Statement rollback{"rollback", "ROLLBACK", {}};
      (void)co_await (*conn)->pipeline(std::span(&rollback, 1));
    }
    release(std::move(*conn));
    co_return results.error();
  }
  release(std::move(*conn));
  // Drop the framing results: BEGIN, identity, and COMMIT (or ROLLBACK).
  std::vector<QueryResult> out;
  out.reserve(statements.size());
  for (size_t i = 2; i + 1 < results->size(); ++i)
    out.push_back(std::move((*results)[i]));
  co_return out;
}

}  // namespace cscx::db
