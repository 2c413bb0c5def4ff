-- 006_health: health scoring that explains itself (issue 7). docs/health.md
-- explains the model; in short:
--   health_scorecards  versioned weights, bands, missing-data policy; every
--                      version kept, the highest is in force
--   health_snapshots   append-only history: one row per customer per refresh,
--                      with each measure's value, inputs and contribution
--   health_overrides   a CSM's manual score with a reason and an expiry
--   tasks              customer-scoped work items, some opened by the rules
-- cscx_health.refresh() recomputes everyone in a few set-based statements.
--
-- Functions live in the schema cscx_health (not public, so /rest/v1 does not
-- offer them as RPCs); each is granted explicitly. Names are schema-qualified
-- throughout so that a caller's search_path changes nothing.

CREATE SCHEMA cscx_health;
REVOKE ALL ON SCHEMA cscx_health FROM PUBLIC;
GRANT USAGE ON SCHEMA cscx_health TO authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Scorecards.
-- ---------------------------------------------------------------------------

-- weights: measure -> weight (>= 0, summing to more than 0). Every known
-- measure is present (0 when a PUT left it out), so responses list them all.
-- Bands: red < red_below <= yellow < green_from <= green.
CREATE TABLE public.health_scorecards (
  version INTEGER PRIMARY KEY,
  weights JSONB NOT NULL,
  missing TEXT NOT NULL DEFAULT 'zero' CHECK (missing IN ('zero', 'renormalize')),
  red_below INTEGER NOT NULL DEFAULT 40,
  green_from INTEGER NOT NULL DEFAULT 70,
  freshness_days INTEGER NOT NULL DEFAULT 30 CHECK (freshness_days > 0),
  drop_points INTEGER NOT NULL DEFAULT 15 CHECK (drop_points > 0),
  note TEXT,
  created_by UUID,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  CHECK (0 <= red_below AND red_below <= green_from AND green_from <= 101)
);

-- Version 1 reproduces the seed's update_health_score: (engagement + adoption) / 2.
INSERT INTO public.health_scorecards (version, weights, missing, note)
VALUES (1, '{"engagement": 1, "adoption": 1, "sentiment": 0, "growth": 0}', 'zero',
        'Default: the seed''s update_health_score, (engagement + adoption) / 2');

ALTER TABLE public.health_scorecards ENABLE ROW LEVEL SECURITY;
CREATE POLICY health_scorecards_read_policy ON public.health_scorecards
  FOR SELECT TO authenticated USING (true);
CREATE POLICY service_role_policy ON public.health_scorecards
  FOR ALL TO service_role USING (true) WITH CHECK (true);
REVOKE ALL ON public.health_scorecards FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.health_scorecards TO authenticated, service_role;
-- Versions are only ever added: no UPDATE or DELETE for anyone.
GRANT INSERT ON public.health_scorecards TO service_role;

-- ---------------------------------------------------------------------------
-- Overrides.
-- ---------------------------------------------------------------------------

-- Active: cleared_at IS NULL AND expires_at > now(). Posting a new one
-- clears the previous; clearing keeps the row (the history shows it).
CREATE TABLE public.health_overrides (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id UUID NOT NULL REFERENCES public.customers(id) ON DELETE CASCADE,
  score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
  reason TEXT NOT NULL CHECK (btrim(reason) <> ''),
  expires_at TIMESTAMPTZ NOT NULL,
  created_by UUID DEFAULT auth.uid(),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  cleared_at TIMESTAMPTZ,
  cleared_by UUID,
  CONSTRAINT health_overrides_expiry_in_future CHECK (expires_at > created_at)
);
CREATE INDEX idx_health_overrides_customer ON public.health_overrides(customer_id, created_at DESC);

-- ---------------------------------------------------------------------------
-- Snapshots: append-only history.
-- ---------------------------------------------------------------------------

-- score is what counts (the override when one is active), computed_score
-- what the scorecard gave; NULL with band 'unknown' when no measure had data
-- under `missing: renormalize`. measures: name -> {value, weight,
-- contribution, has_data, as_of, stale, inputs}; contributions are whole
-- points that add up to computed_score.
CREATE TABLE public.health_snapshots (
  id BIGSERIAL PRIMARY KEY,
  customer_id UUID NOT NULL REFERENCES public.customers(id) ON DELETE CASCADE,
  computed_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  scorecard_version INTEGER NOT NULL REFERENCES public.health_scorecards(version),
  score INTEGER,
  computed_score INTEGER,
  band TEXT NOT NULL CHECK (band IN ('red', 'yellow', 'green', 'unknown')),
  completeness NUMERIC(5, 4) NOT NULL,
  measures JSONB NOT NULL,
  override JSONB
);
CREATE INDEX idx_health_snapshots_customer ON public.health_snapshots(customer_id, computed_at DESC, id DESC);

-- ---------------------------------------------------------------------------
-- Tasks.
-- ---------------------------------------------------------------------------

-- rule_key names what opened a task: 'health_drop', 'health_red', or
-- 'renewal_<days>:<contract id>'. At most one open task per customer and
-- rule; a renewal threshold opens once per contract, ever.
CREATE TABLE public.tasks (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id UUID NOT NULL REFERENCES public.customers(id) ON DELETE CASCADE,
  title TEXT NOT NULL CHECK (btrim(title) <> ''),
  owner UUID REFERENCES auth.users(id) ON DELETE SET NULL,
  due_date DATE,
  source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('rule', 'renewal', 'agent', 'manual')),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dismissed')),
  rule_key TEXT,
  note TEXT,
  metadata JSONB NOT NULL DEFAULT '{}',
  closed_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_tasks_customer ON public.tasks(customer_id, status);
CREATE INDEX idx_tasks_owner ON public.tasks(owner, status, due_date);
CREATE UNIQUE INDEX tasks_one_open_per_rule ON public.tasks(customer_id, rule_key)
  WHERE source = 'rule' AND status = 'open';
CREATE UNIQUE INDEX tasks_renewal_once ON public.tasks(customer_id, rule_key)
  WHERE source = 'renewal';

CREATE TRIGGER update_tasks_timestamp
  BEFORE UPDATE ON public.tasks
  FOR EACH ROW EXECUTE FUNCTION public.update_timestamp();

-- ---------------------------------------------------------------------------
-- RLS, privileges, audit: as for the other customer-scoped tables.
-- ---------------------------------------------------------------------------

ALTER TABLE public.health_overrides ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.health_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.tasks ENABLE ROW LEVEL SECURITY;

CREATE POLICY health_overrides_policy ON public.health_overrides
  FOR ALL TO authenticated
  USING (EXISTS (SELECT 1 FROM public.customers c
                 WHERE c.id = health_overrides.customer_id AND c.csm_id = (SELECT auth.uid())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c
                      WHERE c.id = health_overrides.customer_id AND c.csm_id = (SELECT auth.uid())));
