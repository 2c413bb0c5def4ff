-- 014_recompute_speed: the audit trail written once per statement, room on
-- the customers pages for the health recompute, and the recent messages
-- counted per session. Together they take
-- update_all_health_scores() for 10,000 customers from about 1 s to about
-- 0.3 s (bench/README.md, "The recompute"), with the same audit rows as 004
-- (tests/audit/audit_pgtest.cpp runs one workload under both triggers and
-- compares) and the same scores.
--
-- 1. The audit trigger. 004 ran cscx.audit_row_change() FOR EACH ROW: one
--    PL/pgSQL call and one INSERT per changed row. Even a write that is not
--    audited (no claims, the table's owner) paid the call: 10,000 customers
--    updated by a maintenance session cost 120-200 ms of calls that returned
--    at once. Here cscx.audit_changes() runs once per statement and event
--    (AFTER ... FOR EACH STATEMENT with transition tables: PostgreSQL allows
--    them on one event per trigger, hence three triggers per table) and
--    writes every row's audit row with one INSERT ... SELECT. The decisions
--    taken once per row before (is this audited, who is the user, the IP)
--    are taken once per statement; the values written are 004's, row for
--    row (docs/schema.md, "Audit trail"). One difference: the order of
--    created_at. Within one event the rows keep the order they changed in,
--    as before, but a statement with several events writes each event's
--    rows together: an upsert's updated rows, then its inserted ones; a
--    MERGE's deletes, updates, then inserts; a delete of two customers
--    the children of both per table, where 004 interleaved them per row.
--
--    An UPDATE's old and new rows are paired by their position in the two
--    transition tables: PostgreSQL appends a row's old and new version to
--    them together, so the n-th old row is the n-th new row's previous
--    version, also when the update changes the row's id.
--
-- 2. customers gets fillfactor 50. The recompute rewrites every customer's
--    health_score and updated_at, neither of which is indexed, so each new
--    row version could stay on its page without touching the six indexes (a
--    HOT update), but a full page leaves no room: all 10,000 updates then
--    insert into every index (about 250 ms of the 1 s; 35 ms with room).
--    Half-empty pages give every row its own room; once no transaction can
--    see the old versions any more they are pruned when the page is next
--    read (or vacuumed), so the next recompute finds the room again. The cost is a customers heap twice as large (2 MB -> 4 MB for
--    10,000 customers). Existing pages keep their rows until those are
--    updated: the first recompute after this migration moves them to new,
--    half-filled pages, and every later one is HOT. (`VACUUM FULL customers`
--    would rewrite them at once, but cannot run in a migration's
--    transaction.)
--
-- 3. update_all_health_scores() joins compute()'s scores through a subquery
--    the planner may not flatten (OFFSET 0). Flattened, compute() was a
--    direct member of the UPDATE's join, and an UPDATE keeps a whole-row
--    copy of every other relation of its join (to recheck a row that a
--    concurrent transaction changed): the copy made compute() build every
--    customer's `measures` JSON that the UPDATE never reads, about 130 ms.
--    Behind OFFSET 0 the copy is of (customer_id, total) only.
--
-- 4. cscx_health.measure_rows() counts the recent agent messages per
--    session first (about 20,000 groups, read in the order of
--    idx_messages_session_created) and adds the sessions up per customer,
--    instead of joining each of the ~230,000 recent messages to its session
--    and hashing it by customer: 30-40 ms less per recompute, same values
--    (tests/health/refresh_equivalence_pgtest.cpp compares them with 006's).
--    008 had tried the per-session count and dropped it because one
--    customer's computation then read every message. Here the messages come
--    from two UNION ALL branches: all of them when p_customer is NULL, and
--    those of the customer's sessions otherwise. The planner drops the
--    branch whose condition is false (or skips it at run time when
--    p_customer is a parameter), so one customer's computation still reads
--    only its own messages (0.8 ms for the benchmark's customer 77).

ALTER TABLE public.customers SET (fillfactor = 50);

-- The customer of an audited row, as one row: the key itself, or its
-- parent row's customer_id (NULL when the parent is gone). A set-returning
-- SQL function without SET or SECURITY DEFINER, so that the planner inlines
-- it into audit_changes()'s statements as a subquery (a scalar SQL function
-- with subqueries would be called once per row). Without SET it is parsed
-- with the caller's search_path (the trigger's: pg_catalog, pg_temp), so
-- every name in it is qualified, operators included. Only its owner, the
-- owner of audit_changes(), may execute it.
CREATE FUNCTION cscx.audit_customer(key_value TEXT, parent TEXT)
RETURNS TABLE (customer UUID)
LANGUAGE sql STABLE
AS $fn$
  SELECT CASE
    WHEN parent IS NULL THEN key_value::pg_catalog.uuid
    WHEN parent OPERATOR(pg_catalog.=) 'contracts' THEN
      (SELECT p.customer_id FROM public.contracts p
       WHERE p.id OPERATOR(pg_catalog.=) key_value::pg_catalog.uuid)
    WHEN parent OPERATOR(pg_catalog.=) 'agent_sessions' THEN
      (SELECT p.customer_id FROM public.agent_sessions p
       WHERE p.id OPERATOR(pg_catalog.=) key_value::pg_catalog.uuid)
    WHEN parent OPERATOR(pg_catalog.=) 'meetings' THEN
      (SELECT p.customer_id FROM public.meetings p
       WHERE p.id OPERATOR(pg_catalog.=) key_value::pg_catalog.uuid)
  END
$fn$;

-- ---------------------------------------------------------------------------
-- The statement-level audit trigger. Arguments as 004's:
--   TG_ARGV[0]  the column of the row that holds the customer's id, or the
--               parent's id when TG_ARGV[1] is given
--   TG_ARGV[1]  (optional) the parent table whose customer_id is the row's
--               customer: contracts, agent_sessions or meetings
-- The transition tables are named old_rows and new_rows on every table.
-- PL/pgSQL compiles a trigger function once per trigger, so the static
-- statements below are planned for each table's own row type.
-- ---------------------------------------------------------------------------

CREATE FUNCTION cscx.audit_changes()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  claims     text := nullif(pg_catalog.current_setting('request.jwt.claims', true), '');
  sub        text := nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), '');
  ip_text    text := nullif(pg_catalog.btrim(pg_catalog.current_setting('request.ip', true)), '');
  agent      text := nullif(pg_catalog.current_setting('request.user_agent', true), '');
  key_column text := TG_ARGV[0];
  parent     text;
  caller     text;
  actor      uuid;
  ip         inet;
