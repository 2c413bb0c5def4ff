// One non-blocking libpq connection driven by an Asio executor: no thread
// ever blocks on it. Statements go out in pipeline mode, so a request's
// role, claims and queries cost one network round trip, and the pipeline's
// Sync commits them.
//
// Not thread-safe: one coroutine uses a connection at a time (the Pool
// guarantees it).
#pragma once

#include <libpq-fe.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "db/connection.h"

namespace cscx::db {

// A named SQL statement with bound text parameters (nullopt = NULL).
struct Statement {
  std::string_view name;  // shown in errors and logs
  std::string sql;
  std::vector<Param> params;
  // Prepare once per connection and reuse the plan (for the fixed SQL of a
  // route). Generated one-off SQL should say false, so it does not fill the
  // connection's statement cache.
  bool prepare = true;
};

class AsyncConnection {
 public:
  // Connects without blocking. kUnavailable when the server is unreachable.
  static boost::asio::awaitable<Result<std::unique_ptr<AsyncConnection>>> connect(
      boost::asio::any_io_executor executor, std::string conninfo);

  ~AsyncConnection();
  AsyncConnection(const AsyncConnection&) = delete;
  AsyncConnection& operator=(const AsyncConnection&) = delete;

  // Sends every statement in one pipeline and returns one result each.
  // Statements with `prepare` are parsed and planned once per connection
  // (the Parse goes into the same pipeline the first time). On
  // the first failing statement returns its error (the server skips the
  // rest). A transaction the statements opened is left open on error: the
  // caller rolls back (see run_in_transaction).
  boost::asio::awaitable<Result<std::vector<QueryResult>>> pipeline(
      std::span<const Statement> statements);
  // The same, for statements that live in different places (the pool's
  // framing around a handler's statements), so none has to be copied.
  boost::asio::awaitable<Result<std::vector<QueryResult>>> pipeline(
      std::span<const Statement* const> statements);

  // True once the connection is unusable (lost, or left mid-protocol).
  bool broken() const;

  // True while a transaction is open (or failed and not yet ended) on the
  // server: a connection between requests must never be.
  bool in_transaction() const;

 private:
  AsyncConnection(PGconn* conn, boost::asio::any_io_executor executor);
  Result<void> attach_socket();
  boost::asio::awaitable<Result<void>> flush();
  boost::asio::awaitable<Result<void>> wait(bool writable);
  boost::asio::awaitable<Result<PGresult*>> next_result();

  PGconn* conn_;
  boost::asio::posix::stream_descriptor socket_;
  int attached_fd_ = -1;
  bool poisoned_ = false;
  // SQL text -> server-side statement name, for statements prepared on this
  // connection. Bounded by kMaxPrepared; beyond it statements run unnamed.
  std::unordered_map<std::string, std::string> prepared_;
  static constexpr size_t kMaxPrepared = 256;
};

}  // namespace cscx::db