CREATE POLICY tasks_policy ON public.tasks
  FOR ALL TO authenticated
  USING (EXISTS (SELECT 1 FROM public.customers c
                 WHERE c.id = tasks.customer_id AND c.csm_id = (SELECT auth.uid())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c
                      WHERE c.id = tasks.customer_id AND c.csm_id = (SELECT auth.uid())));
-- Snapshots are written by the refresh (service_role) only.
CREATE POLICY health_snapshots_read_policy ON public.health_snapshots
  FOR SELECT TO authenticated
  USING (EXISTS (SELECT 1 FROM public.customers c
                 WHERE c.id = health_snapshots.customer_id AND c.csm_id = (SELECT auth.uid())));
CREATE POLICY service_role_policy ON public.health_overrides FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON public.health_snapshots FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_role_policy ON public.tasks FOR ALL TO service_role USING (true) WITH CHECK (true);

REVOKE ALL ON public.health_overrides, public.health_snapshots, public.tasks
  FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.health_overrides, public.health_snapshots, public.tasks TO anon;
GRANT SELECT, INSERT, UPDATE ON public.health_overrides TO authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.tasks TO authenticated, service_role;
GRANT SELECT ON public.health_snapshots TO authenticated;
GRANT SELECT, INSERT ON public.health_snapshots TO service_role;
GRANT USAGE ON SEQUENCE public.health_snapshots_id_seq TO service_role;

CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.health_overrides
  FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change('customer_id');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.tasks
  FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change('customer_id');

-- ---------------------------------------------------------------------------
-- The measures, for every customer the caller can see (or one).
--
-- engagement  min(100, 10 x agent messages in the last 30 days) — the seed's;
--             has data when the customer has an agent session at all
-- adoption    average training progress, rounded half away from zero as the
--             seed's numeric -> integer assignment does; has data when a
--             progress value exists (no value -> 0, as in the seed)
-- sentiment   share of the last 90 days' insights that are not a concern or
--             risk, 0-100; has data when there is such an insight
-- growth      50 + 50 x the ARR change from the previous contract to the
--             latest, clamped to 0-100; has data with two contracts with ARR
-- ---------------------------------------------------------------------------

CREATE FUNCTION cscx_health.measure_values(p_customer UUID DEFAULT NULL)
RETURNS TABLE (customer_id UUID, measure TEXT, value INTEGER, has_data BOOLEAN,
               as_of TIMESTAMPTZ, inputs JSONB)
LANGUAGE sql STABLE
AS $fn$
  WITH cust AS (
    SELECT c.id FROM public.customers c WHERE p_customer IS NULL OR c.id = p_customer
  ),
  sess AS (
    SELECT s.customer_id, count(*) AS sessions
    FROM public.agent_sessions s
    WHERE p_customer IS NULL OR s.customer_id = p_customer
    GROUP BY s.customer_id
  ),
  msg AS (
    SELECT s.customer_id,
           count(*) FILTER (WHERE am.created_at > now() - interval '30 days') AS recent,
           count(*) FILTER (WHERE am.created_at <= now() - interval '30 days') AS previous,
           max(am.created_at) AS last_at
    FROM public.agent_messages am
    JOIN public.agent_sessions s ON s.id = am.session_id
    WHERE am.created_at > now() - interval '60 days'
      AND (p_customer IS NULL OR s.customer_id = p_customer)
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
    WHERE i.created_at > now() - interval '90 days'
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
  SELECT c.id, 'engagement',
         LEAST(100, coalesce(m.recent, 0) * 10)::integer,
         sess.sessions IS NOT NULL,
         m.last_at,
         jsonb_build_object('messages_30d', coalesce(m.recent, 0),
                            'messages_prev_30d', coalesce(m.previous, 0))
  FROM cust c LEFT JOIN msg m ON m.customer_id = c.id LEFT JOIN sess ON sess.customer_id = c.id
  UNION ALL
  SELECT c.id, 'adoption',
         round(coalesce(p.average, 0))::integer,
         coalesce(p.modules, 0) > 0,
         p.last_at,
         jsonb_build_object('average_progress', round(coalesce(p.average, 0), 1),
                            'modules', coalesce(p.modules, 0))
  FROM cust c LEFT JOIN prog p ON p.customer_id = c.id
  UNION ALL
  SELECT c.id, 'sentiment',
         CASE WHEN coalesce(i.total, 0) = 0 THEN 0
              ELSE round(100.0 * (i.total - i.negative) / i.total)::integer END,
         coalesce(i.total, 0) > 0,
         i.last_at,
         jsonb_build_object('insights_90d', coalesce(i.total, 0),
                            'concerns_and_risks_90d', coalesce(i.negative, 0))
  FROM cust c LEFT JOIN ins i ON i.customer_id = c.id
  UNION ALL
  SELECT c.id, 'growth',
         CASE WHEN coalesce(g.arr_previous, 0) > 0
              THEN LEAST(100, GREATEST(0, round(50 + 50 * (g.arr_latest - g.arr_previous)
                                                     / g.arr_previous)))::integer
              ELSE 0 END,
         coalesce(g.arr_previous, 0) > 0,
         g.last_at,
         jsonb_build_object('arr_latest', g.arr_latest, 'arr_previous', g.arr_previous)
  FROM cust c LEFT JOIN ctr g ON g.customer_id = c.id
$fn$;

-- ---------------------------------------------------------------------------
-- The score under a scorecard (the one in force by default).
--
--   zero         score = floor(sum(w x v) / sum(w)), a measure without data
--                counting 0: with version 1 exactly the seed's
--                (engagement + adoption) / 2 in integer arithmetic
--   renormalize  the sums run over the measures with data only; none with
--                data (or only weight 0) -> score NULL, band 'unknown'
-- completeness = weight with data / all weight. Contributions are
-- w x v / sum(w) rounded to whole points by largest remainder, so that they
-- add up to the score exactly and a change's deltas add up to its change.
-- ---------------------------------------------------------------------------

CREATE FUNCTION cscx_health.compute(p_customer UUID DEFAULT NULL, p_version INTEGER DEFAULT NULL)
RETURNS TABLE (customer_id UUID, scorecard_version INTEGER, score INTEGER, band TEXT,
               completeness NUMERIC, measures JSONB)
LANGUAGE sql STABLE
AS $fn$
  WITH card AS (
    SELECT * FROM public.health_scorecards
    WHERE version = coalesce(p_version, (SELECT max(version) FROM public.health_scorecards))
  ),
  w AS (
    SELECT k.key AS measure, k.value::numeric AS weight FROM card, jsonb_each_text(card.weights) k
  ),
  mv AS (
    SELECT v.customer_id, v.measure, v.value, v.has_data, v.as_of, v.inputs, w.weight,
           CASE WHEN v.has_data THEN v.value ELSE 0 END AS used,
           (card.missing = 'zero' OR v.has_data) AS counted
    FROM cscx_health.measure_values(p_customer) v
    JOIN w ON w.measure = v.measure
    CROSS JOIN card
  ),
  totals AS (
    SELECT mv.customer_id,
           sum(mv.weight) AS weight_all,
           sum(mv.weight) FILTER (WHERE mv.counted) AS weight_counted,
           sum(mv.weight) FILTER (WHERE mv.has_data) AS weight_data,
           sum(mv.weight * mv.used) FILTER (WHERE mv.counted) AS points
    FROM mv GROUP BY mv.customer_id
  ),
  scored AS (
    SELECT t.*,
           CASE WHEN t.weight_counted > 0 THEN floor(t.points / t.weight_counted)::integer END AS score
    FROM totals t
  ),
  shares AS (
    SELECT mv.*, s.score,
           CASE WHEN mv.counted AND s.score IS NOT NULL
                THEN mv.weight * mv.used / s.weight_counted END AS exact
    FROM mv JOIN scored s ON s.customer_id = mv.customer_id
  ),
  ranked AS (
    SELECT sh.*,
           floor(sh.exact) AS whole,
           sh.score - sum(floor(sh.exact)) OVER (PARTITION BY sh.customer_id) AS leftover,
           row_number() OVER (PARTITION BY sh.customer_id
                              ORDER BY sh.exact - floor(sh.exact) DESC NULLS LAST, sh.measure) AS rank
    FROM shares sh
  ),
  described AS (
    SELECT r.customer_id, jsonb_object_agg(r.measure, jsonb_build_object(
             'value', CASE WHEN r.has_data OR r.counted THEN r.used END,
             'weight', r.weight,
             'contribution', CASE WHEN r.exact IS NOT NULL
                                  THEN (r.whole + CASE WHEN r.rank <= r.leftover THEN 1 ELSE 0 END)::integer END,
             'has_data', r.has_data,
             'as_of', r.as_of,
             'stale', r.has_data AND (r.as_of IS NULL
                      OR r.as_of < now() - make_interval(days => card.freshness_days)),
             'inputs', r.inputs)) AS measures
    FROM ranked r CROSS JOIN card
    GROUP BY r.customer_id
  )
  SELECT s.customer_id, card.version, s.score,
         CASE WHEN s.score IS NULL THEN 'unknown'
              WHEN s.score < card.red_below THEN 'red'
              WHEN s.score < card.green_from THEN 'yellow'
              ELSE 'green' END,
         round(coalesce(s.weight_data, 0) / s.weight_all, 4),
         d.measures
  FROM scored s JOIN described d ON d.customer_id = s.customer_id CROSS JOIN card
$fn$;

-- The override in force for each customer the caller can see.
CREATE FUNCTION cscx_health.active_overrides()
RETURNS TABLE (customer_id UUID, override JSONB, score INTEGER)
LANGUAGE sql STABLE
AS $fn$
  SELECT DISTINCT ON (o.customer_id) o.customer_id,
         jsonb_build_object('id', o.id, 'score', o.score, 'reason', o.reason,
                            'expires_at', o.expires_at, 'created_by', o.created_by,
                            'created_at', o.created_at),
         o.score
  FROM public.health_overrides o
  WHERE o.cleared_at IS NULL AND o.expires_at > now()
  ORDER BY o.customer_id, o.created_at DESC
$fn$;

-- ---------------------------------------------------------------------------
-- The seed's functions, now computed by the scorecard in force (with its
-- default version exactly as before), and respecting an active override, so
-- that they, customer_health_view (which reads customers.health_score) and
-- the API never disagree. Security invoker, as before.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION public.update_health_score(customer_uuid UUID)
RETURNS INTEGER AS $$
DECLARE
  total_score INTEGER;