BEGIN
  IF TG_NARGS >= 2 THEN
    parent := TG_ARGV[1];
    IF parent NOT IN ('contracts', 'agent_sessions', 'meetings') THEN
      RAISE EXCEPTION 'cscx.audit_changes on %: unknown parent table %', TG_TABLE_NAME, parent;
    END IF;
  END IF;

  -- Not audited: no claims at all and a caller that owns the table (004).
  IF claims IS NULL AND sub IS NULL THEN
    caller := pg_catalog.current_setting('role');
    IF caller = 'none' THEN
      caller := session_user;
    END IF;
    IF pg_catalog.pg_has_role(caller::name,
                              (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID),
                              'USAGE') THEN
      RETURN NULL;
    END IF;
  END IF;

  -- A statement trigger fires for a statement that changed no row too.
  IF TG_OP = 'DELETE' THEN
    PERFORM FROM old_rows LIMIT 1;
  ELSE
    PERFORM FROM new_rows LIMIT 1;
  END IF;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;

  -- The user, as 004 finds it.
  IF sub IS NULL AND claims IS NOT NULL THEN
    BEGIN
      sub := claims::jsonb ->> 'sub';
    EXCEPTION WHEN data_exception THEN
      sub := NULL;
    END;
  END IF;
  IF sub ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
    IF pg_catalog.has_table_privilege('auth.users', 'UPDATE') THEN
      SELECT u.id INTO actor FROM auth.users u WHERE u.id = sub::uuid FOR KEY SHARE;
    ELSE
      SELECT u.id INTO actor FROM auth.users u WHERE u.id = sub::uuid;
    END IF;
  END IF;

  IF ip_text IS NOT NULL THEN
    BEGIN
      ip := ip_text::inet;
    EXCEPTION WHEN data_exception THEN
      ip := NULL;
    END;
  END IF;

  -- Each INSERT reads its rows in the order they were changed, and
  -- clock_timestamp() keeps that order in created_at (within this event;
  -- see the header).
  IF TG_OP = 'INSERT' THEN
    INSERT INTO public.activity_log
      (user_id, customer_id, action, entity_type, entity_id, old_values, new_values, ip_address,
       user_agent, created_at)
    SELECT actor, cu.customer, 'insert', TG_TABLE_NAME, (r.data ->> 'id')::uuid, NULL, r.data, ip,
           agent, pg_catalog.clock_timestamp()
    FROM (SELECT pg_catalog.to_jsonb(n) AS data FROM new_rows n) r
    CROSS JOIN LATERAL cscx.audit_customer(r.data ->> key_column, parent) cu;

  ELSIF TG_OP = 'DELETE' THEN
    -- The customer may be gone (its own delete, or a cascade from it), and
    -- naming it would violate activity_log's foreign key.
    INSERT INTO public.activity_log
      (user_id, customer_id, action, entity_type, entity_id, old_values, new_values, ip_address,
       user_agent, created_at)
    SELECT actor,
           CASE WHEN EXISTS (SELECT 1 FROM public.customers c WHERE c.id = cu.customer)
                THEN cu.customer END,
           'delete', TG_TABLE_NAME, (r.data ->> 'id')::uuid, r.data, NULL, ip, agent,
           pg_catalog.clock_timestamp()
    FROM (SELECT pg_catalog.to_jsonb(o) AS data FROM old_rows o) r
    CROSS JOIN LATERAL cscx.audit_customer(r.data ->> key_column, parent) cu;

  ELSE
    -- The changed columns only, updated_at left out; a row whose only
    -- change is updated_at writes nothing.
    INSERT INTO public.activity_log
      (user_id, customer_id, action, entity_type, entity_id, old_values, new_values, ip_address,
       user_agent, created_at)
    SELECT actor, cu.customer, 'update', TG_TABLE_NAME, (n.data ->> 'id')::uuid, d.old_values,
           d.new_values, ip, agent, pg_catalog.clock_timestamp()
    FROM (SELECT pg_catalog.row_number() OVER () AS k, pg_catalog.to_jsonb(o) AS data
          FROM old_rows o) o
    JOIN (SELECT pg_catalog.row_number() OVER () AS k, pg_catalog.to_jsonb(n) AS data
          FROM new_rows n) n ON n.k = o.k
    CROSS JOIN LATERAL (
      SELECT pg_catalog.jsonb_object_agg(nv.key, ov.value) AS old_values,
             pg_catalog.jsonb_object_agg(nv.key, nv.value) AS new_values
      FROM pg_catalog.jsonb_each(n.data) nv
      JOIN pg_catalog.jsonb_each(o.data) ov ON ov.key = nv.key
      WHERE nv.key <> 'updated_at'
        AND nv.value IS DISTINCT FROM ov.value) d
    CROSS JOIN LATERAL cscx.audit_customer(n.data ->> key_column, parent) cu
    WHERE d.new_values IS NOT NULL
    ORDER BY n.k;
  END IF;
  RETURN NULL;
