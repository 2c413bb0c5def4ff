-- bench/seed_literal.sql: turns a migrated CSCX database into the "seed's
-- literal" baseline that bench/run.sh compares against. Benchmark only: it
-- removes tenant isolation from customer_health_view, never run it on a real
-- database. Run as superuser:
--
--   psql -X -v ON_ERROR_STOP=1 -f bench/seed_literal.sql "$DATABASE_URL"
--
-- What it changes (data, tables, columns, constraints, functions and grants
-- stay as 001/002 made them):
--   1. Policies on the 12 customer-scoped tables: ours are dropped and the
--      seed's style is created (seed/000_7863041eadbf201a.txt, "Row Level
--      Security"): FOR ALL, TO public, USING only, bare auth.uid(), and
--      `customer_id IN (SELECT id FROM customers WHERE csm_id = auth.uid())`;
--      the seed writes that for stakeholders, here it is repeated for every
--      table with customer_id, and tables without one (entitlements,
--      agent_messages, approvals, transcripts) go through their parent with an
--      IN over the parent's IN. Plus the seed's service_role_policy on
--      customers. training_modules and knowledge_base keep their policies.
--   2. Indexes: every index the seed does not create is dropped, except those
--      that back a constraint (primary keys, UNIQUE (id, customer_id) of the
--      composite foreign keys, ...).
--   3. customer_health_view: replaced by the seed's text, a plain view (owner's
--      rights, so no RLS for the reader) with the five-way join.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

BEGIN;

-- ---------------------------------------------------------------------------
-- 1. Policies.
-- ---------------------------------------------------------------------------

DO $$
DECLARE
  p record;
BEGIN
  FOR p IN SELECT pol.polname, cls.relname
             FROM pg_catalog.pg_policy pol
             JOIN pg_catalog.pg_class cls ON cls.oid = pol.polrelid
            WHERE cls.relnamespace = 'public'::regnamespace
              AND cls.relname IN ('customers', 'stakeholders', 'contracts', 'entitlements',
                                  'agent_sessions', 'agent_messages', 'approvals', 'meetings',
                                  'transcripts', 'insights', 'training_progress', 'activity_log')
  LOOP
    EXECUTE format('DROP POLICY %I ON public.%I', p.polname, p.relname);
  END LOOP;
END
$$;

-- Policy: Users can only see their assigned customers
CREATE POLICY customers_policy ON customers
  FOR ALL
  USING (csm_id = auth.uid());

-- Policy: Stakeholders inherit customer access
CREATE POLICY stakeholders_policy ON stakeholders
  FOR ALL
  USING (
    customer_id IN (
      SELECT id FROM customers WHERE csm_id = auth.uid()
    )
  );

-- Service role bypass for backend
CREATE POLICY service_role_policy ON customers
  FOR ALL
  TO service_role
  USING (true);

-- The same pattern on the other tables with customer_id.
CREATE POLICY contracts_policy ON contracts
  FOR ALL
  USING (
    customer_id IN (
      SELECT id FROM customers WHERE csm_id = auth.uid()
    )
  );

CREATE POLICY agent_sessions_policy ON agent_sessions
  FOR ALL
  USING (
    customer_id IN (
      SELECT id FROM customers WHERE csm_id = auth.uid()
    )
  );

CREATE POLICY meetings_policy ON meetings
  FOR ALL
  USING (
    customer_id IN (
      SELECT id FROM customers WHERE csm_id = auth.uid()
    )
  );

CREATE POLICY insights_policy ON insights
  FOR ALL
  USING (
    customer_id IN (
      SELECT id FROM customers WHERE csm_id = auth.uid()
    )
  );

CREATE POLICY training_progress_policy ON training_progress
  FOR ALL
  USING (
    customer_id IN (
      SELECT id FROM customers WHERE csm_id = auth.uid()
    )
  );

CREATE POLICY activity_log_policy ON activity_log
  FOR ALL
  USING (
    customer_id IN (
      SELECT id FROM customers WHERE csm_id = auth.uid()
    )
  );

