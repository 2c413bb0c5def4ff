-- 001_initial: the seed schema (seed/000_7863041eadbf201a.txt) plus what it leaves out.
-- Run by the migration runner in one transaction as a superuser (or Supabase's `postgres`).
-- docs/schema.md explains every deviation from the seed.

-- ---------------------------------------------------------------------------
-- Supabase-compatible base. Only creates what is missing: a Supabase project
-- already has all of this, owned by other roles.
-- ---------------------------------------------------------------------------

-- Roles are cluster-wide: two databases of one cluster may run this at the
-- same time, so a lost race (duplicate_object / unique_violation) is fine.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'service_role') THEN
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

-- The server's login role: no privileges of its own (NOINHERIT), it can only
-- SET ROLE into the three request roles.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'authenticator') THEN
    CREATE ROLE authenticator LOGIN NOINHERIT;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

-- Grant only missing memberships: on Supabase they exist already and the
-- `postgres` role need not be able to re-grant them.
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    IF NOT pg_catalog.pg_has_role('authenticator', r, 'MEMBER') THEN
      BEGIN
        EXECUTE format('GRANT %I TO authenticator', r);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END;
    END IF;
  END LOOP;
END
$$;

-- Existence is tested before creating: CREATE ... IF NOT EXISTS checks the
-- CREATE privilege first, and Supabase's `postgres` role has none on auth.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'auth') THEN
    CREATE SCHEMA auth;
  END IF;
END
$$;

-- Minimal stand-in for Supabase's auth.users; a later migration adds the
-- password columns. On Supabase the real table is left untouched.
DO $$
BEGIN
  IF to_regclass('auth.users') IS NULL THEN
    CREATE TABLE IF NOT EXISTS auth.users (
      id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
      email TEXT,
      created_at TIMESTAMPTZ DEFAULT NOW(),
      updated_at TIMESTAMPTZ DEFAULT NOW(),
      raw_user_meta_data JSONB DEFAULT '{}',
      role TEXT
    );
  END IF;
END
$$;

-- auth.uid() / auth.role() / auth.jwt() exactly as Supabase defines them.
-- Created only when absent: on Supabase they exist and belong to another role.
DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = 'auth' AND p.proname = 'uid') THEN
    CREATE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE sql STABLE
    AS $fn$
      SELECT
      coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
      )::uuid
    $fn$;
  END IF;

  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = 'auth' AND p.proname = 'role') THEN
    CREATE FUNCTION auth.role() RETURNS text
    LANGUAGE sql STABLE
    AS $fn$
      SELECT
      coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
      )::text
    $fn$;
  END IF;

  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = 'auth' AND p.proname = 'jwt') THEN
    CREATE FUNCTION auth.jwt() RETURNS jsonb
    LANGUAGE sql STABLE
    AS $fn$
      SELECT
      coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
      )::jsonb
    $fn$;
  END IF;
END
$do$;

-- Supabase has these grants already; there `postgres` may not own the auth
-- schema or its functions, so a refusal is not an error here.
DO $$
BEGIN
  GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'GRANT USAGE ON SCHEMA auth skipped: %', SQLERRM;
END
$$;

DO $$
BEGIN
  GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.jwt() TO anon, authenticated, service_role;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'GRANT EXECUTE on auth functions skipped: %', SQLERRM;
END
$$;

GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;

-- Internal bookkeeping of cscx itself. Not exposed to request roles.
CREATE SCHEMA IF NOT EXISTS cscx;
REVOKE ALL ON SCHEMA cscx FROM PUBLIC;

CREATE TABLE IF NOT EXISTS cscx.settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

REVOKE ALL ON TABLE cscx.settings FROM PUBLIC, anon, authenticated;
GRANT USAGE ON SCHEMA cscx TO service_role;
GRANT SELECT ON TABLE cscx.settings TO service_role;

-- ---------------------------------------------------------------------------
-- Tables: column for column as in the seed.
-- ---------------------------------------------------------------------------