END
$fn$;

REVOKE ALL ON FUNCTION cscx.audit_changes(), cscx.audit_customer(TEXT, TEXT) FROM PUBLIC;

COMMENT ON FUNCTION cscx.audit_changes() IS
  'Audit trigger of the customer-scoped tables, per statement: one activity_log row per changed row. See docs/schema.md, "Audit trail".';

-- The 13 audited tables of 004 and 006, with 004's arguments.
DO $do$
DECLARE
  t RECORD;
BEGIN
  FOR t IN
    SELECT * FROM (VALUES
      ('customers', 'id', NULL), ('stakeholders', 'customer_id', NULL),
      ('contracts', 'customer_id', NULL), ('entitlements', 'contract_id', 'contracts'),
      ('agent_sessions', 'customer_id', NULL), ('agent_messages', 'session_id', 'agent_sessions'),
      ('approvals', 'session_id', 'agent_sessions'), ('meetings', 'customer_id', NULL),
      ('transcripts', 'meeting_id', 'meetings'), ('insights', 'customer_id', NULL),
      ('training_progress', 'customer_id', NULL), ('health_overrides', 'customer_id', NULL),
      ('tasks', 'customer_id', NULL)) AS v(tbl, key_column, parent)
  LOOP
    EXECUTE format('DROP TRIGGER audit_row_change ON public.%I', t.tbl);
    EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON public.%I '
                   'REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cscx.audit_changes(%s)',
                   t.tbl, concat_ws(', ', quote_literal(t.key_column), quote_literal(t.parent)));
    EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON public.%I '
                   'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cscx.audit_changes(%s)',
                   t.tbl, concat_ws(', ', quote_literal(t.key_column), quote_literal(t.parent)));
    EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON public.%I '
                   'REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cscx.audit_changes(%s)',
                   t.tbl, concat_ws(', ', quote_literal(t.key_column), quote_literal(t.parent)));
  END LOOP;
