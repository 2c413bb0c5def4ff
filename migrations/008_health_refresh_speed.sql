-- 008_health_refresh_speed: cscx_health.refresh() for 10,000 customers
-- cheaper, towards the "under 2 s" of issue 7 (bench/health/run.sh;
-- bench/README.md has the figures), with exactly the results of 006
-- (tests/health/refresh_equivalence_pgtest.cpp compares both on random data).
--
-- 006 computed the measures "long": one row per customer and measure
-- (40,000 rows for 10,000 customers), joined to the weights, summed per
-- customer, ranked with two window functions for the largest-remainder
-- contributions, and aggregated back with jsonb_object_agg over nested
-- jsonb_build_object calls. Most of a refresh went into that reshaping and
-- into building jsonb value by value (each jsonb_build_object argument looks
-- its type up and turns numbers into text and back).
--
-- Here compute() works "wide": one row per customer with every measure's
-- value, has_data, as_of and inputs as columns (measure_rows(): 006's
-- aggregates), the score arithmetic as plain expressions over the
-- four measures, and each snapshot's `measures` written as JSON text in one
-- concatenation and parsed into jsonb once. Replaced:
--   cscx_health.measure_values(UUID)   now the wide row unpivoted (same rows)
--   cscx_health.compute(UUID, INTEGER) same columns and values, computed wide
--   cscx_health.refresh(INTEGER)       same rules and result; the snapshots
--                                      are appended by the statement that
--                                      computes them (no temporary copy of
--                                      `measures`), the previous band is
--                                      looked up for red customers only
--   idx_health_snapshots_customer      same key, INCLUDE (score, band)
-- New:
--   cscx_health.measure_rows(UUID)     one row per customer, every measure
--   cscx_health.measure_json(...)      one measure's JSON text (inlined)
--
-- The measure list is still fixed in SQL: a new measure is a migration
-- adding its columns to measure_rows, its branch to measure_values and its
-- key to compute (and to known_measures()).

-- ---------------------------------------------------------------------------
-- One row per customer the caller can see (or one): each measure's value,
-- has_data, as_of and inputs, as 006 defined them:
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

