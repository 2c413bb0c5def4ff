#include "support/test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace cscx::testing {

std::string harness_url(std::string_view database) {
  const char* host = std::getenv("CSCX_TEST_PGHOST");
  if (host == nullptr || *host == '\0') {
    throw std::runtime_error(
        "CSCX_TEST_PGHOST is not set: run the tests through ctest, whose "
        "fixture starts the harness PostgreSQL");
  }
  return "postgresql:///" + std::string(database) + "?host=" + host +
         "&port=5432&user=postgres";
}

TestDatabase::TestDatabase(Kind kind) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  name_ = "t_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
          std::to_string(rd() % 1000000);
  auto admin = db::Connection::open(harness_url());
  if (!admin) throw std::runtime_error(admin.error().to_string());
  std::string sql = "CREATE DATABASE " + name_;
  if (kind == Kind::kMigrated) sql += " TEMPLATE " + std::string(kTemplateDatabase);
  if (auto r = admin->exec("create_test_database", sql); !r) {
    throw std::runtime_error(r.error().to_string());
  }
}

TestDatabase::~TestDatabase() {
  auto admin = db::Connection::open(harness_url());
  if (admin)
    (void)admin->exec("drop_test_database",
                      "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

std::string TestDatabase::url_as(std::string_view user) const {
  std::string u = url();
  u.replace(u.find("user=postgres"), 13, "user=" + std::string(user));
  return u;
}

db::Connection TestDatabase::connect() const {
  auto conn = db::Connection::open(url());
  if (!conn) throw std::runtime_error(conn.error().to_string());
  return std::move(*conn);
}

std::string query_value(db::Connection& conn, const std::string& sql) {
  auto r = conn.exec("test_query", sql);
  if (!r) throw std::runtime_error(r.error().to_string() + " in: " + sql);
  if (r->rows() == 0 || r->columns() == 0) return {};
  return std::string(r->value(0, 0));
}

void begin_as(db::Connection& conn, std::string_view role, std::string_view user_id) {
  std::string claims = "{\"role\":\"" + std::string(role) + "\"";
  if (!user_id.empty()) claims += ",\"sub\":\"" + std::string(user_id) + "\"";
  claims += "}";
  if (auto b = conn.exec("begin", "BEGIN"); !b)
    throw std::runtime_error(b.error().to_string());
  if (auto s = conn.exec_params(
          "set_claims", "SELECT set_config('request.jwt.claims', $1, true)", {claims});
      !s) {
    throw std::runtime_error(s.error().to_string());
  }
  // Role names here are test constants.
  if (auto s = conn.exec("set_role", "SET LOCAL ROLE " + std::string(role)); !s) {
    throw std::runtime_error(s.error().to_string());
  }
}

std::string source_text(const std::string& relative) {
  const auto path = std::filesystem::path(CSCX_SOURCE_DIR) / relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string function_statement(const std::string& sql,
                               const std::string& qualified_name) {
  const std::string head = "CREATE FUNCTION " + qualified_name + "(";
  const std::string tail = "\n$fn$;";
  const auto start = sql.find(head);
  const auto end = start == std::string::npos ? start : sql.find(tail, start);
  if (end == std::string::npos) {
    throw std::runtime_error("no CREATE FUNCTION " + qualified_name +
                             " ... $fn$; in the text");
  }
  return sql.substr(start, end + tail.size() - start);
}

}  // namespace cscx::testing