BEGIN
  SELECT coalesce(o.score, h.score) INTO total_score
  FROM cscx_health.compute(customer_uuid) h
  LEFT JOIN cscx_health.active_overrides() o ON o.customer_id = h.customer_id;
  IF NOT FOUND THEN
    -- A customer the caller cannot see (or none): no data at all, which the
    -- seed scored 0; under `missing: renormalize` that is unknown.
    SELECT CASE WHEN sc.missing = 'zero' THEN 0 END INTO total_score
    FROM public.health_scorecards sc ORDER BY sc.version DESC LIMIT 1;
  END IF;

  UPDATE public.customers SET
    health_score = total_score,
    updated_at = NOW()
  WHERE id = customer_uuid;

  RETURN total_score;
END;
$$ LANGUAGE plpgsql;

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
  ) x
  WHERE customers.id = x.customer_id;
  GET DIAGNOSTICS updated = ROW_COUNT;
  RETURN updated;
END;
$$ LANGUAGE plpgsql;

-- ---------------------------------------------------------------------------
-- refresh(): everyone, set-based, in one transaction.
--
-- Only one refresh runs at a time across all processes: the transaction
-- takes advisory lock kRefreshLock or returns {"skipped": true} at once.
-- Steps: compute into a temporary table; append snapshots; set
-- customers.health_score where it changed; close rule tasks whose condition
-- no longer holds; open rule tasks; open renewal tasks.
-- Rules (per customer, owner = the customer's CSM):
--   health_drop  the score is at least drop_points below the highest score
--                of the last 7 days; not reopened within 7 days of the last
--                one, so a task closed by hand stays closed
--   health_red   the band became red (it was not red in the previous snapshot)
-- A rule task closes itself, with a note, when its condition no longer holds
-- (drop: back within drop_points of the 7-day high; red: band not red).
-- Renewal: a contract ending within 90/60/30 days opens the tightest
-- threshold's task once (rule_key renewal_<days>:<contract>).
-- ---------------------------------------------------------------------------

-- One row per refresh that ran: the schedule in `cscx serve` asks refresh
-- to skip when another process refreshed less than an interval ago, so that
-- with several processes on one database one of them refreshes per interval.
CREATE TABLE cscx_health.refresh_runs (
  id BIGSERIAL PRIMARY KEY,
  finished_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  result JSONB NOT NULL
);
REVOKE ALL ON cscx_health.refresh_runs FROM PUBLIC;
GRANT SELECT, INSERT ON cscx_health.refresh_runs TO service_role;
GRANT USAGE ON SEQUENCE cscx_health.refresh_runs_id_seq TO service_role;

-- jit = off: compiling these plans costs seconds and saves nothing here.
CREATE FUNCTION cscx_health.refresh(p_min_interval_seconds INTEGER DEFAULT 0)
RETURNS JSONB
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
SET work_mem = '64MB'
AS $fn$
DECLARE
  card public.health_scorecards;
  n_customers INTEGER;
  n_changed INTEGER;
  n_closed INTEGER;
  n_opened INTEGER;
  n_renewal INTEGER;
  started TIMESTAMPTZ := clock_timestamp();
  result JSONB;
BEGIN
  -- 7863041 is an arbitrary constant shared by every cscx process.
  IF NOT pg_try_advisory_xact_lock(7863041, 7) THEN
    RETURN jsonb_build_object('skipped', true, 'reason', 'another refresh is running');
  END IF;
  IF p_min_interval_seconds > 0 AND EXISTS (
       SELECT 1 FROM cscx_health.refresh_runs r
       WHERE r.finished_at > now() - make_interval(secs => p_min_interval_seconds)) THEN
    RETURN jsonb_build_object('skipped', true, 'reason', 'refreshed less than an interval ago');
  END IF;
  SELECT * INTO card FROM public.health_scorecards ORDER BY version DESC LIMIT 1;

  CREATE TEMPORARY TABLE health_now ON COMMIT DROP AS
  SELECT h.customer_id, h.scorecard_version, h.score AS computed_score,
         coalesce(o.score, h.score) AS score,
         CASE WHEN o.score IS NULL THEN h.band
              WHEN o.score < card.red_below THEN 'red'
              WHEN o.score < card.green_from THEN 'yellow'
              ELSE 'green' END AS band,
         h.completeness, h.measures, o.override,
         prev.band AS previous_band,
         high.score AS high_7d
  FROM cscx_health.compute() h
  LEFT JOIN cscx_health.active_overrides() o ON o.customer_id = h.customer_id
  LEFT JOIN LATERAL (
    SELECT s.band FROM public.health_snapshots s WHERE s.customer_id = h.customer_id
    ORDER BY s.computed_at DESC, s.id DESC LIMIT 1) prev ON true
  LEFT JOIN LATERAL (
    SELECT max(s.score) AS score FROM public.health_snapshots s
    WHERE s.customer_id = h.customer_id AND s.computed_at > now() - interval '7 days') high ON true;
  GET DIAGNOSTICS n_customers = ROW_COUNT;

  INSERT INTO public.health_snapshots
    (customer_id, computed_at, scorecard_version, score, computed_score, band, completeness,
     measures, override)
  SELECT customer_id, now(), scorecard_version, score, computed_score, band, completeness,
         measures, override
  FROM health_now;

  UPDATE public.customers c SET health_score = h.score, updated_at = now()
  FROM health_now h
  WHERE c.id = h.customer_id AND c.health_score IS DISTINCT FROM h.score;
  GET DIAGNOSTICS n_changed = ROW_COUNT;

  UPDATE public.tasks t SET
    status = 'done', closed_at = now(),
    note = concat_ws(E'\n', t.note,
                     format('Closed automatically on %s: score recovered to %s (%s).',
                            to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD'), h.score, h.band))
  FROM health_now h
  WHERE t.customer_id = h.customer_id AND t.source = 'rule' AND t.status = 'open'
    AND ((t.rule_key = 'health_red' AND h.band IN ('yellow', 'green'))
      OR (t.rule_key = 'health_drop' AND h.score IS NOT NULL
          AND (h.high_7d IS NULL OR h.high_7d - h.score < card.drop_points)));
  GET DIAGNOSTICS n_closed = ROW_COUNT;

  INSERT INTO public.tasks (customer_id, title, owner, due_date, source, rule_key, note, metadata)
  SELECT h.customer_id, r.title, c.csm_id, current_date + 3, 'rule', r.rule_key, r.note,
         jsonb_build_object('score', h.score, 'band', h.band, 'high_7d', h.high_7d)
  FROM health_now h
  JOIN public.customers c ON c.id = h.customer_id
  CROSS JOIN LATERAL (
    SELECT 'health_drop' AS rule_key,
           format('Health dropped %s points in 7 days (%s → %s)', h.high_7d - h.score,
                  h.high_7d, h.score) AS title,
           'Opened by the health refresh: look at what changed (GET /api/customers/:id/health).' AS note
    WHERE h.high_7d - h.score >= card.drop_points
      AND NOT EXISTS (SELECT 1 FROM public.tasks t
                      WHERE t.customer_id = h.customer_id AND t.rule_key = 'health_drop'
                        AND t.source = 'rule' AND t.created_at > now() - interval '7 days')
    UNION ALL
    SELECT 'health_red', format('Health entered red (score %s)', h.score),
           'Opened by the health refresh: the band became red.'
    WHERE h.band = 'red' AND h.previous_band IS DISTINCT FROM 'red'
  ) r
  ON CONFLICT (customer_id, rule_key) WHERE source = 'rule' AND status = 'open' DO NOTHING;
  GET DIAGNOSTICS n_opened = ROW_COUNT;

  INSERT INTO public.tasks (customer_id, title, owner, due_date, source, rule_key, metadata)
  SELECT DISTINCT ON (ct.id) ct.customer_id,
         format('Renewal in %s days: %s (contract ends %s)', ct.end_date - current_date,
                coalesce(ct.company_name, c.name), ct.end_date),
         c.csm_id, LEAST(ct.end_date, current_date + 14), 'renewal',
         format('renewal_%s:%s', d.days, ct.id),
         jsonb_build_object('contract_id', ct.id, 'end_date', ct.end_date, 'threshold_days', d.days)
  FROM public.contracts ct
  JOIN public.customers c ON c.id = ct.customer_id
  CROSS JOIN (VALUES (90), (60), (30)) AS d(days)
  WHERE ct.end_date >= current_date AND ct.end_date - current_date <= d.days
    AND coalesce(ct.status, 'active') NOT IN ('renewed', 'churned', 'terminated', 'cancelled')
  ORDER BY ct.id, d.days
  ON CONFLICT (customer_id, rule_key) WHERE source = 'renewal' DO NOTHING;
  GET DIAGNOSTICS n_renewal = ROW_COUNT;

  result := jsonb_build_object(
    'skipped', false, 'customers', n_customers, 'scores_changed', n_changed,
    'tasks_opened', n_opened, 'tasks_closed', n_closed, 'renewal_tasks_opened', n_renewal,
    'scorecard_version', card.version,
    'milliseconds', round(extract(epoch FROM clock_timestamp() - started) * 1000));
  INSERT INTO cscx_health.refresh_runs (result) VALUES (result);
  RETURN result;
END
$fn$;

REVOKE ALL ON FUNCTION cscx_health.measure_values(UUID), cscx_health.compute(UUID, INTEGER),
  cscx_health.active_overrides(), cscx_health.refresh(INTEGER) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cscx_health.measure_values(UUID), cscx_health.compute(UUID, INTEGER),
  cscx_health.active_overrides() TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION cscx_health.refresh(INTEGER) TO service_role;

-- ---------------------------------------------------------------------------
-- PUT /api/scorecard: validates and appends a version. Every problem raises
-- invalid_parameter_value (22023, a 400) naming the field, before anything
-- is written. Fields: weights (required: measure -> number >= 0, sum > 0;
-- measures left out weigh 0), missing, red_below, green_from,
-- freshness_days, drop_points, note (all optional: the current version's).
-- ---------------------------------------------------------------------------

CREATE FUNCTION cscx_health.known_measures()
RETURNS TEXT[] LANGUAGE sql IMMUTABLE
AS $fn$ SELECT ARRAY['engagement', 'adoption', 'sentiment', 'growth'] $fn$;

-- The scorecard `p` describes, as the next version after `cur` (not stored).
CREATE FUNCTION cscx_health.validated_scorecard(p JSONB, cur public.health_scorecards)
RETURNS public.health_scorecards
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  k TEXT;
  v JSONB;
  total NUMERIC := 0;
  weights JSONB := '{}';
  bad TEXT;
  result public.health_scorecards;
BEGIN
  IF jsonb_typeof(p) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'the scorecard must be a JSON object' USING ERRCODE = '22023';
  END IF;
  SELECT x.key INTO bad FROM jsonb_object_keys(p) x(key)
  WHERE x.key NOT IN ('weights', 'missing', 'red_below', 'green_from', 'freshness_days',
                      'drop_points', 'note') LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'unknown field "%"', bad USING ERRCODE = '22023';
  END IF;
  IF jsonb_typeof(p -> 'weights') IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'weights must be an object of measure: weight' USING ERRCODE = '22023';
  END IF;
  FOR k, v IN SELECT * FROM jsonb_each(p -> 'weights') LOOP
    IF NOT k = ANY (cscx_health.known_measures()) THEN
      RAISE EXCEPTION 'unknown measure "%" (known: %)', k,
        array_to_string(cscx_health.known_measures(), ', ') USING ERRCODE = '22023';
    END IF;
    IF jsonb_typeof(v) IS DISTINCT FROM 'number' OR (v #>> '{}')::numeric < 0 THEN
      RAISE EXCEPTION 'weights.% must be a number >= 0', k USING ERRCODE = '22023';
    END IF;
    total := total + (v #>> '{}')::numeric;
  END LOOP;
  IF total <= 0 THEN
    RAISE EXCEPTION 'weights must sum to more than 0' USING ERRCODE = '22023';
  END IF;
  SELECT jsonb_object_agg(m, coalesce(p -> 'weights' -> m, '0'::jsonb)) INTO weights
  FROM unnest(cscx_health.known_measures()) m;

  IF p ? 'missing' AND (p ->> 'missing') IS DISTINCT FROM 'zero'
     AND (p ->> 'missing') IS DISTINCT FROM 'renormalize' THEN
    RAISE EXCEPTION 'missing must be "zero" or "renormalize"' USING ERRCODE = '22023';
  END IF;
  FOREACH k IN ARRAY ARRAY['red_below', 'green_from', 'freshness_days', 'drop_points'] LOOP
    IF p ? k AND (jsonb_typeof(p -> k) IS DISTINCT FROM 'number'
                  OR (p ->> k)::numeric <> trunc((p ->> k)::numeric)
                  OR (p ->> k)::numeric NOT BETWEEN 0 AND 1000) THEN
      RAISE EXCEPTION '% must be a whole number', k USING ERRCODE = '22023';
    END IF;
  END LOOP;
  IF p ? 'note' AND jsonb_typeof(p -> 'note') IS DISTINCT FROM 'string' THEN
    RAISE EXCEPTION 'note must be a string' USING ERRCODE = '22023';
  END IF;

  IF coalesce((p ->> 'red_below')::integer, cur.red_below)
       > coalesce((p ->> 'green_from')::integer, cur.green_from)
     OR coalesce((p ->> 'green_from')::integer, cur.green_from) > 101 THEN
    RAISE EXCEPTION 'bands must satisfy 0 <= red_below <= green_from <= 101' USING ERRCODE = '22023';
  END IF;
  IF coalesce((p ->> 'freshness_days')::integer, 1) < 1 OR coalesce((p ->> 'drop_points')::integer, 1) < 1 THEN
    RAISE EXCEPTION 'freshness_days and drop_points must be at least 1' USING ERRCODE = '22023';
  END IF;

  result := ROW(cur.version + 1, weights, coalesce(p ->> 'missing', cur.missing),
                coalesce((p ->> 'red_below')::integer, cur.red_below),
                coalesce((p ->> 'green_from')::integer, cur.green_from),
                coalesce((p ->> 'freshness_days')::integer, cur.freshness_days),
                coalesce((p ->> 'drop_points')::integer, cur.drop_points),
                p ->> 'note', auth.uid(), now());
  RETURN result;
END
$fn$;

CREATE FUNCTION cscx_health.put_scorecard(p JSONB)
RETURNS JSONB
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  cur public.health_scorecards;
  result public.health_scorecards;
BEGIN
  -- Serialises PUTs: two at once get consecutive versions, not a conflict.
  -- (FOR UPDATE would need UPDATE on the table, which nobody gets.)
  PERFORM pg_advisory_xact_lock(7863041, 8);
  SELECT * INTO cur FROM public.health_scorecards ORDER BY version DESC LIMIT 1;
  result := cscx_health.validated_scorecard(p, cur);
  INSERT INTO public.health_scorecards SELECT result.*;
  RETURN to_jsonb(result);
END
$fn$;

REVOKE ALL ON FUNCTION cscx_health.known_measures(), cscx_health.put_scorecard(JSONB),
  cscx_health.validated_scorecard(JSONB, public.health_scorecards) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cscx_health.validated_scorecard(JSONB, public.health_scorecards)
  TO service_role;
GRANT EXECUTE ON FUNCTION cscx_health.known_measures() TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION cscx_health.put_scorecard(JSONB) TO service_role;

-- ---------------------------------------------------------------------------
-- GET /api/customers/:id/health, built by PostgreSQL. Security invoker: NULL
-- (a 404) when RLS hides the customer.
-- ---------------------------------------------------------------------------

-- One measure's inputs in words ("7 messages in 30 days").
CREATE FUNCTION cscx_health.describe(measure TEXT, inputs JSONB)
RETURNS TEXT LANGUAGE sql IMMUTABLE
AS $fn$
  SELECT CASE measure
    WHEN 'engagement' THEN format('%s messages in 30 days', inputs ->> 'messages_30d')
    WHEN 'adoption' THEN format('average progress %s over %s modules',
                                inputs ->> 'average_progress', inputs ->> 'modules')
    WHEN 'sentiment' THEN format('%s of %s insights in 90 days were concerns or risks',
                                 inputs ->> 'concerns_and_risks_90d', inputs ->> 'insights_90d')
    WHEN 'growth' THEN format('ARR %s against %s on the previous contract',
                              coalesce(inputs ->> 'arr_latest', 'unknown'),
                              coalesce(inputs ->> 'arr_previous', 'none'))
    ELSE coalesce(inputs::text, 'no inputs') END
$fn$;

-- "+3" / "−15": the sign a reader expects.
CREATE FUNCTION cscx_health.signed(n NUMERIC)
RETURNS TEXT LANGUAGE sql IMMUTABLE
AS $fn$ SELECT CASE WHEN n < 0 THEN '−' || abs(n) ELSE '+' || n END $fn$;

-- What moved between two snapshots: one entry per weighted measure whose
-- value or contribution changed, plus the override's effect, so that the deltas add
-- up to the change of the score.
CREATE FUNCTION cscx_health.changes(cur public.health_snapshots, prev public.health_snapshots)
RETURNS JSONB LANGUAGE sql STABLE
AS $fn$
  WITH m AS (
    SELECT k.key AS measure, k.value AS now_m, prev.measures -> k.key AS was_m,
           (k.value ->> 'value')::integer AS now_v, (prev.measures -> k.key ->> 'value')::integer AS was_v,
           coalesce((k.value ->> 'contribution')::integer, 0)
             - coalesce((prev.measures -> k.key ->> 'contribution')::integer, 0) AS delta
    FROM jsonb_each(cur.measures) k
  ),
  items AS (
    SELECT m.measure AS item,
           jsonb_build_object(
             'measure', m.measure, 'from', m.was_v, 'to', m.now_v, 'delta', m.delta,
             'sentence', format('%s %s → %s: %s, was %s; %s points',
                                initcap(m.measure), coalesce(m.was_v::text, 'no data'),
                                coalesce(m.now_v::text, 'no data'),
                                cscx_health.describe(m.measure, m.now_m -> 'inputs'),
                                CASE WHEN m.was_m IS NULL THEN 'not measured'
                                     ELSE cscx_health.describe(m.measure, m.was_m -> 'inputs') END,
                                cscx_health.signed(m.delta))) AS entry
    FROM m
    -- A measure that weighs nothing moves no point: not worth a sentence.
    WHERE m.delta <> 0
       OR (m.now_v IS DISTINCT FROM m.was_v AND coalesce((m.now_m ->> 'weight')::numeric, 0) > 0)
    UNION ALL
    SELECT 'override', jsonb_build_object(
             'measure', 'override', 'from', prev.override -> 'score', 'to', cur.override -> 'score',
             'delta', d.delta,
             'sentence', CASE
               WHEN cur.override IS NULL THEN format('Override of %s ended; %s points',
                                                     prev.override ->> 'score', cscx_health.signed(d.delta))
               ELSE format('Override to %s (%s); %s points', cur.override ->> 'score',
                           cur.override ->> 'reason', cscx_health.signed(d.delta)) END)
    FROM (SELECT coalesce(cur.score - cur.computed_score, 0)
                 - coalesce(prev.score - prev.computed_score, 0) AS delta) d
    WHERE cur.override IS DISTINCT FROM prev.override OR d.delta <> 0
  )
  SELECT coalesce(jsonb_agg(entry ORDER BY item = 'override', abs((entry ->> 'delta')::integer) DESC, item), '[]')
  FROM items
$fn$;

CREATE FUNCTION cscx_health.customer_health(p_customer UUID)
RETURNS JSONB
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  customer public.customers;
  card public.health_scorecards;
  cur public.health_snapshots;
  prev public.health_snapshots;
  active JSONB;
  v_score INTEGER;
  trend JSONB;
  risks JSONB;
BEGIN
  SELECT * INTO customer FROM public.customers WHERE id = p_customer;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT * INTO card FROM public.health_scorecards ORDER BY version DESC LIMIT 1;
  SELECT * INTO cur FROM public.health_snapshots s WHERE s.customer_id = p_customer
  ORDER BY s.computed_at DESC, s.id DESC LIMIT 1;
  SELECT * INTO prev FROM public.health_snapshots s WHERE s.customer_id = p_customer
  ORDER BY s.computed_at DESC, s.id DESC LIMIT 1 OFFSET 1;
  IF cur.id IS NULL THEN
    -- Never refreshed: show the live computation, with no history.
    SELECT NULL, p_customer, now(), h.scorecard_version, h.score, h.score, h.band,
           h.completeness, h.measures, NULL
      INTO cur
      FROM cscx_health.compute(p_customer) h;
  END IF;
  SELECT o.override INTO active FROM cscx_health.active_overrides() o WHERE o.customer_id = p_customer;
  v_score := coalesce((active ->> 'score')::integer, cur.computed_score);

  SELECT jsonb_object_agg(format('%s_days', d.days), jsonb_build_object(
           'score', s.score, 'at', s.computed_at,
           'delta', v_score - s.score))
    INTO trend
  FROM (VALUES (7), (30), (90)) d(days)
  LEFT JOIN LATERAL (
    SELECT x.score, x.computed_at FROM public.health_snapshots x
    WHERE x.customer_id = p_customer AND x.computed_at <= now() - make_interval(days => d.days)
    ORDER BY x.computed_at DESC, x.id DESC LIMIT 1) s ON true;

  SELECT coalesce(jsonb_agg(r.risk), '[]') INTO risks FROM (
    SELECT jsonb_build_object('kind', 'risk_insights',
             'detail', format('%s open concerns or risks in the last 90 days', count(*)),
             'items', jsonb_agg(i.content ORDER BY i.created_at DESC)) AS risk
    FROM public.insights i
    WHERE i.customer_id = p_customer AND i.type IN ('concern', 'risk')
      AND coalesce(i.status, 'open') = 'open' AND i.created_at > now() - interval '90 days'
    HAVING count(*) > 0
    UNION ALL
    SELECT jsonb_build_object('kind', 'renewal_soon',
             'detail', format('Contract ends %s (in %s days)', min(ct.end_date), min(ct.end_date) - current_date))
    FROM public.contracts ct
    WHERE ct.customer_id = p_customer AND ct.end_date BETWEEN current_date AND current_date + 90
    HAVING count(*) > 0
    UNION ALL
    SELECT jsonb_build_object('kind', 'no_champion',
             'detail', 'No champion among the stakeholders (none is primary or named champion)')
    WHERE NOT EXISTS (SELECT 1 FROM public.stakeholders st
                      WHERE st.customer_id = p_customer
                        AND (st.is_primary OR st.role ILIKE '%champion%'))
    UNION ALL
    SELECT jsonb_build_object('kind', 'falling_engagement',
             'detail', format('%s messages in the last 30 days, %s in the 30 before',
                              cur.measures #>> '{engagement,inputs,messages_30d}',
                              cur.measures #>> '{engagement,inputs,messages_prev_30d}'))
    WHERE (cur.measures #>> '{engagement,inputs,messages_30d}')::integer
          < (cur.measures #>> '{engagement,inputs,messages_prev_30d}')::integer
  ) r;

  RETURN jsonb_build_object(
    'customer_id', customer.id,
    'name', customer.name,
    'score', v_score,
    'computed_score', cur.computed_score,
    'band', CASE WHEN v_score IS NULL THEN 'unknown'
                 WHEN v_score < card.red_below THEN 'red'
                 WHEN v_score < card.green_from THEN 'yellow'
                 ELSE 'green' END,
    'completeness', cur.completeness,
    'scorecard_version', cur.scorecard_version,
    'computed_at', cur.computed_at,
    'measures', cur.measures,
    'stale', (SELECT coalesce(jsonb_agg(k.key ORDER BY k.key), '[]')
                FROM jsonb_each(cur.measures) k WHERE (k.value ->> 'stale')::boolean),
    'trend', trend,
    'risks', risks,
    'changes', CASE WHEN prev.id IS NULL THEN '[]'::jsonb ELSE cscx_health.changes(cur, prev) END,
    'previous', CASE WHEN prev.id IS NULL THEN NULL
                     ELSE jsonb_build_object('score', prev.score, 'computed_at', prev.computed_at) END,
    'override', active);
END
$fn$;

-- GET /api/health/portfolio: the caller's book (RLS decides which).
CREATE FUNCTION cscx_health.portfolio()
RETURNS JSONB
LANGUAGE sql STABLE
AS $fn$
  WITH latest AS (
    SELECT c.id, c.name, s.score, coalesce(s.band, 'unknown') AS band, s.completeness,
           week.score AS score_7d_ago
    FROM public.customers c
    LEFT JOIN LATERAL (
      SELECT x.score, x.band, x.completeness FROM public.health_snapshots x
      WHERE x.customer_id = c.id ORDER BY x.computed_at DESC, x.id DESC LIMIT 1) s ON true
    LEFT JOIN LATERAL (
      SELECT x.score FROM public.health_snapshots x
      WHERE x.customer_id = c.id AND x.computed_at <= now() - interval '7 days'
      ORDER BY x.computed_at DESC, x.id DESC LIMIT 1) week ON true
  ),
  moves AS (
    SELECT l.*, l.score - l.score_7d_ago AS delta FROM latest l
    WHERE l.score IS NOT NULL AND l.score_7d_ago IS NOT NULL AND l.score <> l.score_7d_ago
  )
  SELECT jsonb_build_object(
    'customers', (SELECT count(*) FROM latest),
    'bands', (SELECT jsonb_build_object(
                'red', count(*) FILTER (WHERE band = 'red'),
                'yellow', count(*) FILTER (WHERE band = 'yellow'),
                'green', count(*) FILTER (WHERE band = 'green'),
                'unknown', count(*) FILTER (WHERE band = 'unknown')) FROM latest),
    'movers_up', (SELECT coalesce(jsonb_agg(jsonb_build_object('customer_id', id, 'name', name,
                    'score', score, 'delta_7d', delta) ORDER BY delta DESC, id), '[]')
                  FROM (SELECT * FROM moves WHERE delta > 0 ORDER BY delta DESC, id LIMIT 5) u),
    'movers_down', (SELECT coalesce(jsonb_agg(jsonb_build_object('customer_id', id, 'name', name,
                      'score', score, 'delta_7d', delta) ORDER BY delta, id), '[]')
                    FROM (SELECT * FROM moves WHERE delta < 0 ORDER BY delta, id LIMIT 5) d),
    'low_completeness', (SELECT coalesce(jsonb_agg(jsonb_build_object('customer_id', id, 'name', name,
                           'completeness', completeness) ORDER BY completeness, id), '[]')
                         FROM (SELECT * FROM latest WHERE completeness < 0.5
                               ORDER BY completeness, id LIMIT 20) w))
$fn$;

-- POST /api/customers/:id/health/override: replaces the active override
-- and applies it to customers.health_score at once. NULL (a 404) when RLS
-- hides the customer; an expiry not in the future is a 400.
CREATE FUNCTION cscx_health.set_override(p_customer UUID, p_score INTEGER, p_reason TEXT,
                                         p_expires_at TIMESTAMPTZ)
RETURNS JSONB
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM public.customers WHERE id = p_customer) THEN
    RETURN NULL;
  END IF;
  IF p_expires_at <= now() THEN
    RAISE EXCEPTION 'expires_at must be in the future' USING ERRCODE = '22023';
  END IF;
  UPDATE public.health_overrides SET cleared_at = now(), cleared_by = auth.uid()
  WHERE customer_id = p_customer AND cleared_at IS NULL AND expires_at > now();
  INSERT INTO public.health_overrides (customer_id, score, reason, expires_at)
  VALUES (p_customer, p_score, p_reason, p_expires_at);
  UPDATE public.customers SET health_score = p_score WHERE id = p_customer
    AND health_score IS DISTINCT FROM p_score;
  RETURN cscx_health.customer_health(p_customer);
END
$fn$;

-- DELETE /api/customers/:id/health/override: clears it (the row stays, with
-- cleared_at, and the audit trail records it); the score goes back to the
-- latest computed one.
CREATE FUNCTION cscx_health.clear_override(p_customer UUID)
RETURNS JSONB
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  computed INTEGER;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM public.customers WHERE id = p_customer) THEN
    RETURN NULL;
  END IF;
  UPDATE public.health_overrides SET cleared_at = now(), cleared_by = auth.uid()
  WHERE customer_id = p_customer AND cleared_at IS NULL AND expires_at > now();
  SELECT s.computed_score INTO computed FROM public.health_snapshots s
  WHERE s.customer_id = p_customer ORDER BY s.computed_at DESC, s.id DESC LIMIT 1;
  IF NOT FOUND THEN
    SELECT h.score INTO computed FROM cscx_health.compute(p_customer) h;
  END IF;
  UPDATE public.customers SET health_score = computed WHERE id = p_customer
    AND health_score IS DISTINCT FROM computed;
  RETURN cscx_health.customer_health(p_customer);
END
$fn$;

REVOKE ALL ON FUNCTION cscx_health.describe(TEXT, JSONB), cscx_health.signed(NUMERIC),
  cscx_health.changes(public.health_snapshots, public.health_snapshots),
  cscx_health.customer_health(UUID), cscx_health.portfolio(),
  cscx_health.set_override(UUID, INTEGER, TEXT, TIMESTAMPTZ),
  cscx_health.clear_override(UUID) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cscx_health.describe(TEXT, JSONB), cscx_health.signed(NUMERIC),
  cscx_health.changes(public.health_snapshots, public.health_snapshots),
  cscx_health.customer_health(UUID), cscx_health.portfolio(),
  cscx_health.set_override(UUID, INTEGER, TEXT, TIMESTAMPTZ),
  cscx_health.clear_override(UUID) TO authenticated, service_role;

-- ---------------------------------------------------------------------------
-- `cscx health backtest`: did the score predict renewals?
-- ---------------------------------------------------------------------------

-- A snapshot's measures scored under scorecard `sc` (as compute() does).
CREATE FUNCTION cscx_health.rescore(measures JSONB, sc public.health_scorecards)
RETURNS INTEGER LANGUAGE sql IMMUTABLE
AS $fn$
  SELECT CASE WHEN sum(x.w) FILTER (WHERE x.counted) > 0
              THEN floor(sum(x.w * x.used) FILTER (WHERE x.counted)
                         / sum(x.w) FILTER (WHERE x.counted))::integer END
  FROM (
    SELECT k.value::numeric AS w,
           CASE WHEN h.has THEN coalesce((measures -> k.key ->> 'value')::integer, 0) ELSE 0 END AS used,
           (sc.missing = 'zero' OR h.has) AS counted
    FROM jsonb_each_text(sc.weights) k
    CROSS JOIN LATERAL (SELECT coalesce((measures -> k.key ->> 'has_data')::boolean, false) AS has) h
  ) x
$fn$;

CREATE FUNCTION cscx_health.band_of(score INTEGER, sc public.health_scorecards)
RETURNS TEXT LANGUAGE sql IMMUTABLE
AS $fn$
  SELECT CASE WHEN score IS NULL THEN 'unknown' WHEN score < sc.red_below THEN 'red'
              WHEN score < sc.green_from THEN 'yellow' ELSE 'green' END
$fn$;

-- For contracts with status renewed or churned whose end_date has passed:
-- the latest snapshot at least p_days before the end, rescored under the
-- scorecard in force and under `p_proposed` (a PUT /api/scorecard body,
-- optional). AUC: the chance that a renewed contract scored higher than a
-- churned one (ties count half); 0.5 is a coin.
CREATE FUNCTION cscx_health.backtest(p_days INTEGER DEFAULT 90, p_proposed JSONB DEFAULT NULL)
RETURNS JSONB
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  cur public.health_scorecards;
  proposed public.health_scorecards;
  result JSONB;
BEGIN
  IF p_days IS NULL OR p_days < 0 THEN
    RAISE EXCEPTION 'days must be 0 or more' USING ERRCODE = '22023';
  END IF;
  SELECT * INTO cur FROM public.health_scorecards ORDER BY version DESC LIMIT 1;
  IF p_proposed IS NOT NULL THEN
    proposed := cscx_health.validated_scorecard(p_proposed, cur);
  END IF;
  WITH points AS (
    SELECT ct.status AS outcome, cs.card, cs.sc,
           cscx_health.rescore(s.measures, cs.sc) AS score
    FROM public.contracts ct
    JOIN LATERAL (
      SELECT x.measures FROM public.health_snapshots x
      WHERE x.customer_id = ct.customer_id
        AND x.computed_at <= (ct.end_date - p_days)::timestamptz
      ORDER BY x.computed_at DESC, x.id DESC LIMIT 1) s ON true
    CROSS JOIN LATERAL (
      SELECT 'current' AS card, cur AS sc
      UNION ALL
      SELECT 'proposed', proposed WHERE proposed.version IS NOT NULL) cs
    WHERE ct.status IN ('renewed', 'churned') AND ct.end_date <= current_date
  ),
  auc AS (
    SELECT r.card,
           avg(CASE WHEN r.score > c.score THEN 1.0 WHEN r.score = c.score THEN 0.5 ELSE 0.0 END) AS auc
    FROM points r JOIN points c ON c.card = r.card AND c.outcome = 'churned'
    WHERE r.outcome = 'renewed' AND r.score IS NOT NULL AND c.score IS NOT NULL
    GROUP BY r.card
  ),
  bands AS (
    SELECT cards.card, b.band,
           count(*) FILTER (WHERE p.outcome = 'renewed') AS renewed,
           count(*) FILTER (WHERE p.outcome = 'churned') AS churned
    FROM (VALUES ('red', 1), ('yellow', 2), ('green', 3), ('unknown', 4)) b(band, ord)
    CROSS JOIN (SELECT DISTINCT card FROM points) cards
    LEFT JOIN points p ON p.card = cards.card AND cscx_health.band_of(p.score, p.sc) = b.band
    GROUP BY cards.card, b.band, b.ord
  )
  SELECT jsonb_build_object(
    'days', p_days,
    'contracts', (SELECT count(*) FROM points WHERE card = 'current'),
    'renewed', (SELECT count(*) FROM points WHERE card = 'current' AND outcome = 'renewed'),
    'churned', (SELECT count(*) FROM points WHERE card = 'current' AND outcome = 'churned'),
    'scorecards', coalesce((
      SELECT jsonb_agg(jsonb_build_object(
               'scorecard', c.card,
               'weights', CASE c.card WHEN 'current' THEN cur.weights ELSE proposed.weights END,
               'missing', CASE c.card WHEN 'current' THEN cur.missing ELSE proposed.missing END,
               'auc', (SELECT round(a.auc, 3) FROM auc a WHERE a.card = c.card),
               'bands', (SELECT jsonb_object_agg(b.band, jsonb_build_object('renewed', b.renewed, 'churned', b.churned))
                         FROM bands b WHERE b.card = c.card)) ORDER BY c.card)
      FROM (SELECT DISTINCT card FROM points) c), '[]'))
  INTO result;
  RETURN result;
END
$fn$;

REVOKE ALL ON FUNCTION cscx_health.rescore(JSONB, public.health_scorecards),
  cscx_health.band_of(INTEGER, public.health_scorecards),
  cscx_health.backtest(INTEGER, JSONB) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cscx_health.rescore(JSONB, public.health_scorecards),
  cscx_health.band_of(INTEGER, public.health_scorecards),
  cscx_health.backtest(INTEGER, JSONB) TO service_role;