END
$do$;

DROP FUNCTION cscx.audit_row_change();

-- ---------------------------------------------------------------------------
-- update_all_health_scores(): 006's, with the scores behind OFFSET 0 (3.).
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION public.update_all_health_scores()
RETURNS INTEGER AS $$
DECLARE
  updated INTEGER;
BEGIN
  UPDATE public.customers SET
    health_score = x.total,
    updated_at = NOW()
  FROM (
    SELECT h.customer_id, coalesce(o.score, h.score) AS total
    FROM cscx_health.compute() h
    LEFT JOIN cscx_health.active_overrides() o ON o.customer_id = h.customer_id
    OFFSET 0
  ) x
  WHERE customers.id = x.customer_id;
  GET DIAGNOSTICS updated = ROW_COUNT;
  RETURN updated;
END;
$$ LANGUAGE plpgsql;

-- ---------------------------------------------------------------------------
-- measure_rows(): 008's, with the messages counted per session first (4.).
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION cscx_health.measure_rows(p_customer UUID DEFAULT NULL)
RETURNS TABLE (customer_id UUID,
               engagement INTEGER, engagement_has_data BOOLEAN, engagement_as_of TIMESTAMPTZ,
               messages_30d BIGINT, messages_prev_30d BIGINT,
               adoption INTEGER, adoption_has_data BOOLEAN, adoption_as_of TIMESTAMPTZ,
               average_progress NUMERIC, modules BIGINT,
               sentiment INTEGER, sentiment_has_data BOOLEAN, sentiment_as_of TIMESTAMPTZ,
               insights_90d BIGINT, concerns_and_risks_90d BIGINT,
               growth INTEGER, growth_has_data BOOLEAN, growth_as_of TIMESTAMPTZ,
               arr_latest NUMERIC, arr_previous NUMERIC)
