-- The seed's literal view and RLS policies (seed/000_7863041eadbf201a.txt),
-- for tests and benchmarks to compare against. Never part of a production
-- database. Run as superuser after the migrations.
--
--   seed_ref.customer_health_view   the seed's view text over the public
--                                   tables; a plain view (owner's rights, no
--                                   RLS for the caller), as the seed wrote it.
--   seed_ref.policy_sql             the seed's policy statements, verbatim
--                                   apart from public. qualification.
--   seed_ref.use_seed_policies()    swaps our policies on customers and
--                                   stakeholders for the seed's. Only inside
--                                   a transaction that is rolled back.

DROP SCHEMA IF EXISTS seed_ref CASCADE;
CREATE SCHEMA seed_ref;

CREATE VIEW seed_ref.customer_health_view AS
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
FROM public.customers c
LEFT JOIN public.stakeholders s ON s.customer_id = c.id
LEFT JOIN public.meetings m ON m.customer_id = c.id
LEFT JOIN public.insights i ON i.customer_id = c.id
LEFT JOIN public.agent_sessions ags ON ags.customer_id = c.id
LEFT JOIN public.agent_messages am ON am.session_id = ags.id
GROUP BY c.id;

CREATE TABLE seed_ref.policy_sql (
  ord INTEGER PRIMARY KEY,
  table_name TEXT NOT NULL,
  policy_name TEXT NOT NULL,
  statement TEXT NOT NULL
);

INSERT INTO seed_ref.policy_sql (ord, table_name, policy_name, statement) VALUES
  (1, 'customers', 'customers_policy', $sql$CREATE POLICY customers_policy ON public.customers
  FOR ALL
  USING (csm_id = auth.uid())$sql$),
  (2, 'stakeholders', 'stakeholders_policy', $sql$CREATE POLICY stakeholders_policy ON public.stakeholders
  FOR ALL
  USING (
    customer_id IN (
      SELECT id FROM public.customers WHERE csm_id = auth.uid()
    )
  )$sql$),
  (3, 'customers', 'service_role_policy', $sql$CREATE POLICY service_role_policy ON public.customers
  FOR ALL
  TO service_role
  USING (true)$sql$);

-- Drops every policy on the tables the seed covers and creates the seed's.
-- DDL, so it takes ACCESS EXCLUSIVE locks: call it in a transaction you roll
-- back (BEGIN; SELECT seed_ref.use_seed_policies(); ...; ROLLBACK).
CREATE FUNCTION seed_ref.use_seed_policies() RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
  p record;
BEGIN
  FOR p IN SELECT pol.polname, cls.relname
             FROM pg_catalog.pg_policy pol
             JOIN pg_catalog.pg_class cls ON cls.oid = pol.polrelid
            WHERE cls.relnamespace = 'public'::regnamespace
              AND cls.relname IN (SELECT table_name FROM seed_ref.policy_sql) LOOP
    EXECUTE format('DROP POLICY %I ON public.%I', p.polname, p.relname);
  END LOOP;
  FOR p IN SELECT statement FROM seed_ref.policy_sql ORDER BY ord LOOP
    EXECUTE p.statement;
  END LOOP;
END;
$$;

REVOKE ALL ON FUNCTION seed_ref.use_seed_policies() FROM PUBLIC;

GRANT USAGE ON SCHEMA seed_ref TO service_role;
GRANT SELECT ON seed_ref.customer_health_view, seed_ref.policy_sql TO service_role;