-- Grandchildren: IN over the parent's IN.
CREATE POLICY entitlements_policy ON entitlements
  FOR ALL
  USING (
    contract_id IN (
      SELECT id FROM contracts WHERE customer_id IN (
        SELECT id FROM customers WHERE csm_id = auth.uid()
      )
    )
  );

CREATE POLICY agent_messages_policy ON agent_messages
  FOR ALL
  USING (
    session_id IN (
      SELECT id FROM agent_sessions WHERE customer_id IN (
        SELECT id FROM customers WHERE csm_id = auth.uid()
      )
    )
  );

CREATE POLICY approvals_policy ON approvals
  FOR ALL
  USING (
    session_id IN (
      SELECT id FROM agent_sessions WHERE customer_id IN (
        SELECT id FROM customers WHERE csm_id = auth.uid()
      )
    )
  );

CREATE POLICY transcripts_policy ON transcripts
  FOR ALL
  USING (
    meeting_id IN (
      SELECT id FROM meetings WHERE customer_id IN (
        SELECT id FROM customers WHERE csm_id = auth.uid()
      )
    )
  );

-- ---------------------------------------------------------------------------
-- 2. Indexes: keep the seed's (and every constraint's), drop the rest.
-- ---------------------------------------------------------------------------

DO $$
DECLARE
  seed_indexes CONSTANT text[] := ARRAY[
    'idx_customers_name', 'idx_customers_csm', 'idx_customers_stage',
    'idx_stakeholders_customer', 'idx_stakeholders_email',
    'idx_contracts_customer', 'idx_contracts_status',
    'idx_entitlements_contract',
    'idx_sessions_customer', 'idx_sessions_user', 'idx_sessions_status',
    'idx_messages_session', 'idx_messages_created',
    'idx_approvals_session', 'idx_approvals_status',
    'idx_meetings_customer', 'idx_meetings_scheduled',
    'idx_transcripts_meeting',
    'idx_insights_customer', 'idx_insights_type', 'idx_insights_status',
    'idx_modules_category', 'idx_modules_active',
    'idx_progress_unique', 'idx_progress_customer',
    'idx_kb_category', 'idx_kb_tags', 'idx_kb_embedding',
    'idx_activity_user', 'idx_activity_customer', 'idx_activity_created'];
  i record;
BEGIN
  FOR i IN SELECT ic.relname
             FROM pg_catalog.pg_index x
             JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
             JOIN pg_catalog.pg_class tc ON tc.oid = x.indrelid
            WHERE tc.relnamespace = 'public'::regnamespace
              AND tc.relkind = 'r'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = x.indexrelid)
              AND ic.relname <> ALL (seed_indexes)
            ORDER BY ic.relname
  LOOP
    EXECUTE format('DROP INDEX public.%I', i.relname);
  END LOOP;
END
$$;

-- ---------------------------------------------------------------------------
-- 3. customer_health_view exactly as the seed writes it.
-- ---------------------------------------------------------------------------

DROP VIEW customer_health_view;

CREATE VIEW customer_health_view AS
SELECT
  c.id,
  c.name,
  c.arr,
  c.health_score,
  c.stage,
  COUNT(DISTINCT s.id) AS stakeholder_count,
  COUNT(DISTINCT m.id) AS meeting_count,
  COUNT(DISTINCT i.id) FILTER (WHERE i.type = 'concern') AS concern_count,
  MAX(m.scheduled_at) AS last_meeting,
  MAX(am.created_at) AS last_interaction
FROM customers c
LEFT JOIN stakeholders s ON s.customer_id = c.id
LEFT JOIN meetings m ON m.customer_id = c.id
LEFT JOIN insights i ON i.customer_id = c.id
LEFT JOIN agent_sessions ags ON ags.customer_id = c.id
LEFT JOIN agent_messages am ON am.session_id = ags.id
GROUP BY c.id;

-- The seed grants nothing; these are the grants 001 gives our view (and what
-- Supabase's default privileges would give), so the same roles can read it.
REVOKE ALL ON customer_health_view FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON customer_health_view TO anon, authenticated, service_role;

COMMIT;