LANGUAGE sql STABLE
AS $fn$
  WITH sess AS (
    SELECT s.customer_id, count(*) AS sessions
    FROM public.agent_sessions s
    WHERE p_customer IS NULL OR s.customer_id = p_customer
    GROUP BY s.customer_id
  ),
  msg AS (
    SELECT s.customer_id, sum(x.recent)::bigint AS recent, sum(x.previous)::bigint AS previous,
           max(x.last_at) AS last_at
    FROM (
      SELECT am.session_id,
             count(*) FILTER (WHERE am.created_at > (SELECT now() - interval '30 days')) AS recent,
             count(*) FILTER (WHERE am.created_at <= (SELECT now() - interval '30 days')) AS previous,
             max(am.created_at) AS last_at
      FROM (SELECT m1.session_id, m1.created_at
            FROM public.agent_messages m1
            WHERE p_customer IS NULL
            UNION ALL
            SELECT m1.session_id, m1.created_at
            FROM public.agent_sessions s1
            JOIN public.agent_messages m1 ON m1.session_id = s1.id
            WHERE s1.customer_id = p_customer) am
      WHERE am.created_at > now() - interval '60 days'
      GROUP BY am.session_id) x
    JOIN public.agent_sessions s ON s.id = x.session_id
    GROUP BY s.customer_id
  ),
  prog AS (
    SELECT tp.customer_id, avg(tp.progress) AS average, count(tp.progress) AS modules,
           max(tp.updated_at) FILTER (WHERE tp.progress IS NOT NULL) AS last_at
    FROM public.training_progress tp
    WHERE p_customer IS NULL OR tp.customer_id = p_customer
    GROUP BY tp.customer_id
  ),
  ins AS (
    SELECT i.customer_id, count(*) AS total,
           count(*) FILTER (WHERE i.type IN ('concern', 'risk')) AS negative,
           max(i.created_at) AS last_at
    FROM public.insights i
    WHERE i.created_at > (SELECT now() - interval '90 days')
      AND (p_customer IS NULL OR i.customer_id = p_customer)
    GROUP BY i.customer_id
  ),
  ctr AS (
    SELECT x.customer_id, x.arrs[1] AS arr_latest, x.arrs[2] AS arr_previous, x.last_at
    FROM (
      SELECT ct.customer_id,
             array_agg(ct.arr ORDER BY coalesce(ct.start_date, ct.created_at::date) DESC,
                       ct.created_at DESC) AS arrs,
             max(coalesce(ct.start_date::timestamptz, ct.created_at)) AS last_at
      FROM public.contracts ct
      WHERE ct.arr IS NOT NULL AND (p_customer IS NULL OR ct.customer_id = p_customer)
      GROUP BY ct.customer_id) x
  )
  SELECT c.id,
         LEAST(100, coalesce(m.recent, 0) * 10)::integer,
         sess.sessions IS NOT NULL,
         m.last_at,
         coalesce(m.recent, 0),
         coalesce(m.previous, 0),
         round(coalesce(p.average, 0))::integer,
         coalesce(p.modules, 0) > 0,
         p.last_at,
         round(coalesce(p.average, 0), 1),
         coalesce(p.modules, 0),
         CASE WHEN coalesce(i.total, 0) = 0 THEN 0
              ELSE round(100.0 * (i.total - i.negative) / i.total)::integer END,
         coalesce(i.total, 0) > 0,
         i.last_at,
         coalesce(i.total, 0),
         coalesce(i.negative, 0),
         CASE WHEN coalesce(g.arr_previous, 0) > 0
              THEN LEAST(100, GREATEST(0, round(50 + 50 * (g.arr_latest - g.arr_previous)
                                                     / g.arr_previous)))::integer
              ELSE 0 END,
         coalesce(g.arr_previous, 0) > 0,
         g.last_at,
         g.arr_latest,
         g.arr_previous
  FROM public.customers c
  LEFT JOIN sess ON sess.customer_id = c.id
  LEFT JOIN msg m ON m.customer_id = c.id
  LEFT JOIN prog p ON p.customer_id = c.id
  LEFT JOIN ins i ON i.customer_id = c.id
  LEFT JOIN ctr g ON g.customer_id = c.id
  WHERE p_customer IS NULL OR c.id = p_customer
$fn$;
