-- 003_auth: what cscx's own /auth/v1 (a GoTrue-compatible subset) needs.
--
-- On a real Supabase project GoTrue owns `auth` and serves /auth/v1; there
-- the auth.users columns below already exist (same names and types) and
-- this file only adds cscx's session tables in schema cscx.
--
-- The auth endpoints run as `cscx_auth`: a role with rights on the auth
-- tables only, no access to customer data, which the server switches into
-- for /auth/v1 requests alone (a token can never name it: tokens may only
-- carry anon, authenticated or service_role).

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'cscx_auth') THEN
    CREATE ROLE cscx_auth NOLOGIN NOINHERIT;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

DO $$
BEGIN
  IF NOT pg_catalog.pg_has_role('authenticator', 'cscx_auth', 'MEMBER') THEN
    GRANT cscx_auth TO authenticator;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

-- Supabase's column names and types, added only where missing (ALTER ...
-- ADD COLUMN IF NOT EXISTS would still demand ownership of auth.users).
DO $$
DECLARE
  col record;
BEGIN
  FOR col IN
    SELECT * FROM (VALUES
      ('aud', 'character varying(255)', NULL),
      ('encrypted_password', 'character varying(255)', NULL),
      ('email_confirmed_at', 'timestamp with time zone', NULL),
      ('last_sign_in_at', 'timestamp with time zone', NULL),
      ('raw_app_meta_data', 'jsonb', '''{}''::jsonb'),
      ('raw_user_meta_data', 'jsonb', '''{}''::jsonb'),
      ('banned_until', 'timestamp with time zone', NULL),
      ('deleted_at', 'timestamp with time zone', NULL)
    ) AS c(name, type, dflt)
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
                   WHERE attrelid = 'auth.users'::regclass AND attname = col.name
                     AND NOT attisdropped) THEN
      EXECUTE format('ALTER TABLE auth.users ADD COLUMN %I %s%s', col.name, col.type,
                     CASE WHEN col.dflt IS NULL THEN '' ELSE ' DEFAULT ' || col.dflt END);
    END IF;
  END LOOP;
END
$$;

-- One account per e-mail address, case-insensitively. Only on our own
-- auth.users (Supabase has its own unique index there).
DO $$
BEGIN
  IF (SELECT tableowner FROM pg_catalog.pg_tables
      WHERE schemaname = 'auth' AND tablename = 'users') = current_user
     AND to_regclass('auth.users_email_lower_key') IS NULL THEN
    CREATE UNIQUE INDEX users_email_lower_key ON auth.users (lower(email));
  END IF;
END
$$;

-- A sign-in: its refresh tokens form one family. Revoking the session
-- (logout, or reuse of a rotated refresh token) ends the family.
CREATE TABLE cscx.auth_sessions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  refreshed_at TIMESTAMPTZ,
  revoked_at TIMESTAMPTZ,
  revoked_reason TEXT,
  ip INET,
  user_agent TEXT
);
CREATE INDEX idx_auth_sessions_user ON cscx.auth_sessions(user_id);

-- Opaque refresh tokens, stored as SHA-256 hex only. A used token is
-- marked used, never deleted, so its reuse is recognised.
CREATE TABLE cscx.refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  session_id UUID NOT NULL REFERENCES cscx.auth_sessions(id) ON DELETE CASCADE,
  parent_hash TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  used_at TIMESTAMPTZ
);
CREATE INDEX idx_refresh_tokens_session ON cscx.refresh_tokens(session_id);

GRANT USAGE ON SCHEMA auth, cscx TO cscx_auth;
DO $$
BEGIN
  GRANT SELECT, INSERT, UPDATE ON auth.users TO cscx_auth;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'GRANT on auth.users skipped: %', SQLERRM;
END
$$;
GRANT SELECT, INSERT, UPDATE ON cscx.auth_sessions, cscx.refresh_tokens TO cscx_auth;
REVOKE ALL ON cscx.auth_sessions, cscx.refresh_tokens FROM PUBLIC, anon, authenticated;

-- GET /ready compares the migration history with the binary's, as the
-- server's login role.
GRANT USAGE ON SCHEMA cscx TO authenticator;
GRANT SELECT ON cscx.schema_migrations TO authenticator;
