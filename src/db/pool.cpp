#include "db/pool.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cscx::db {
namespace asio = boost::asio;

namespace {

// The identity framing: one statement sets every transaction-local
// setting. set_config('role', ..., true) is SET LOCAL ROLE with a bound
// parameter; the login role can only switch into the three request roles.
constexpr std::string_view kSetIdentity =
    "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true), "
    "set_config('request.method', $3, true), set_config('request.path', $4, true), "
    "set_config('request.ip', $5, true), set_config('request.user_agent', $6, true), "
    "set_config('request.id', $7, true)";
// Appended for a read-only transaction: the rest of it may not write, as
// after BEGIN READ ONLY (switching to read-only is allowed at any point).
constexpr std::string_view kReadOnlyTail = ", set_config('transaction_read_only', 'on', true)";

}  // namespace

Pool::Pool(asio::any_io_executor executor, PoolOptions options)
    : executor_(std::move(executor)), options_(std::move(options)) {}

PoolStats Pool::stats() const {
  std::lock_guard lock(mutex_);
  return PoolStats{open_ - idle_.size(), idle_.size(), waiters_.size()};
}

asio::awaitable<Result<std::unique_ptr<AsyncConnection>>> Pool::acquire() {
  const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
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
      waiter = std::make_shared<Waiter>(executor);
      waiters_.push_back(waiter);
    }
    // The timer only wakes the waiter; what happened is decided below, under
    // the lock, so a hand-off that races the timeout is never lost.
    waiter->timer.expires_at(deadline);
    waiter->timer.async_wait([waiter](boost::system::error_code ec) {
      if (!ec) waiter->wake.try_send(boost::system::error_code{});
    });
    co_await waiter->wake.async_receive(asio::as_tuple(asio::use_awaitable));
    waiter->timer.cancel();
    std::lock_guard lock(mutex_);
    if (waiter->state == Waiter::State::kHanded) co_return std::move(waiter->conn);
    // Timed out (still queued: leave the queue, then fail on the deadline
    // check) or a lost connection freed a slot (loop and connect).
    if (waiter->state == Waiter::State::kWaiting) std::erase(waiters_, waiter);
  }
}

void Pool::release(std::unique_ptr<AsyncConnection> conn) {
  std::shared_ptr<Waiter> next;
  {
    std::lock_guard lock(mutex_);
    // A connection left inside a transaction (a framing mistake) would hand
    // its role and settings to the next request: it is closed instead.
    const bool usable = conn && !conn->broken() && !conn->in_transaction();
    if (!usable) --open_;  // a lost connection frees its slot
    if (!waiters_.empty()) {
      next = std::move(waiters_.front());
      waiters_.pop_front();
      if (usable) {
        next->conn = std::move(conn);
        next->state = Waiter::State::kHanded;
      } else {
        next->state = Waiter::State::kSlotFreed;
      }
    } else if (usable) {
      idle_.push_back(std::move(conn));
    }
  }
  if (next) next->wake.try_send(boost::system::error_code{});
  // A broken connection is destroyed here, outside the lock.
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
  // Without BEGIN, everything up to the pipeline's Sync is one (implicit)
  // transaction: committed at the Sync when every statement succeeded,
  // rolled back when one failed. Only a transaction that must end in
  // ROLLBACK needs an explicit block.
  static const Statement kBegin{"begin", "BEGIN", {}};
  static const Statement kRollback{"rollback", "ROLLBACK", {}};
  static const std::string kIdentity(kSetIdentity);
  static const std::string kIdentityReadOnly = std::string(kSetIdentity).append(kReadOnlyTail);
  const Statement identity{"set_request_identity",
                           options.read_only ? kIdentityReadOnly : kIdentity,
                           {who.role, who.claims_json, who.method, who.path, who.ip,
                            who.user_agent, who.request_id}};
  std::vector<const Statement*> all;
  all.reserve(statements.size() + 3);
  if (options.rollback) all.push_back(&kBegin);
  all.push_back(&identity);
  for (const Statement& s : statements) all.push_back(&s);
  if (options.rollback) all.push_back(&kRollback);
  const size_t framing_before = options.rollback ? 2 : 1;

  auto conn = co_await acquire();
  if (!conn) co_return conn.error();
  const std::span<const Statement* const> framed(all);
  auto results = co_await (*conn)->pipeline(framed);
  if (!results && options.rollback && !(*conn)->broken()) {
    // The failed statement left the explicit block open and aborted.
    const std::span<const Statement> rollback(&kRollback, 1);
    (void)co_await (*conn)->pipeline(rollback);
  }
  release(std::move(*conn));
  if (!results) co_return results.error();
  // Drop the framing results: [BEGIN,] identity[, ROLLBACK].
  std::vector<QueryResult> out;
  out.reserve(statements.size());
  for (size_t i = framing_before; i < framing_before + statements.size(); ++i)
    out.push_back(std::move((*results)[i]));
  co_return out;
}

}  // namespace cscx::db
