// The command line as operators use it: exit codes and one-line errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "support/run_cscx.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {
namespace fs = std::filesystem;

int line_count(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

int migration_file_count() {
  int n = 0;
  for (const auto& f : fs::directory_iterator(fs::path(CSCX_SOURCE_DIR) / "migrations")) {
    n += f.path().extension() == ".sql";
  }
  return n;
}

TEST(Cli, UnreachableDatabaseUrlIsOneLineErrorAndExit1) {
  auto r =
      run_cscx({"migrate"},
               {{"DATABASE_URL", "postgresql://u:pw@127.0.0.1:1/x?connect_timeout=2"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_TRUE(contains(r.err, "cannot connect to PostgreSQL")) << r.err;
  EXPECT_FALSE(contains(r.err, ":pw@")) << "password leaked: " << r.err;
}

TEST(Cli, HomeWithoutPermissionIsOneLineErrorAndExit1) {
  auto r = run_cscx({"db", "start", "--home", "/proc/cscx-home"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_TRUE(contains(r.err, "cannot create home directory /proc/cscx-home")) << r.err;
}

TEST(Cli, UnknownCommandIsUsageErrorExit2) {
  auto r = run_cscx({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(Cli, DbStartRefusesWhenDatabaseUrlIsSet) {
  TestDatabase db(TestDatabase::Kind::kMigrated);
  auto r = run_cscx({"db", "start"}, {{"DATABASE_URL", db.url()}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "DATABASE_URL is set")) << r.err;
}

TEST(Cli, HomeComesFromCscxHomeWhenNoFlagIsGiven) {
  TempDir dir;
  const std::string home = dir.path() + "/from-env";
  auto r = run_cscx({"db", "status"}, {{"CSCX_HOME", home}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "not initialized")) << r.out;
  EXPECT_TRUE(fs::exists(home + "/cluster")) << r.out;
}

TEST(CliMigrate, MigratesTheEmbeddedDatabaseAndLeavesItStopped) {
  TempDir dir;
  const std::string home = dir.path() + "/home";
  auto r = run_cscx({"migrate", "--home", home});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "applied 001_initial.sql")) << r.out;
  auto status = run_cscx({"db", "status", "--home", home});
  EXPECT_TRUE(contains(status.out, "stopped")) << status.out;
  auto again = run_cscx({"migrate", "--status", "--home", home});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(contains(again.out, "pending")) << again.out;
}

TEST(CliMigrate, AppliesEverythingToAnEmptyDatabaseThenIsANoOp) {
  TestDatabase db(TestDatabase::Kind::kEmpty);
  auto first = run_cscx({"migrate"}, {{"DATABASE_URL", db.url()}});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(contains(first.out, "applied 001_initial.sql")) << first.out;
  EXPECT_TRUE(contains(first.out, "applied 002_vector_search.sql")) << first.out;
  auto second = run_cscx({"migrate"}, {{"DATABASE_URL", db.url()}});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, "database is up to date\n");
}

TEST(CliMigrate, StatusListsAppliedAndPendingWithChecksums) {
  TestDatabase db(TestDatabase::Kind::kEmpty);
  auto pending = run_cscx({"migrate", "--status"}, {{"DATABASE_URL", db.url()}});
  ASSERT_EQ(pending.exit_code, 0) << pending.err;
  EXPECT_TRUE(contains(pending.out, "001_initial.sql")) << pending.out;
  EXPECT_TRUE(contains(pending.out, "pending")) << pending.out;
  EXPECT_FALSE(contains(pending.out, "applied")) << pending.out;
  ASSERT_EQ(run_cscx({"migrate"}, {{"DATABASE_URL", db.url()}}).exit_code, 0);
  auto applied = run_cscx({"migrate", "--status"}, {{"DATABASE_URL", db.url()}});
  EXPECT_TRUE(contains(applied.out, "applied")) << applied.out;
  EXPECT_FALSE(contains(applied.out, "pending")) << applied.out;
}

TEST(CliMigrate, ChangedMigrationStopsWithClearMessage) {
  TestDatabase db;
  auto conn = db.connect();
  query_value(conn,
              "UPDATE cscx.schema_migrations SET checksum = repeat('0', 64) "
              "WHERE name = '001_initial.sql' RETURNING 1");
  auto r = run_cscx({"migrate"}, {{"DATABASE_URL", db.url()}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_TRUE(contains(r.err, "001_initial.sql changed after it was applied")) << r.err;
}

// 002 was changed once after release (pgvector only when the role may
// create it): a database that applied the earlier file is still accepted,
// any other checksum of it is not.
TEST(CliMigrate, TheSupersededChecksumOf002IsAccepted) {
  TestDatabase db;
  auto conn = db.connect();
  query_value(conn,
              "UPDATE cscx.schema_migrations SET checksum = "
              "'87208d5c6d676c998aaddfb11d3c4d7d58f2e20b99be3106cd1f13e43c5ab0cb' "
              "WHERE name = '002_vector_search.sql' RETURNING 1");
  auto accepted = run_cscx({"migrate"}, {{"DATABASE_URL", db.url()}});
  EXPECT_EQ(accepted.exit_code, 0) << accepted.err;
  query_value(conn,
              "UPDATE cscx.schema_migrations SET checksum = repeat('1', 64) "
              "WHERE name = '002_vector_search.sql' RETURNING 1");
  auto refused = run_cscx({"migrate"}, {{"DATABASE_URL", db.url()}});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(contains(refused.err, "002_vector_search.sql changed after it was applied"))
      << refused.err;
}

TEST(CliMigrate, MigrationFromANewerBinaryStops) {
  TestDatabase db;
  auto conn = db.connect();
  query_value(conn,
              "INSERT INTO cscx.schema_migrations (name, checksum) "
              "VALUES ('999_future.sql', 'x') RETURNING 1");
  auto r = run_cscx({"migrate"}, {{"DATABASE_URL", db.url()}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "999_future.sql")) << r.err;
}

TEST(CliMigrate, CorruptMigrationTableIsOneLineErrorAndExit1) {
  TestDatabase db;
  auto conn = db.connect();
  query_value(conn, "ALTER TABLE cscx.schema_migrations DROP COLUMN checksum; SELECT 1");
  auto r = run_cscx({"migrate"}, {{"DATABASE_URL", db.url()}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_TRUE(contains(r.err, "cscx.schema_migrations is corrupt")) << r.err;
}

TEST(CliMigrate, AppliesWhereSupabaseRolesAndAuthSchemaAlreadyExist) {
  // Roles are cluster-wide and already exist from the template; add what a
  // Supabase project has before our migrations run: schema auth, its users
  // table and auth.uid() owned by someone else.
  TestDatabase db(TestDatabase::Kind::kEmpty);
  auto conn = db.connect();
  query_value(conn, R"sql(
    CREATE SCHEMA auth;
    CREATE TABLE auth.users (id uuid PRIMARY KEY, email text, instance_id uuid);
    CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS
      $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
    SELECT 1)sql");
  auto r = run_cscx({"migrate"}, {{"DATABASE_URL", db.url()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query_value(conn, "SELECT count(*) FROM cscx.schema_migrations"),
            std::to_string(migration_file_count()));
  EXPECT_EQ(query_value(conn, "SELECT to_regclass('public.customers') IS NOT NULL"), "t");
}

TEST(CliMigrate, AppliesAsANonSuperuserOwnerLikeSupabasesPostgresRole) {
  // On Supabase, migrations run as `postgres`, which is not a superuser: it
  // owns the database and may create roles, while schema auth and its
  // objects belong to supabase_auth_admin, and default privileges hand every
  // new table to the API roles.
  TestDatabase db(TestDatabase::Kind::kEmpty);
  auto conn = db.connect();
  query_value(conn, R"sql(
    DO $$ BEGIN
      CREATE ROLE supa_owner LOGIN CREATEROLE NOSUPERUSER;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
    DO $$ BEGIN
      CREATE ROLE supa_auth_admin NOLOGIN NOSUPERUSER;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
    SELECT 1)sql");
  query_value(conn, "ALTER DATABASE " + db.name() + " OWNER TO supa_owner; SELECT 1");
  query_value(conn, R"sql(
    ALTER SCHEMA public OWNER TO supa_owner;
    CREATE SCHEMA auth AUTHORIZATION supa_auth_admin;
    CREATE TABLE auth.users (
      instance_id uuid, id uuid PRIMARY KEY, aud varchar(255), role varchar(255),
      email varchar(255), encrypted_password varchar(255), email_confirmed_at timestamptz,
      last_sign_in_at timestamptz, raw_app_meta_data jsonb, raw_user_meta_data jsonb,
      created_at timestamptz, updated_at timestamptz, banned_until timestamptz,
      deleted_at timestamptz);
    ALTER TABLE auth.users OWNER TO supa_auth_admin;
    CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS
      $$ SELECT (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid $$;
    CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS
      $$ SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role' $$;
    CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS
      $$ SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb $$;
    ALTER FUNCTION auth.uid() OWNER TO supa_auth_admin;
    ALTER FUNCTION auth.role() OWNER TO supa_auth_admin;
    ALTER FUNCTION auth.jwt() OWNER TO supa_auth_admin;
    GRANT USAGE ON SCHEMA auth TO supa_owner;
    GRANT SELECT, REFERENCES ON auth.users TO supa_owner;
    ALTER DEFAULT PRIVILEGES FOR ROLE supa_owner IN SCHEMA public
      GRANT ALL ON TABLES TO anon, authenticated, service_role;
    SELECT 1)sql");
  auto r = run_cscx({"migrate"}, {{"DATABASE_URL", db.url_as("supa_owner")}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      query_value(conn, "SELECT tableowner FROM pg_tables WHERE tablename = 'customers'"),
      "supa_owner");
  // The default privileges' TRUNCATE (which ignores RLS) was taken back.
  EXPECT_EQ(query_value(conn,
                        "SELECT has_table_privilege('authenticated', 'public.customers', "
                        "'TRUNCATE') OR has_table_privilege('anon', 'public.customers', "
                        "'INSERT')"),
            "f");
}

TEST(CliMigrate, FailedMigrationLeavesNothingBehind) {
  // A database where 001 cannot apply (a conflicting object): the run fails,
  // names the file, and records nothing.
  TestDatabase db(TestDatabase::Kind::kEmpty);
  auto conn = db.connect();
  query_value(conn, "CREATE TABLE public.customers (id int); SELECT 1");
  auto r = run_cscx({"migrate"}, {{"DATABASE_URL", db.url()}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "migration 001_initial.sql failed and was rolled back"))
      << r.err;
  EXPECT_EQ(query_value(conn, "SELECT count(*) FROM cscx.schema_migrations"), "0");
  EXPECT_EQ(query_value(conn, "SELECT to_regclass('public.stakeholders') IS NULL"), "t");
}

}  // namespace
}  // namespace cscx::testing