CREATE FUNCTION cscx_health.measure_rows(p_customer UUID DEFAULT NULL)
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
  -- As 006's, but a bound written (SELECT now() - ...) is computed once, not
  -- once per row. (Counting per session first, in index order, saved a
  -- little more for everyone but made one customer's computation scan every
  -- message: the customer filter could no longer reach the messages.)
  msg AS (
    SELECT s.customer_id,
           count(*) FILTER (WHERE am.created_at > (SELECT now() - interval '30 days')) AS recent,
           count(*) FILTER (WHERE am.created_at <= (SELECT now() - interval '30 days')) AS previous,
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

-- The same measures one row per customer and measure, as 006 returned them.
CREATE OR REPLACE FUNCTION cscx_health.measure_values(p_customer UUID DEFAULT NULL)
RETURNS TABLE (customer_id UUID, measure TEXT, value INTEGER, has_data BOOLEAN,
               as_of TIMESTAMPTZ, inputs JSONB)
LANGUAGE sql STABLE
AS $fn$
  SELECT m.customer_id, v.measure, v.value, v.has_data, v.as_of, v.inputs
  FROM cscx_health.measure_rows(p_customer) m
  CROSS JOIN LATERAL (VALUES
    ('engagement', m.engagement, m.engagement_has_data, m.engagement_as_of,
     jsonb_build_object('messages_30d', m.messages_30d, 'messages_prev_30d', m.messages_prev_30d)),
    ('adoption', m.adoption, m.adoption_has_data, m.adoption_as_of,
     jsonb_build_object('average_progress', m.average_progress, 'modules', m.modules)),
    ('sentiment', m.sentiment, m.sentiment_has_data, m.sentiment_as_of,
     jsonb_build_object('insights_90d', m.insights_90d,
                        'concerns_and_risks_90d', m.concerns_and_risks_90d)),
    ('growth', m.growth, m.growth_has_data, m.growth_as_of,
     jsonb_build_object('arr_latest', m.arr_latest, 'arr_previous', m.arr_previous))
  ) v(measure, value, has_data, as_of, inputs)
$fn$;

-- One measure of a snapshot's `measures` as JSON text; `inputs` is JSON text
-- already. Plain concatenation of ::text casts (int, numeric and boolean
-- print as JSON does; to_json quotes the timestamp as jsonb would): the
-- planner inlines this, so there is no call per measure. Keys come in
-- jsonb's own order (shorter first, then bytewise), here and in compute(),
-- so that parsing finds every object already sorted.
CREATE FUNCTION cscx_health.measure_json(value INTEGER, weight NUMERIC, contribution INTEGER,
                                         has_data BOOLEAN, as_of TIMESTAMPTZ, stale BOOLEAN,
                                         inputs TEXT)
RETURNS TEXT
LANGUAGE sql STABLE
AS $fn$
  SELECT '{"as_of":' || coalesce(to_json(as_of)::text, 'null')
      || ',"stale":' || coalesce(stale::text, 'null')
      || ',"value":' || coalesce(value::text, 'null')
      || ',"inputs":' || inputs
      || ',"weight":' || coalesce(weight::text, 'null')
      || ',"has_data":' || coalesce(has_data::text, 'null')
      || ',"contribution":' || coalesce(contribution::text, 'null') || '}'
$fn$;

-- ---------------------------------------------------------------------------
-- The score under a scorecard (the one in force by default); the rules are
-- 006's:
--
--   zero         score = floor(sum(w x v) / sum(w)), a measure without data
--                counting 0: with version 1 exactly the seed's
--                (engagement + adoption) / 2 in integer arithmetic
--   renormalize  the sums run over the measures with data only; none with
--                data (or only weight 0) -> score NULL, band 'unknown'
-- completeness = weight with data / all weight. Contributions are
-- w x v / sum(w) rounded to whole points by largest remainder, so that they
-- add up to the score exactly and a change's deltas add up to its change.
--
-- Per measure (suffix _e engagement, _a adoption, _s sentiment, _g growth):
-- in whether the scorecard weighs it at all (if not, the measure is left
-- out of the sums and of `measures`, as 006's join to the weights did), w its
-- weight, c counted, u the value used, x the exact share, f its fraction,
-- k the contribution; <measure>_has_data comes from measure_rows(). A sum over the four treats NULL as absent,
-- as sum() did. Each step is its own subquery with OFFSET 0 so that the
-- planner computes a column once rather than pasting its expression into
-- every later use.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION cscx_health.compute(p_customer UUID DEFAULT NULL,
                                               p_version INTEGER DEFAULT NULL)
RETURNS TABLE (customer_id UUID, scorecard_version INTEGER, score INTEGER, band TEXT,
               completeness NUMERIC, measures JSONB)
LANGUAGE sql STABLE
AS $fn$
  WITH card AS MATERIALIZED (
    SELECT sc.version, sc.missing = 'zero' AS count_missing, sc.red_below, sc.green_from,
           now() - make_interval(days => sc.freshness_days) AS fresh_after,
           sc.weights ? 'engagement' AS in_e, (sc.weights ->> 'engagement')::numeric AS w_e,
           sc.weights ? 'adoption' AS in_a, (sc.weights ->> 'adoption')::numeric AS w_a,
           sc.weights ? 'sentiment' AS in_s, (sc.weights ->> 'sentiment')::numeric AS w_s,
           sc.weights ? 'growth' AS in_g, (sc.weights ->> 'growth')::numeric AS w_g
    FROM public.health_scorecards sc
    WHERE sc.version = coalesce(p_version, (SELECT max(version) FROM public.health_scorecards))
  ),
  used AS (
    SELECT m.*, card.*,
           count_missing OR engagement_has_data AS c_e,
           CASE WHEN engagement_has_data THEN engagement ELSE 0 END AS u_e,
           count_missing OR adoption_has_data AS c_a,
           CASE WHEN adoption_has_data THEN adoption ELSE 0 END AS u_a,
           count_missing OR sentiment_has_data AS c_s,
           CASE WHEN sentiment_has_data THEN sentiment ELSE 0 END AS u_s,
           count_missing OR growth_has_data AS c_g,
           CASE WHEN growth_has_data THEN growth ELSE 0 END AS u_g
    FROM cscx_health.measure_rows(p_customer) m CROSS JOIN card
    -- 006 computed nothing for a scorecard that weighs none of the measures.
    WHERE in_e OR in_a OR in_s OR in_g
    OFFSET 0
  ),
  sums AS (
    SELECT used.*,
           CASE WHEN num_nonnulls(w_e, w_a, w_s, w_g) > 0
                THEN coalesce(w_e, 0) + coalesce(w_a, 0) + coalesce(w_s, 0) + coalesce(w_g, 0)
                END AS weight_all,
           coalesce(CASE WHEN engagement_has_data THEN w_e END, 0)
             + coalesce(CASE WHEN adoption_has_data THEN w_a END, 0)
             + coalesce(CASE WHEN sentiment_has_data THEN w_s END, 0)
             + coalesce(CASE WHEN growth_has_data THEN w_g END, 0) AS weight_data,
           -- Zero instead of 006's NULL when nothing counts: the score is
           -- NULL either way, and the shares are only computed with a score.
           coalesce(CASE WHEN c_e THEN w_e END, 0) + coalesce(CASE WHEN c_a THEN w_a END, 0)
             + coalesce(CASE WHEN c_s THEN w_s END, 0) + coalesce(CASE WHEN c_g THEN w_g END, 0)
             AS weight_counted,
           coalesce(CASE WHEN c_e THEN w_e * u_e END, 0) + coalesce(CASE WHEN c_a THEN w_a * u_a END, 0)
             + coalesce(CASE WHEN c_s THEN w_s * u_s END, 0) + coalesce(CASE WHEN c_g THEN w_g * u_g END, 0)
             AS points
    FROM used OFFSET 0
  ),
  scored AS (
    SELECT sums.*,
           CASE WHEN weight_counted > 0 THEN floor(points / weight_counted)::integer END AS score
    FROM sums OFFSET 0
  ),
  shares AS (
    SELECT scored.*,
           CASE WHEN c_e AND score IS NOT NULL THEN w_e * u_e / weight_counted END AS x_e,
           CASE WHEN c_a AND score IS NOT NULL THEN w_a * u_a / weight_counted END AS x_a,
           CASE WHEN c_s AND score IS NOT NULL THEN w_s * u_s / weight_counted END AS x_s,
           CASE WHEN c_g AND score IS NOT NULL THEN w_g * u_g / weight_counted END AS x_g
    FROM scored OFFSET 0
  ),
  fractions AS (
    SELECT shares.*,
           x_e - floor(x_e) AS f_e, x_a - floor(x_a) AS f_a,
           x_s - floor(x_s) AS f_s, x_g - floor(x_g) AS f_g,
           score - (coalesce(floor(x_e), 0) + coalesce(floor(x_a), 0)
                    + coalesce(floor(x_s), 0) + coalesce(floor(x_g), 0)) AS leftover
    FROM shares OFFSET 0
  ),
  -- The `leftover` points go one each to the largest fractions; ties go by
  -- name (adoption, engagement, growth, sentiment), as 006's row_number()
  -- ordered them. A measure's rank is 1 + the measures ahead of it.
  ranked AS (
    SELECT fractions.*,
           (floor(x_e) + CASE WHEN 1 + ((f_a >= f_e) IS TRUE)::integer
                                      + ((f_g > f_e) IS TRUE)::integer
                                      + ((f_s > f_e) IS TRUE)::integer
                                 <= leftover THEN 1 ELSE 0 END)::integer AS k_e,
           (floor(x_a) + CASE WHEN 1 + ((f_e > f_a) IS TRUE)::integer
                                      + ((f_g > f_a) IS TRUE)::integer
                                      + ((f_s > f_a) IS TRUE)::integer
                                 <= leftover THEN 1 ELSE 0 END)::integer AS k_a,
           (floor(x_s) + CASE WHEN 1 + ((f_a >= f_s) IS TRUE)::integer
                                      + ((f_e >= f_s) IS TRUE)::integer
                                      + ((f_g >= f_s) IS TRUE)::integer
                                 <= leftover THEN 1 ELSE 0 END)::integer AS k_s,
           (floor(x_g) + CASE WHEN 1 + ((f_a >= f_g) IS TRUE)::integer
                                      + ((f_e >= f_g) IS TRUE)::integer
                                      + ((f_s > f_g) IS TRUE)::integer
                                 <= leftover THEN 1 ELSE 0 END)::integer AS k_g
    FROM fractions OFFSET 0
  )
  SELECT r.customer_id, r.version, r.score,
         CASE WHEN r.score IS NULL THEN 'unknown'
              WHEN r.score < r.red_below THEN 'red'
              WHEN r.score < r.green_from THEN 'yellow'
              ELSE 'green' END,
         round(r.weight_data / r.weight_all, 4),
         ('{' || concat_ws(',',
           CASE WHEN r.in_g THEN '"growth":' || cscx_health.measure_json(
             CASE WHEN r.growth_has_data OR r.c_g THEN r.u_g END, r.w_g, r.k_g,
             r.growth_has_data, r.growth_as_of,
             r.growth_has_data AND (r.growth_as_of IS NULL OR r.growth_as_of < r.fresh_after),
             -- to_json: a NaN ARR becomes the string "NaN", as jsonb_build_object made it.
             '{"arr_latest":' || coalesce(to_json(r.arr_latest)::text, 'null')
               || ',"arr_previous":' || coalesce(to_json(r.arr_previous)::text, 'null') || '}') END,
           CASE WHEN r.in_a THEN '"adoption":' || cscx_health.measure_json(
             CASE WHEN r.adoption_has_data OR r.c_a THEN r.u_a END, r.w_a, r.k_a,
             r.adoption_has_data, r.adoption_as_of,
             r.adoption_has_data AND (r.adoption_as_of IS NULL OR r.adoption_as_of < r.fresh_after),
             '{"modules":' || r.modules || ',"average_progress":' || r.average_progress || '}') END,
           CASE WHEN r.in_s THEN '"sentiment":' || cscx_health.measure_json(
             CASE WHEN r.sentiment_has_data OR r.c_s THEN r.u_s END, r.w_s, r.k_s,
             r.sentiment_has_data, r.sentiment_as_of,
             r.sentiment_has_data AND (r.sentiment_as_of IS NULL OR r.sentiment_as_of < r.fresh_after),
             '{"insights_90d":' || r.insights_90d
               || ',"concerns_and_risks_90d":' || r.concerns_and_risks_90d || '}') END,
           CASE WHEN r.in_e THEN '"engagement":' || cscx_health.measure_json(
             CASE WHEN r.engagement_has_data OR r.c_e THEN r.u_e END, r.w_e, r.k_e,
             r.engagement_has_data, r.engagement_as_of,
             r.engagement_has_data AND (r.engagement_as_of IS NULL OR r.engagement_as_of < r.fresh_after),
             '{"messages_30d":' || r.messages_30d
               || ',"messages_prev_30d":' || r.messages_prev_30d || '}') END
         ) || '}')::jsonb
  FROM ranked r
$fn$;

REVOKE ALL ON FUNCTION cscx_health.measure_rows(UUID),
  cscx_health.measure_json(INTEGER, NUMERIC, INTEGER, BOOLEAN, TIMESTAMPTZ, BOOLEAN, TEXT)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cscx_health.measure_rows(UUID),
  cscx_health.measure_json(INTEGER, NUMERIC, INTEGER, BOOLEAN, TIMESTAMPTZ, BOOLEAN, TEXT)
  TO authenticated, service_role;

-- ---------------------------------------------------------------------------
-- refresh() reads, per customer, the highest score of the last 7 days and the
-- latest band from this index; with score and band in it (INCLUDE) those are
-- index-only scans wherever the visibility map allows, instead of one heap
-- visit per snapshot. Same name and key as 006's, so every other query's
-- plan is unchanged.
-- ---------------------------------------------------------------------------

DROP INDEX public.idx_health_snapshots_customer;
CREATE INDEX idx_health_snapshots_customer
  ON public.health_snapshots(customer_id, computed_at DESC, id DESC) INCLUDE (score, band);

-- ---------------------------------------------------------------------------
-- refresh(): as in 006 (lock, skip, rules, counts, refresh_runs), but the
-- snapshots are written by the statement that computes them.
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION cscx_health.refresh(p_min_interval_seconds INTEGER DEFAULT 0)
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

  -- The snapshots are appended by the statement that computes them, and
  -- health_now keeps only what the rules below need. All of one statement
  -- reads health_snapshots as it was before the statement, so prev and high
  -- see the earlier history only, as in 006 where they were computed before
  -- the append. previous_band is looked up only when the band is red, the
  -- one rule that reads it.
  CREATE TEMPORARY TABLE health_now (customer_id UUID, score INTEGER, band TEXT,
                                     previous_band TEXT, high_7d INTEGER) ON COMMIT DROP;
  WITH appended AS (
    INSERT INTO public.health_snapshots
      (customer_id, computed_at, scorecard_version, score, computed_score, band, completeness,
       measures, override)
    SELECT h.customer_id, now(), h.scorecard_version, coalesce(o.score, h.score), h.score,
           CASE WHEN o.score IS NULL THEN h.band
                WHEN o.score < card.red_below THEN 'red'
                WHEN o.score < card.green_from THEN 'yellow'
                ELSE 'green' END,
           h.completeness, h.measures, o.override
    FROM cscx_health.compute() h
    LEFT JOIN cscx_health.active_overrides() o ON o.customer_id = h.customer_id
    RETURNING customer_id, score, band
  )
  INSERT INTO health_now (customer_id, score, band, previous_band, high_7d)
  SELECT a.customer_id, a.score, a.band, prev.band, high.score
  FROM appended a
  LEFT JOIN LATERAL (
    SELECT s.band FROM public.health_snapshots s
    WHERE a.band = 'red' AND s.customer_id = a.customer_id
    ORDER BY s.computed_at DESC, s.id DESC LIMIT 1) prev ON true
  LEFT JOIN LATERAL (
    SELECT max(s.score) AS score FROM public.health_snapshots s
    WHERE s.customer_id = a.customer_id AND s.computed_at > now() - interval '7 days') high ON true;
  GET DIAGNOSTICS n_customers = ROW_COUNT;

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