CREATE TABLE customers (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name TEXT NOT NULL,
  arr NUMERIC,
  industry TEXT,
  stage TEXT DEFAULT 'prospect',
  health_score INTEGER,
  csm_id UUID REFERENCES auth.users(id),
  salesforce_id TEXT,
  hubspot_id TEXT,
  metadata JSONB DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_customers_name ON customers(name);
CREATE INDEX idx_customers_csm ON customers(csm_id);
CREATE INDEX idx_customers_stage ON customers(stage);

CREATE TABLE stakeholders (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id UUID REFERENCES customers(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  role TEXT,
  email TEXT,
  phone TEXT,
  linkedin_url TEXT,
  is_primary BOOLEAN DEFAULT FALSE,
  sentiment TEXT,
  notes TEXT,
  metadata JSONB DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_stakeholders_customer ON stakeholders(customer_id);
CREATE INDEX idx_stakeholders_email ON stakeholders(email);

CREATE TABLE contracts (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id UUID REFERENCES customers(id) ON DELETE CASCADE,
  file_url TEXT,
  file_name TEXT,
  raw_text TEXT,
  company_name TEXT,
  arr NUMERIC,
  contract_term TEXT,
  start_date DATE,
  end_date DATE,
  status TEXT DEFAULT 'active',
  parsed_data JSONB,
  pricing_terms JSONB,
  technical_requirements JSONB,
  missing_info JSONB,
  next_steps JSONB,
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_contracts_customer ON contracts(customer_id);
CREATE INDEX idx_contracts_status ON contracts(status);

CREATE TABLE entitlements (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  contract_id UUID REFERENCES contracts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT,
  quantity INTEGER,
  unit TEXT,
  price NUMERIC,
  category TEXT,
  metadata JSONB DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_entitlements_contract ON entitlements(contract_id);

CREATE TABLE agent_sessions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id UUID REFERENCES customers(id) ON DELETE CASCADE,
  user_id UUID REFERENCES auth.users(id),
  status TEXT DEFAULT 'active',
  active_agent TEXT DEFAULT 'onboarding',
  deployed_agents TEXT[] DEFAULT '{}',
  context JSONB DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW(),
  ended_at TIMESTAMPTZ
);

CREATE INDEX idx_sessions_customer ON agent_sessions(customer_id);
CREATE INDEX idx_sessions_user ON agent_sessions(user_id);
CREATE INDEX idx_sessions_status ON agent_sessions(status);

CREATE TABLE agent_messages (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id UUID REFERENCES agent_sessions(id) ON DELETE CASCADE,
  agent_id TEXT,
  role TEXT NOT NULL, -- 'user', 'agent', 'system'
  content TEXT NOT NULL,
  thinking BOOLEAN DEFAULT FALSE,
  requires_approval BOOLEAN DEFAULT FALSE,
  deployed_agent TEXT,
  tool_calls JSONB,
  metadata JSONB DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_messages_session ON agent_messages(session_id);
CREATE INDEX idx_messages_created ON agent_messages(created_at);

CREATE TABLE approvals (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id UUID REFERENCES agent_sessions(id) ON DELETE CASCADE,
  agent_id TEXT NOT NULL,
  action TEXT NOT NULL,
  details TEXT,
  status TEXT DEFAULT 'pending', -- 'pending', 'approved', 'rejected'
  resolved_by UUID REFERENCES auth.users(id),
  resolved_at TIMESTAMPTZ,
  comment TEXT,
  metadata JSONB DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_approvals_session ON approvals(session_id);
CREATE INDEX idx_approvals_status ON approvals(status);

CREATE TABLE meetings (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id UUID REFERENCES customers(id) ON DELETE CASCADE,
  session_id UUID REFERENCES agent_sessions(id),
  title TEXT NOT NULL,
  description TEXT,
  scheduled_at TIMESTAMPTZ,
  duration INTEGER, -- minutes
  status TEXT DEFAULT 'scheduled',
  meeting_url TEXT,
  calendar_event_id TEXT,
  attendees JSONB DEFAULT '[]',
  agenda JSONB,
  metadata JSONB DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_meetings_customer ON meetings(customer_id);
CREATE INDEX idx_meetings_scheduled ON meetings(scheduled_at);

CREATE TABLE transcripts (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  meeting_id UUID REFERENCES meetings(id) ON DELETE CASCADE,
  content TEXT NOT NULL,
  duration INTEGER, -- seconds
  speakers JSONB DEFAULT '[]',
  word_count INTEGER,
  language TEXT DEFAULT 'en',
  metadata JSONB DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_transcripts_meeting ON transcripts(meeting_id);

CREATE TABLE insights (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id UUID REFERENCES customers(id) ON DELETE CASCADE,
  meeting_id UUID REFERENCES meetings(id),
  source TEXT NOT NULL, -- 'meeting', 'email', 'crm', 'agent'
  type TEXT NOT NULL, -- 'decision', 'action_item', 'concern', 'quote', 'sentiment'
  content TEXT NOT NULL,
  importance TEXT DEFAULT 'medium',
  owner TEXT,
  due_date DATE,
  status TEXT DEFAULT 'open',
  metadata JSONB DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_insights_customer ON insights(customer_id);
CREATE INDEX idx_insights_type ON insights(type);
CREATE INDEX idx_insights_status ON insights(status);

CREATE TABLE training_modules (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  title TEXT NOT NULL,
  description TEXT,
  content TEXT,
  duration INTEGER, -- minutes
  level TEXT DEFAULT 'beginner',
  category TEXT,
  prerequisites UUID[],
  is_active BOOLEAN DEFAULT TRUE,
  metadata JSONB DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_modules_category ON training_modules(category);
CREATE INDEX idx_modules_active ON training_modules(is_active);

CREATE TABLE training_progress (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id UUID REFERENCES customers(id) ON DELETE CASCADE,
  stakeholder_id UUID REFERENCES stakeholders(id),
  module_id UUID REFERENCES training_modules(id) ON DELETE CASCADE,
  status TEXT DEFAULT 'not_started', -- 'not_started', 'in_progress', 'completed'
  progress INTEGER DEFAULT 0, -- percentage
  started_at TIMESTAMPTZ,
  completed_at TIMESTAMPTZ,
  score INTEGER,
  metadata JSONB DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE UNIQUE INDEX idx_progress_unique ON training_progress(customer_id, stakeholder_id, module_id);
CREATE INDEX idx_progress_customer ON training_progress(customer_id);

-- The seed's `embedding VECTOR(1536)` column is added by 002_vector_search.sql
-- (pgvector when available, real[] otherwise).
CREATE TABLE knowledge_base (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  category TEXT,
  tags TEXT[],
  is_public BOOLEAN DEFAULT TRUE,
  view_count INTEGER DEFAULT 0,
  helpful_count INTEGER DEFAULT 0,
  metadata JSONB DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_kb_category ON knowledge_base(category);
CREATE INDEX idx_kb_tags ON knowledge_base USING GIN(tags);

-- ON DELETE SET NULL (seed: NO ACTION): the audit trail outlives the user or
-- customer it describes instead of blocking their deletion.
CREATE TABLE activity_log (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID REFERENCES auth.users(id) ON DELETE SET NULL,
  customer_id UUID REFERENCES customers(id) ON DELETE SET NULL,
  action TEXT NOT NULL,
  entity_type TEXT,
  entity_id UUID,
  old_values JSONB,
  new_values JSONB,
  ip_address INET,
  user_agent TEXT,
  created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_activity_user ON activity_log(user_id);
CREATE INDEX idx_activity_customer ON activity_log(customer_id);
CREATE INDEX idx_activity_created ON activity_log(created_at);

-- ---------------------------------------------------------------------------
-- Cross-customer integrity. Foreign-key checks ignore RLS, so without these a
-- CSM could point their own row at another tenant's meeting, session or
-- stakeholder by id. Each composite key pins the child's customer_id to the
-- parent's. They sit beside the seed's single-column keys (which keep their
-- ON DELETE behaviour); the `_tenant_fkey` suffix marks them as integrity
-- guards, not relationships to embed.
-- ---------------------------------------------------------------------------

ALTER TABLE meetings ADD CONSTRAINT meetings_id_customer_id_key UNIQUE (id, customer_id);
ALTER TABLE agent_sessions ADD CONSTRAINT agent_sessions_id_customer_id_key UNIQUE (id, customer_id);
ALTER TABLE stakeholders ADD CONSTRAINT stakeholders_id_customer_id_key UNIQUE (id, customer_id);

ALTER TABLE insights ADD CONSTRAINT insights_meeting_tenant_fkey
  FOREIGN KEY (meeting_id, customer_id) REFERENCES meetings (id, customer_id);
ALTER TABLE meetings ADD CONSTRAINT meetings_session_tenant_fkey
  FOREIGN KEY (session_id, customer_id) REFERENCES agent_sessions (id, customer_id);
ALTER TABLE training_progress ADD CONSTRAINT training_progress_stakeholder_tenant_fkey
  FOREIGN KEY (stakeholder_id, customer_id) REFERENCES stakeholders (id, customer_id);

COMMENT ON CONSTRAINT insights_meeting_tenant_fkey ON insights IS
  'Integrity guard: the meeting belongs to the same customer. Not an embeddable relationship.';
COMMENT ON CONSTRAINT meetings_session_tenant_fkey ON meetings IS
  'Integrity guard: the agent session belongs to the same customer. Not an embeddable relationship.';
COMMENT ON CONSTRAINT training_progress_stakeholder_tenant_fkey ON training_progress IS
  'Integrity guard: the stakeholder belongs to the same customer. Not an embeddable relationship.';

-- ---------------------------------------------------------------------------
-- Indexes beyond the seed: list/sort paths under RLS and the referencing side
-- of foreign keys (deletes and cascades). docs/schema.md shows the plans.
-- ---------------------------------------------------------------------------

-- A CSM's customer list sorted by name / by ARR (also customer_health_view).
CREATE INDEX idx_customers_csm_name ON customers(csm_id, name);
CREATE INDEX idx_customers_csm_arr ON customers(csm_id, arr);
-- customer_health_view: concern_count, last_meeting, last_interaction.
CREATE INDEX idx_insights_customer_type ON insights(customer_id, type);
CREATE INDEX idx_meetings_customer_scheduled ON meetings(customer_id, scheduled_at);
CREATE INDEX idx_messages_session_created ON agent_messages(session_id, created_at);
-- Referencing side of foreign keys the seed left unindexed.
CREATE INDEX idx_approvals_resolved_by ON approvals(resolved_by);
CREATE INDEX idx_meetings_session ON meetings(session_id);
CREATE INDEX idx_insights_meeting ON insights(meeting_id);
CREATE INDEX idx_progress_stakeholder ON training_progress(stakeholder_id);
CREATE INDEX idx_progress_module ON training_progress(module_id);

-- ---------------------------------------------------------------------------
-- Functions and triggers.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION update_timestamp()
RETURNS TRIGGER AS $$
BEGIN
  NEW.updated_at = NOW();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- The seed shows two of these and says "repeat for other tables": every table
-- with updated_at gets one.
CREATE TRIGGER update_customers_timestamp
  BEFORE UPDATE ON customers
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE TRIGGER update_stakeholders_timestamp
  BEFORE UPDATE ON stakeholders
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE TRIGGER update_contracts_timestamp
  BEFORE UPDATE ON contracts
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE TRIGGER update_agent_sessions_timestamp
  BEFORE UPDATE ON agent_sessions
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE TRIGGER update_meetings_timestamp
  BEFORE UPDATE ON meetings
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE TRIGGER update_training_modules_timestamp
  BEFORE UPDATE ON training_modules
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE TRIGGER update_training_progress_timestamp
  BEFORE UPDATE ON training_progress
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE TRIGGER update_knowledge_base_timestamp
  BEFORE UPDATE ON knowledge_base
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

-- Security invoker (the default): it sees and updates only what the caller's
-- RLS allows.
CREATE OR REPLACE FUNCTION update_health_score(customer_uuid UUID)
RETURNS INTEGER AS $$
DECLARE
  engagement_score INTEGER;
  adoption_score INTEGER;
  total_score INTEGER;
BEGIN
  -- Calculate engagement (based on recent interactions)
  SELECT LEAST(100, COUNT(*) * 10) INTO engagement_score
  FROM agent_messages am
  JOIN agent_sessions s ON s.id = am.session_id
  WHERE s.customer_id = customer_uuid
  AND am.created_at > NOW() - INTERVAL '30 days';

  -- Calculate adoption (based on training progress)
  SELECT COALESCE(AVG(progress), 0) INTO adoption_score
  FROM training_progress
  WHERE customer_id = customer_uuid;

  -- Combine scores
  total_score := (engagement_score + adoption_score) / 2;

  -- Update customer
  UPDATE customers SET
    health_score = total_score,
    updated_at = NOW()
  WHERE id = customer_uuid;

  RETURN total_score;
END;
$$ LANGUAGE plpgsql;

REVOKE ALL ON FUNCTION update_health_score(UUID) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION update_health_score(UUID) TO authenticated, service_role;

-- Set-based update_health_score: every customer the caller can see, in one
-- UPDATE ... FROM with per-customer aggregates (never one call per customer);
-- returns the number of customers updated. Security invoker like
-- update_health_score: a CSM refreshes only their own customers.
-- Same arithmetic as update_health_score:
--   engagement = LEAST(100, 10 * messages of the customer's sessions created
--                in the last 30 days)
--   adoption   = AVG(progress), NULLs ignored, no value -> 0, stored in an
--                INTEGER: plpgsql does that with the numeric -> integer cast,
--                which rounds half away from zero (62.5 -> 63, -62.5 -> -63),
--                hence round()
--   score      = (engagement + adoption) / 2, integer division
-- Two plans for one result, chosen by whether RLS applies to the caller:
-- - without RLS (service_role, superuser): aggregate the whole tables once
--   (messages per session, then per customer) and hash-join; about 0.1 s of
--   reading for 10,000 customers and 350,000 messages.
-- - under RLS (a CSM): the aggregates are taken per customer from the CSM's
--   customers (LATERAL, index probes), so only their rows are read and
--   checked by the policies; the whole-table form would run the message
--   policy on every recent message of every tenant.
CREATE OR REPLACE FUNCTION update_all_health_scores()
RETURNS INTEGER AS $$
DECLARE
  updated INTEGER;
BEGIN
  IF row_security_active('public.customers') THEN
    UPDATE customers SET
      health_score = x.total,
      updated_at = NOW()
    FROM (
      SELECT c.id, (e.score + a.score) / 2 AS total
      FROM customers c
      CROSS JOIN LATERAL (
        SELECT LEAST(100, COUNT(*) * 10)::integer AS score
        FROM agent_sessions s
        JOIN agent_messages am ON am.session_id = s.id
        WHERE s.customer_id = c.id
          AND am.created_at > NOW() - INTERVAL '30 days') e
      CROSS JOIN LATERAL (
        SELECT round(COALESCE(AVG(tp.progress), 0))::integer AS score
        FROM training_progress tp
        WHERE tp.customer_id = c.id) a
    ) x
    WHERE customers.id = x.id;
  ELSE
    WITH recent_messages AS (
      SELECT am.session_id, COUNT(*) AS n
      FROM agent_messages am
      WHERE am.created_at > NOW() - INTERVAL '30 days'
      GROUP BY am.session_id
    ),
    engagement AS (
      SELECT s.customer_id, LEAST(100, SUM(rm.n) * 10)::integer AS score
      FROM recent_messages rm
      JOIN agent_sessions s ON s.id = rm.session_id
      GROUP BY s.customer_id
    ),
    adoption AS (
      SELECT tp.customer_id, round(COALESCE(AVG(tp.progress), 0))::integer AS score
      FROM training_progress tp
      GROUP BY tp.customer_id
    )
    UPDATE customers SET
      health_score = x.total,
      updated_at = NOW()
    FROM (
      SELECT c.id, (COALESCE(e.score, 0) + COALESCE(a.score, 0)) / 2 AS total
      FROM customers c
      LEFT JOIN engagement e ON e.customer_id = c.id
      LEFT JOIN adoption a ON a.customer_id = c.id
    ) x
    WHERE customers.id = x.id;
  END IF;
  GET DIAGNOSTICS updated = ROW_COUNT;
  RETURN updated;
END;
$$ LANGUAGE plpgsql;

REVOKE ALL ON FUNCTION update_all_health_scores() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION update_all_health_scores() TO authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Row-level security on every table. Shape of each CSM policy: the row's
-- customer has csm_id = auth.uid(), tested with EXISTS against the parent
-- chain; `(select auth.uid())` is an InitPlan, evaluated once per statement.
-- Every table also gets an explicit service_role policy (service_role has
-- BYPASSRLS where we create it; on other servers it may not).
-- ---------------------------------------------------------------------------

ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE stakeholders ENABLE ROW LEVEL SECURITY;
ALTER TABLE contracts ENABLE ROW LEVEL SECURITY;
ALTER TABLE entitlements ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE approvals ENABLE ROW LEVEL SECURITY;
ALTER TABLE meetings ENABLE ROW LEVEL SECURITY;
ALTER TABLE transcripts ENABLE ROW LEVEL SECURITY;
ALTER TABLE insights ENABLE ROW LEVEL SECURITY;
ALTER TABLE training_modules ENABLE ROW LEVEL SECURITY;
ALTER TABLE training_progress ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_base ENABLE ROW LEVEL SECURITY;
ALTER TABLE activity_log ENABLE ROW LEVEL SECURITY;

-- The customer itself.
CREATE POLICY customers_policy ON customers
  FOR ALL TO authenticated
  USING (csm_id = (SELECT auth.uid()))
  WITH CHECK (csm_id = (SELECT auth.uid()));

-- Direct children: customer_id names the customer.
CREATE POLICY stakeholders_policy ON stakeholders
  FOR ALL TO authenticated
  USING (EXISTS (SELECT 1 FROM public.customers c
                 WHERE c.id = stakeholders.customer_id AND c.csm_id = (SELECT auth.uid())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c
                      WHERE c.id = stakeholders.customer_id AND c.csm_id = (SELECT auth.uid())));

CREATE POLICY contracts_policy ON contracts
  FOR ALL TO authenticated
  USING (EXISTS (SELECT 1 FROM public.customers c
                 WHERE c.id = contracts.customer_id AND c.csm_id = (SELECT auth.uid())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c
                      WHERE c.id = contracts.customer_id AND c.csm_id = (SELECT auth.uid())));

CREATE POLICY agent_sessions_policy ON agent_sessions
  FOR ALL TO authenticated
  USING (EXISTS (SELECT 1 FROM public.customers c
                 WHERE c.id = agent_sessions.customer_id AND c.csm_id = (SELECT auth.uid())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c
                      WHERE c.id = agent_sessions.customer_id AND c.csm_id = (SELECT auth.uid())));

CREATE POLICY meetings_policy ON meetings
  FOR ALL TO authenticated
  USING (EXISTS (SELECT 1 FROM public.customers c
                 WHERE c.id = meetings.customer_id AND c.csm_id = (SELECT auth.uid())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c
                      WHERE c.id = meetings.customer_id AND c.csm_id = (SELECT auth.uid())));

CREATE POLICY insights_policy ON insights
  FOR ALL TO authenticated
  USING (EXISTS (SELECT 1 FROM public.customers c
                 WHERE c.id = insights.customer_id AND c.csm_id = (SELECT auth.uid())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c
                      WHERE c.id = insights.customer_id AND c.csm_id = (SELECT auth.uid())));

CREATE POLICY training_progress_policy ON training_progress
  FOR ALL TO authenticated
  USING (EXISTS (SELECT 1 FROM public.customers c
                 WHERE c.id = training_progress.customer_id AND c.csm_id = (SELECT auth.uid())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c
                      WHERE c.id = training_progress.customer_id AND c.csm_id = (SELECT auth.uid())));

-- Grandchildren: the customer is reached through the parent row.
CREATE POLICY entitlements_policy ON entitlements
  FOR ALL TO authenticated
  USING (EXISTS (SELECT 1 FROM public.contracts p JOIN public.customers c ON c.id = p.customer_id
                 WHERE p.id = entitlements.contract_id AND c.csm_id = (SELECT auth.uid())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.contracts p JOIN public.customers c ON c.id = p.customer_id
                      WHERE p.id = entitlements.contract_id AND c.csm_id = (SELECT auth.uid())));

CREATE POLICY agent_messages_policy ON agent_messages
  FOR ALL TO authenticated
  USING (EXISTS (SELECT 1 FROM public.agent_sessions p JOIN public.customers c ON c.id = p.customer_id
                 WHERE p.id = agent_messages.session_id AND c.csm_id = (SELECT auth.uid())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.agent_sessions p JOIN public.customers c ON c.id = p.customer_id
                      WHERE p.id = agent_messages.session_id AND c.csm_id = (SELECT auth.uid())));

CREATE POLICY approvals_policy ON approvals
  FOR ALL TO authenticated
  USING (EXISTS (SELECT 1 FROM public.agent_sessions p JOIN public.customers c ON c.id = p.customer_id
                 WHERE p.id = approvals.session_id AND c.csm_id = (SELECT auth.uid())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.agent_sessions p JOIN public.customers c ON c.id = p.customer_id
                      WHERE p.id = approvals.session_id AND c.csm_id = (SELECT auth.uid())));

CREATE POLICY transcripts_policy ON transcripts
  FOR ALL TO authenticated
  USING (EXISTS (SELECT 1 FROM public.meetings p JOIN public.customers c ON c.id = p.customer_id
                 WHERE p.id = transcripts.meeting_id AND c.csm_id = (SELECT auth.uid())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.meetings p JOIN public.customers c ON c.id = p.customer_id
                      WHERE p.id = transcripts.meeting_id AND c.csm_id = (SELECT auth.uid())));

-- activity_log is append-only below service_role: read and insert, never
-- update or delete (no policy, and the privileges are revoked further down).
CREATE POLICY activity_log_select_policy ON activity_log
  FOR SELECT TO authenticated
  USING (EXISTS (SELECT 1 FROM public.customers c
                 WHERE c.id = activity_log.customer_id AND c.csm_id = (SELECT auth.uid())));

CREATE POLICY activity_log_insert_policy ON activity_log
  FOR INSERT TO authenticated
  WITH CHECK ((activity_log.user_id IS NULL OR activity_log.user_id = (SELECT auth.uid()))
              AND EXISTS (SELECT 1 FROM public.customers c
                          WHERE c.id = activity_log.customer_id AND c.csm_id = (SELECT auth.uid())));

-- Shared reference data: every signed-in user reads, only service_role writes.
CREATE POLICY training_modules_read_policy ON training_modules
  FOR SELECT TO authenticated
  USING (true);

CREATE POLICY knowledge_base_read_policy ON knowledge_base
  FOR SELECT TO authenticated
  USING (is_public = true);

CREATE POLICY service_role_policy ON customers FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON stakeholders FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON contracts FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON entitlements FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON agent_sessions FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON agent_messages FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON approvals FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON meetings FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON transcripts FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON insights FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON training_modules FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON training_progress FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON knowledge_base FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON activity_log FOR ALL TO service_role USING (true) WITH CHECK (true);

-- ---------------------------------------------------------------------------
-- customer_health_view: the seed's columns and rows, but security_invoker
-- (a CSM sees only their customers) and one aggregate per child table instead
-- of the seed's five-way join, whose row count is the product of the
-- children's. With ORDER BY ... LIMIT the planner evaluates the scalar
-- subqueries after the sort, for the returned rows only. last_interaction
-- takes the newest message per session (one backward index probe each, so
-- RLS checks one message per session) and then the newest of those; the
-- maximum is the same as over the join.
-- ---------------------------------------------------------------------------

CREATE VIEW customer_health_view WITH (security_invoker = true) AS
SELECT
  c.id,
  c.name,
  c.arr,
  c.health_score,
  c.stage,
  (SELECT COUNT(*) FROM stakeholders s WHERE s.customer_id = c.id) AS stakeholder_count,
  (SELECT COUNT(*) FROM meetings m WHERE m.customer_id = c.id) AS meeting_count,
  (SELECT COUNT(*) FROM insights i WHERE i.customer_id = c.id AND i.type = 'concern') AS concern_count,
  (SELECT MAX(m.scheduled_at) FROM meetings m WHERE m.customer_id = c.id) AS last_meeting,
  (SELECT MAX((SELECT MAX(am.created_at) FROM agent_messages am WHERE am.session_id = ags.id))
     FROM agent_sessions ags
    WHERE ags.customer_id = c.id) AS last_interaction
FROM customers c;

-- ---------------------------------------------------------------------------
-- Privileges, as Supabase grants them; RLS decides which rows.
-- ---------------------------------------------------------------------------

-- Start from nothing: on Supabase, default privileges in public have already
-- handed ALL (including TRUNCATE, which ignores RLS) to the request roles.
REVOKE ALL ON
  customers, stakeholders, contracts, entitlements, agent_sessions, agent_messages, approvals,
  meetings, transcripts, insights, training_modules, training_progress, knowledge_base, activity_log,
  customer_health_view
  FROM PUBLIC, anon, authenticated, service_role;

GRANT SELECT, INSERT, UPDATE, DELETE ON
  customers, stakeholders, contracts, entitlements, agent_sessions, agent_messages, approvals,
  meetings, transcripts, insights, training_modules, training_progress, knowledge_base, activity_log
  TO authenticated, service_role;

-- anon gets SELECT so that clients read empty results rather than permission
-- errors; with no anon policy RLS returns no rows.
GRANT SELECT ON
  customers, stakeholders, contracts, entitlements, agent_sessions, agent_messages, approvals,
  meetings, transcripts, insights, training_modules, training_progress, knowledge_base, activity_log
  TO anon;

-- The view is read-only for everyone (its simple columns would otherwise be
-- auto-updatable).
GRANT SELECT ON customer_health_view TO anon, authenticated, service_role;

REVOKE UPDATE, DELETE ON activity_log FROM authenticated, anon;

INSERT INTO cscx.settings (key, value) VALUES ('schema_origin', 'cscx')
ON CONFLICT (key) DO NOTHING;
