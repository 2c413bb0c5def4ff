// The migrated schema against the seed document: the seed's own DDL
// (tests/schema/seed_tables.sql, verbatim) is created in a scratch schema
// and compared, column by column and index by index, with public.
#include <gtest/gtest.h>


#include "support/test_database.h"

namespace cscx::testing {
namespace {

std::string seed_tables_sql() {
  std::string sql = source_text("tests/schema/seed_tables.sql");
  // The one type the seed uses that Debian's PostgreSQL lacks; 002 decides
  // the real column type and is checked separately below.
  const std::string vector = "VECTOR(1536)";
  if (auto pos = sql.find(vector); pos != std::string::npos) sql.replace(pos, vector.size(), "REAL[]");
  return sql;
}

class SchemaConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    query_value(conn_, "CREATE SCHEMA seed_literal; SET search_path = seed_literal; " +
                           seed_tables_sql() + "; RESET search_path; SELECT 1");
  }

  // Rows of `sql` (with $SCHEMA replaced) for one schema, as text lines.
  std::string lines(std::string sql, const std::string& schema) {
    for (size_t p; (p = sql.find("$SCHEMA")) != std::string::npos;) sql.replace(p, 7, schema);
    return query_value(conn_, sql);
  }

  TestDatabase db_;
  db::Connection conn_ = db_.connect();
};

// Columns: name, type, default, nullability, in order. knowledge_base's
// embedding is added by 002 (as the seed's own 002 does) and checked apart.
constexpr const char* kColumns = R"sql(
  SELECT string_agg(format('%s.%s %s default=%s null=%s', table_name, column_name,
                           CASE WHEN data_type = 'ARRAY' THEN udt_name ELSE data_type END,
                           coalesce(column_default, '-'), is_nullable), E'\n'
                    ORDER BY table_name, ordinal_position)
  FROM information_schema.columns
  WHERE table_schema = '$SCHEMA'
    AND table_name IN (SELECT table_name FROM information_schema.tables
                       WHERE table_schema = '$SCHEMA' AND table_type = 'BASE TABLE')
    -- Tables of later features (006_health's tasks, health_*) are not the seed's.
    AND table_name IN (SELECT table_name FROM information_schema.tables
                       WHERE table_schema = 'seed_literal')
    AND NOT (table_name = 'knowledge_base' AND column_name = 'embedding'))sql";

TEST_F(SchemaConformance, EveryTableAndColumnMatchesTheSeed) {
  const std::string seed = lines(kColumns, "seed_literal");
  ASSERT_FALSE(seed.empty());
  EXPECT_EQ(lines(kColumns, "public"), seed);
}

// Every index the seed creates exists in public with the same definition.
TEST_F(SchemaConformance, EveryIndexOfTheSeedExists) {
  const std::string missing = query_value(conn_, R"sql(
    SELECT coalesce(string_agg(s.indexname || ': ' || s.indexdef, E'\n'), '')
    FROM pg_indexes s
    WHERE s.schemaname = 'seed_literal'
      AND NOT EXISTS (SELECT 1 FROM pg_indexes p
                      WHERE p.schemaname = 'public' AND p.indexname = s.indexname
                        AND p.indexdef = replace(s.indexdef, 'seed_literal.', 'public.')))sql");
  EXPECT_EQ(missing, "");
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'seed_literal'"),
            "44");  // 30 named indexes + 14 primary keys
}

// Every constraint of the seed (primary keys, foreign keys with their ON
// DELETE) exists in public, except activity_log's two foreign keys, which
// are ON DELETE SET NULL so the audit trail outlives what it describes.
TEST_F(SchemaConformance, EveryConstraintOfTheSeedExists) {
  const std::string missing = query_value(conn_, R"sql(
    WITH defs AS (
      SELECT n.nspname AS schema, t.relname AS tbl, pg_get_constraintdef(c.oid) AS def
      FROM pg_constraint c
      JOIN pg_class t ON t.oid = c.conrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname IN ('seed_literal', 'public'))
    SELECT coalesce(string_agg(s.tbl || ': ' || s.def, E'\n'), '')
    FROM defs s
    WHERE s.schema = 'seed_literal'
      AND NOT (s.tbl = 'activity_log' AND s.def LIKE 'FOREIGN KEY%')
      AND NOT EXISTS (SELECT 1 FROM defs p WHERE p.schema = 'public' AND p.tbl = s.tbl
                        AND p.def = replace(s.def, 'seed_literal.', '')))sql");
  EXPECT_EQ(missing, "");
  EXPECT_EQ(query_value(conn_, R"sql(
    SELECT string_agg(pg_get_constraintdef(oid), ' | ' ORDER BY pg_get_constraintdef(oid))
    FROM pg_constraint WHERE conrelid = 'public.activity_log'::regclass AND contype = 'f')sql"),
            "FOREIGN KEY (customer_id) REFERENCES customers(id) ON DELETE SET NULL | "
            "FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE SET NULL");
}

TEST_F(SchemaConformance, KnowledgeBaseEmbeddingMatchesTheRecordedStorage) {
  const std::string storage = query_value(
      conn_, "SELECT value FROM cscx.settings WHERE key = 'embedding_storage'");
  const std::string type = query_value(
      conn_, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
             "'public.knowledge_base'::regclass AND attname = 'embedding'");
  if (storage == "pgvector") {
    EXPECT_EQ(type, "vector(1536)");
  } else {
    ASSERT_EQ(storage, "real[]");
    EXPECT_EQ(type, "real[]");
    query_value(conn_,
                "INSERT INTO knowledge_base (title, content, embedding) VALUES "
                "('ok', 'x', array_fill(0.5::real, ARRAY[1536])); SELECT 1");
    auto wrong = conn_.exec("short_embedding",
                            "INSERT INTO knowledge_base (title, content, embedding) "
                            "VALUES ('bad', 'x', ARRAY[1,2,3]::real[])");
    EXPECT_FALSE(wrong) << "a 3-dimension embedding was accepted";
  }
}

TEST_F(SchemaConformance, TheSeedsViewAndFunctionExist) {
  EXPECT_EQ(query_value(conn_, "SELECT to_regclass('public.customer_health_view') IS NOT NULL"),
            "t");
  EXPECT_EQ(query_value(conn_,
                        "SELECT pg_get_function_result('public.update_health_score(uuid)'"
                        "::regprocedure)"),
            "integer");
}

}  // namespace
}  // namespace cscx::testing
