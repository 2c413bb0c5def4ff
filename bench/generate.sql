-- bench/generate.sql: deterministic benchmark data for a freshly migrated
-- CSCX database (001 + 002). Run as superuser with psql:
--
--   psql -X -v ON_ERROR_STOP=1 -f bench/generate.sql "$DATABASE_URL"
--
-- Every id and every value comes from hashtext()/md5() of a key such as
-- 'cust:42' or 'msg:42:1:7' -- no random(), no gen_random_uuid() -- so two
-- runs produce the same rows. Timestamps are relative to now() (one
-- transaction, so one anchor), which keeps "the last 30 / 90 days" meaningful.
--
-- Shape (bench/README.md has the counts):
--   10,000 customers:       id = md5('cust:' || i)::uuid, i = 1..10000
--   CSMs in auth.users:     id = md5('csm:' || n)::uuid; who owns customer i
--   depends on the psql variable `books` (-v books=...):
--     skewed (default): 500 CSMs, n = 1..500
--       i 1..3000      -> CSM 1   (a 3,000-customer book)
--       i 3001..4024   -> CSM 2   (1,024 customers)
--       i 4025..10000  -> CSMs 3..500, 12 each: n = 3 + (i - 4025) / 12
--     even: 50 CSMs of 200 customers each, dealt round-robin, so a book is
--       spread over the whole table as when accounts are assigned as they
--       sign: i -> CSM 1 + (i - 1) % 50
--   per customer: 2-6 stakeholders; 1-2 contracts with 2-5 entitlements
--   each; 1-3 agent sessions (id md5('ses:' || i || ':' || s)) with 5-30
--   messages each, sessions spread over the last 90 days; 0-2 approvals per
--   session; 2-8 meetings with one transcript and 1-4 insights each; 0-9
--   activity_log rows. 10 training modules; training_progress for the first
--   1-2 stakeholders of about 60% of the customers; 200 knowledge_base rows.
-- The pgbench scripts rely on the CSM/customer/session numbering above.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
-- Bulk statements with many expressions: JIT compilation costs more than it saves.
SET jit = off;

BEGIN;

-- Rows are built consistent with every foreign key; the per-row RI triggers
-- are skipped during the load (replica mode) and the keys are verified in
-- bulk at the end instead.
SET LOCAL session_replication_role = replica;

-- Deterministic "random" numbers: a uniform fraction in [0, 1) from a key, an
-- integer in [lo, hi], and an element of an array.
CREATE FUNCTION pg_temp.h(key text) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashtext(key)::bigint + 2147483648) / 4294967296.0::double precision $$;

CREATE FUNCTION pg_temp.ri(key text, lo integer, hi integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT lo + floor((hashtext(key)::bigint + 2147483648) / 4294967296.0::double precision * (hi - lo + 1))::integer $$;

CREATE FUNCTION pg_temp.pick(key text, a text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT a[1 + floor((hashtext(key)::bigint + 2147483648) / 4294967296.0::double precision * cardinality(a))::integer] $$;

-- The owner of customer i (header); psql does not expand variables inside
-- a function body, hence the \if.
\if :{?books}
\else
  \set books skewed
\endif
SELECT :'books' = 'even' AS books_even, :'books' IN ('skewed', 'even') AS books_known \gset
\if :books_known
\else
  DO $$ BEGIN RAISE EXCEPTION 'generate.sql: books must be skewed or even'; END $$;
\endif
\if :books_even
CREATE FUNCTION pg_temp.csm_of(i integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT 1 + (i - 1) % 50 $$;
\else
CREATE FUNCTION pg_temp.csm_of(i integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN i <= 3000 THEN 1 WHEN i <= 4024 THEN 2 ELSE 3 + (i - 4025) / 12 END $$;
\endif

CREATE FUNCTION pg_temp.uid(kind text, key text) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT md5(kind || ':' || key)::uuid $$;

-- Vocabulary for names and free text: IMMUTABLE functions, so each array is
-- a plan-time constant.
CREATE FUNCTION pg_temp.v_co1() RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Wonka', 'Hooli', 'Vandelay',
        'Soylent', 'Cyberdyne', 'Tyrell', 'Aperture', 'Massive', 'Pied Piper', 'Dunder', 'Gringotts',
        'Oscorp', 'Nakatomi', 'Prestige', 'Blue Sun', 'Monarch', 'Virtucon', 'Gekko', 'Bluth',
        'Sterling', 'Axiom', 'Nimbus', 'Quantum', 'Polar', 'Redwood', 'Summit', 'Harbor', 'Atlas',
        'Beacon', 'Cobalt', 'Delta', 'Ember', 'Falcon', 'Granite'] $$;

CREATE FUNCTION pg_temp.v_co2() RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['Logistics', 'Health', 'Systems', 'Analytics', 'Foods', 'Energy', 'Robotics', 'Media',
        'Capital', 'Labs', 'Retail', 'Networks', 'Pharma', 'Motors', 'Software', 'Aerospace',
        'Insurance', 'Biotech', 'Telecom', 'Consulting'] $$;

CREATE FUNCTION pg_temp.v_co3() RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['Inc', 'LLC', 'GmbH', 'Ltd', 'Corp', 'SA', 'Group', 'Holdings'] $$;

CREATE FUNCTION pg_temp.v_industries() RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['SaaS', 'Healthcare', 'Fintech', 'Manufacturing', 'Retail', 'Logistics', 'Education',
        'Media', 'Energy', 'Telecom', 'Insurance', 'Government'] $$;

CREATE FUNCTION pg_temp.v_stages() RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['onboarding', 'onboarding', 'active', 'active', 'active', 'active', 'at_risk', 'renewal',
        'expansion', 'churned', 'prospect'] $$;

CREATE FUNCTION pg_temp.v_first() RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['Ada', 'Ben', 'Chen', 'Dana', 'Eli', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jia', 'Kofi',
        'Lena', 'Mateo', 'Nia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor',
        'Wen', 'Xena', 'Yusuf', 'Zoe'] $$;

CREATE FUNCTION pg_temp.v_last() RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['Garcia', 'Smith', 'Nguyen', 'Müller', 'Rossi', 'Kowalski', 'Okafor', 'Tanaka', 'Silva',
        'Kim', 'Haddad', 'Novak', 'Johansson', 'Patel', 'Dubois', 'Ivanova', 'Mensah', 'Larsen'] $$;

CREATE FUNCTION pg_temp.v_roles() RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['CEO', 'CTO', 'VP Engineering', 'VP Customer Success', 'Head of Operations', 'IT Admin',
        'Procurement', 'Champion', 'Product Manager', 'Data Lead'] $$;

CREATE FUNCTION pg_temp.v_sentiments() RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['positive', 'positive', 'neutral', 'neutral', 'neutral', 'negative'] $$;

CREATE FUNCTION pg_temp.v_agents() RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['onboarding', 'adoption', 'renewal', 'risk', 'strategic', 'training', 'support'] $$;

CREATE FUNCTION pg_temp.v_phrases() RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['We reviewed the rollout plan for the second region.',
        'The customer asked about SSO with their identity provider.',
        'Usage of the reporting module dropped last month.',
        'Champion confirmed budget for the next fiscal year.',
        'Integration with the CRM is failing on custom fields.',
        'Schedule a QBR with the executive sponsor.',
        'They want more seats for the analytics team.',
        'Security review is blocking the expansion.',
        'Training completion is behind target for admins.',
        'The renewal quote needs legal approval.',
        'Support tickets are trending down after the fix.',
        'Draft a success plan with three measurable outcomes.',
        'The data export job times out for large accounts.',
        'Great feedback on the new dashboard layout.',
        'Follow up on the open action items from last week.',
        'Pricing concerns were raised by procurement.'] $$;

CREATE FUNCTION pg_temp.v_insight_types() RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['decision', 'action_item', 'concern', 'quote', 'sentiment'] $$;


-- 74 transcript lines (37 distinct, twice), alternating speakers; a transcript
-- is a slice of 8-30 of them.
CREATE FUNCTION pg_temp.v_transcript_lines() RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT array_agg(CASE WHEN n % 2 = 0 THEN 'CSM: ' ELSE 'Customer: ' END ||
                       (pg_temp.v_phrases())[1 + (n * 7) % 16] ORDER BY g)
      FROM generate_series(0, 73) g, LATERAL (SELECT g % 37 AS n) x $$;

-- ---------------------------------------------------------------------------
-- CSMs and customers.
-- ---------------------------------------------------------------------------

INSERT INTO auth.users (id, email, created_at, updated_at, raw_user_meta_data, role)
SELECT pg_temp.uid('csm', n::text),
       'csm' || n || '@bench.cscx.ai',
       now() - interval '2 years', now() - interval '2 years',
       jsonb_build_object('full_name', pg_temp.pick('csmf:' || n, pg_temp.v_first()) || ' ' ||
                                       pg_temp.pick('csml:' || n, pg_temp.v_last())),
       'authenticated'
FROM generate_series(1, CASE WHEN :'books' = 'even' THEN 50 ELSE 500 END) n;

INSERT INTO customers (id, name, arr, industry, stage, health_score, csm_id, salesforce_id,
                       hubspot_id, metadata, created_at, updated_at)
SELECT pg_temp.uid('cust', i::text),
       pg_temp.pick('co1:' || i, pg_temp.v_co1()) || ' ' || pg_temp.pick('co2:' || i, pg_temp.v_co2()) || ' ' ||
         pg_temp.pick('co3:' || i, pg_temp.v_co3()) || ' ' || lpad(i::text, 5, '0'),
       CASE WHEN pg_temp.h('arrnull:' || i) < 0.05 THEN NULL
            ELSE round((5000 + 995000 * pg_temp.h('arr:' || i) ^ 3)::numeric, 2) END,
       pg_temp.pick('ind:' || i, pg_temp.v_industries()),
       pg_temp.pick('stage:' || i, pg_temp.v_stages()),
       pg_temp.ri('hs:' || i, 20, 95),
       pg_temp.uid('csm', pg_temp.csm_of(i)::text),
       '0015g0000' || lpad(to_hex(i), 8, '0'),
       CASE WHEN pg_temp.h('hub:' || i) < 0.5 THEN (100000 + i)::text END,
       jsonb_build_object('tier', pg_temp.pick('tier:' || i, ARRAY['smb', 'mid', 'enterprise']),
                          'region', pg_temp.pick('reg:' || i, ARRAY['na', 'emea', 'apac', 'latam'])),
       now() - interval '1 day' * pg_temp.ri('cat:' || i, 90, 900),
       now() - interval '1 day' * pg_temp.ri('uat:' || i, 0, 60)
FROM generate_series(1, 10000) i;

-- ---------------------------------------------------------------------------
-- Stakeholders: 2-6 per customer.
-- ---------------------------------------------------------------------------

INSERT INTO stakeholders (id, customer_id, name, role, email, phone, linkedin_url, is_primary,
                          sentiment, notes, metadata, created_at, updated_at)
SELECT pg_temp.uid('stk', i || ':' || k),
       pg_temp.uid('cust', i::text),
       fn || ' ' || ln,
       pg_temp.pick('srole:' || i || ':' || k, pg_temp.v_roles()),
       lower(fn) || '.' || lower(ln) || k || '@customer' || i || '.example.com',
       '+1-555-' || lpad((pg_temp.ri('ph:' || i || ':' || k, 0, 9999))::text, 4, '0'),
       CASE WHEN pg_temp.h('li:' || i || ':' || k) < 0.6
            THEN 'https://www.linkedin.com/in/' || lower(fn) || '-' || lower(ln) || '-' || i || k END,
       k = 1,
       pg_temp.pick('sent:' || i || ':' || k, pg_temp.v_sentiments()),
       CASE WHEN pg_temp.h('snote:' || i || ':' || k) < 0.4
            THEN pg_temp.pick('sn:' || i || ':' || k, pg_temp.v_phrases()) END,
       '{}'::jsonb,
       now() - interval '1 day' * pg_temp.ri('scat:' || i || ':' || k, 60, 800),
       now() - interval '1 day' * pg_temp.ri('suat:' || i || ':' || k, 0, 60)
FROM generate_series(1, 10000) i
CROSS JOIN LATERAL generate_series(1, pg_temp.ri('nstk:' || i, 2, 6)) k
CROSS JOIN LATERAL (SELECT pg_temp.pick('sf:' || i || ':' || k, pg_temp.v_first()) AS fn,
                           pg_temp.pick('sl:' || i || ':' || k, pg_temp.v_last()) AS ln) nm;

-- ---------------------------------------------------------------------------
-- Contracts (1-2 per customer) and entitlements (2-5 per contract).
-- ---------------------------------------------------------------------------

INSERT INTO contracts (id, customer_id, file_url, file_name, raw_text, company_name, arr,
                       contract_term, start_date, end_date, status, parsed_data, pricing_terms,
                       technical_requirements, missing_info, next_steps, created_at, updated_at)
SELECT pg_temp.uid('con', i || ':' || k),
       pg_temp.uid('cust', i::text),
       'https://files.bench.cscx.ai/contracts/' || i || '-' || k || '.pdf',
       'contract-' || i || '-' || k || '.pdf',
       'MASTER SUBSCRIPTION AGREEMENT between CSCX and customer ' || i || '. ' ||
         repeat(pg_temp.pick('craw:' || i || ':' || k, pg_temp.v_phrases()) || ' ', 6),
       'Customer ' || i,
       round((5000 + 500000 * pg_temp.h('carr:' || i || ':' || k))::numeric, 2),
       pg_temp.pick('term:' || i || ':' || k, ARRAY['12 months', '24 months', '36 months']),
       (now() - interval '1 day' * pg_temp.ri('cst:' || i || ':' || k, 30, 700))::date,
       (now() + interval '1 day' * pg_temp.ri('cen:' || i || ':' || k, -60, 700))::date,
       CASE WHEN k = 1 THEN 'active'
            ELSE pg_temp.pick('cstat:' || i, ARRAY['active', 'expired', 'draft']) END,
       jsonb_build_object('seats', pg_temp.ri('seats:' || i || ':' || k, 10, 2000),
                          'auto_renew', pg_temp.h('ar:' || i || ':' || k) < 0.7),
       jsonb_build_object('currency', 'USD', 'billing',
                          pg_temp.pick('bill:' || i || ':' || k, ARRAY['annual', 'quarterly', 'monthly'])),
       '["SSO", "audit log"]'::jsonb,
       CASE WHEN pg_temp.h('miss:' || i || ':' || k) < 0.3 THEN '["billing contact"]'::jsonb END,
       '["kickoff call", "provision admins"]'::jsonb,
       now() - interval '1 day' * pg_temp.ri('ccat:' || i || ':' || k, 30, 700),
       now() - interval '1 day' * pg_temp.ri('cuat:' || i || ':' || k, 0, 30)
FROM generate_series(1, 10000) i
CROSS JOIN LATERAL generate_series(1, pg_temp.ri('ncon:' || i, 1, 2)) k;

INSERT INTO entitlements (id, contract_id, name, description, quantity, unit, price, category,
                          metadata, created_at)
SELECT pg_temp.uid('ent', i || ':' || k || ':' || e),
       pg_temp.uid('con', i || ':' || k),
       pg_temp.pick('ename:' || i || ':' || k || ':' || e,
                    ARRAY['Platform seats', 'Analytics add-on', 'API calls', 'Premium support',
                          'Storage', 'Sandbox environment', 'Training credits', 'SSO']),
       'Entitlement ' || e || ' of contract ' || k,
       pg_temp.ri('eq:' || i || ':' || k || ':' || e, 1, 1000),
       pg_temp.pick('eu:' || i || ':' || k || ':' || e, ARRAY['seats', 'GB', 'calls', 'hours', 'units']),
       round((100 + 20000 * pg_temp.h('ep:' || i || ':' || k || ':' || e))::numeric, 2),
       pg_temp.pick('ec:' || i || ':' || k || ':' || e, ARRAY['license', 'service', 'usage']),
       '{}'::jsonb,
       now() - interval '1 day' * pg_temp.ri('ecat:' || i || ':' || k, 30, 700)
FROM generate_series(1, 10000) i
CROSS JOIN LATERAL generate_series(1, pg_temp.ri('ncon:' || i, 1, 2)) k
CROSS JOIN LATERAL generate_series(1, pg_temp.ri('nent:' || i || ':' || k, 2, 5)) e;

-- ---------------------------------------------------------------------------
-- Agent sessions (1-3 per customer, started within the last 90 days),
-- messages (5-30 per session, minutes apart) and approvals (0-2 per session).
-- ---------------------------------------------------------------------------

CREATE TEMP TABLE bench_sessions AS
SELECT i, s, i || ':' || s AS key, pg_temp.uid('ses', i || ':' || s) AS id,
       now() - interval '1 minute' * pg_temp.ri('sstart:' || i || ':' || s, 120, 90 * 24 * 60) AS started,
       pg_temp.ri('nmsg:' || i || ':' || s, 5, 30) AS nmsg
FROM generate_series(1, 10000) i
CROSS JOIN LATERAL generate_series(1, pg_temp.ri('nses:' || i, 1, 3)) s;

INSERT INTO agent_sessions (id, customer_id, user_id, status, active_agent, deployed_agents,
                            context, created_at, updated_at, ended_at)
SELECT b.id,
       pg_temp.uid('cust', i::text),
       pg_temp.uid('csm', pg_temp.csm_of(i)::text),
       CASE WHEN b.started > now() - interval '2 days' THEN 'active' ELSE 'completed' END,
       pg_temp.pick('sag:' || b.key, pg_temp.v_agents()),
       ARRAY[pg_temp.pick('sag:' || b.key, pg_temp.v_agents()),
             pg_temp.pick('sag2:' || b.key, pg_temp.v_agents())],
       jsonb_build_object('channel', pg_temp.pick('sch:' || b.key, ARRAY['web', 'slack', 'email'])),
       b.started,
       b.started + interval '1 minute' * 3 * b.nmsg,
       CASE WHEN b.started > now() - interval '2 days' THEN NULL
            ELSE b.started + interval '1 minute' * 3 * b.nmsg END
FROM bench_sessions b;

INSERT INTO agent_messages (id, session_id, agent_id, role, content, thinking, requires_approval,
                            deployed_agent, tool_calls, metadata, created_at)
SELECT pg_temp.uid('msg', mm.mk),
       b.id,
       CASE WHEN m % 2 = 0 THEN pg_temp.pick('sag:' || b.key, pg_temp.v_agents()) END,
       CASE WHEN m = 1 THEN 'system' WHEN m % 2 = 0 THEN 'agent' ELSE 'user' END,
       pg_temp.pick('mc1:' || mm.mk, pg_temp.v_phrases()) || ' ' ||
         pg_temp.pick('mc2:' || mm.mk, pg_temp.v_phrases()) || ' ' ||
         pg_temp.pick('mc3:' || mm.mk, pg_temp.v_phrases()),
       m % 2 = 0 AND pg_temp.h('think:' || mm.mk) < 0.1,
       m % 2 = 0 AND pg_temp.h('rqa:' || mm.mk) < 0.05,
       CASE WHEN m % 2 = 0 THEN pg_temp.pick('sag2:' || b.key, pg_temp.v_agents()) END,
       CASE WHEN m % 2 = 0 AND pg_temp.h('tool:' || mm.mk) < 0.2
            THEN '[{"name": "lookup_customer", "arguments": {}}]'::jsonb END,
       '{}'::jsonb,
       b.started + interval '1 minute' * (3 * m + pg_temp.ri('mjit:' || mm.mk, 0, 2))
FROM bench_sessions b
CROSS JOIN LATERAL (SELECT m, b.key || ':' || m AS mk FROM generate_series(1, b.nmsg) m OFFSET 0) mm;

INSERT INTO approvals (id, session_id, agent_id, action, details, status, resolved_by, resolved_at,
                       comment, metadata, created_at)
SELECT pg_temp.uid('apr', aa.ak),
       b.id,
       pg_temp.pick('sag:' || b.key, pg_temp.v_agents()),
       pg_temp.pick('aact:' || aa.ak,
                    ARRAY['send_email', 'schedule_meeting', 'update_crm', 'create_task', 'share_document']),
       pg_temp.pick('adet:' || aa.ak, pg_temp.v_phrases()),
       st.status,
       CASE WHEN st.status <> 'pending' THEN pg_temp.uid('csm', pg_temp.csm_of(b.i)::text) END,
       CASE WHEN st.status <> 'pending' THEN b.started + interval '2 hours' END,
       CASE WHEN st.status = 'rejected' THEN 'Not now.' END,
       '{}'::jsonb,
       b.started + interval '1 minute' * (10 + a)
FROM bench_sessions b
CROSS JOIN LATERAL (SELECT a, b.key || ':' || a AS ak FROM generate_series(1, pg_temp.ri('napr:' || b.key, 0, 2)) a OFFSET 0) aa
CROSS JOIN LATERAL (SELECT pg_temp.pick('astat:' || aa.ak,
                                        ARRAY['pending', 'approved', 'approved', 'rejected']) AS status) st;

-- ---------------------------------------------------------------------------
-- Meetings (2-8 per customer, -90..+14 days, 3% unscheduled), one transcript
-- each, 1-4 insights each. About a third refer to the customer's first session.
-- ---------------------------------------------------------------------------

CREATE TEMP TABLE bench_meetings AS
SELECT i, k, i || ':' || k AS key,
       CASE WHEN pg_temp.h('mnull:' || i || ':' || k) < 0.03 THEN NULL
            ELSE now() - interval '1 minute' * pg_temp.ri('msch:' || i || ':' || k, -14 * 24 * 60, 90 * 24 * 60)
       END AS scheduled
FROM generate_series(1, 10000) i
CROSS JOIN LATERAL generate_series(1, pg_temp.ri('nmeet:' || i, 2, 8)) k;

INSERT INTO meetings (id, customer_id, session_id, title, description, scheduled_at, duration,
                      status, meeting_url, calendar_event_id, attendees, agenda, metadata,
                      created_at, updated_at)
SELECT pg_temp.uid('mtg', key),
       pg_temp.uid('cust', i::text),
       CASE WHEN pg_temp.h('mses:' || key) < 0.33 THEN pg_temp.uid('ses', i || ':1') END,
       pg_temp.pick('mtitle:' || key,
                    ARRAY['Kickoff', 'Weekly sync', 'QBR', 'Renewal discussion', 'Training session',
                          'Technical deep dive', 'Executive check-in', 'Escalation review']),
       pg_temp.pick('mdesc:' || key, pg_temp.v_phrases()),
       scheduled,
       pg_temp.pick('mdur:' || key, ARRAY['30', '30', '45', '60', '90'])::integer,
       CASE WHEN scheduled IS NULL THEN 'draft'
            WHEN scheduled > now() THEN 'scheduled' ELSE 'completed' END,
       'https://meet.example.com/' || substr(md5('murl:' || key), 1, 10),
       substr(md5('mcal:' || key), 1, 20),
       jsonb_build_array(pg_temp.pick('ma1:' || key, pg_temp.v_first()),
                         pg_temp.pick('ma2:' || key, pg_temp.v_first())),
       '["status", "risks", "next steps"]'::jsonb,
       '{}'::jsonb,
       coalesce(scheduled, now()) - interval '7 days',
       coalesce(scheduled, now()) - interval '1 day'
FROM bench_meetings;


INSERT INTO transcripts (id, meeting_id, content, duration, speakers, word_count, language,
                         metadata, created_at)
SELECT pg_temp.uid('trn', key),
       pg_temp.uid('mtg', key),
       t.content,
       pg_temp.ri('tdur:' || key, 900, 5400),
       '["CSM", "Customer"]'::jsonb,
       length(t.content) - length(replace(t.content, ' ', '')) + 1,
       'en',
       '{}'::jsonb,
       coalesce(scheduled, now()) + interval '1 hour'
FROM bench_meetings
CROSS JOIN LATERAL (SELECT pg_temp.ri('tst:' || key, 1, 37) AS first_line,
                           pg_temp.ri('tlen:' || key, 8, 30) AS lines) r
CROSS JOIN LATERAL (SELECT array_to_string((pg_temp.v_transcript_lines())[r.first_line:r.first_line + r.lines - 1],
                                           E'\n') AS content) t;

INSERT INTO insights (id, customer_id, meeting_id, source, type, content, importance, owner,
                      due_date, status, metadata, created_at)
SELECT pg_temp.uid('ins', nn.nk),
       pg_temp.uid('cust', i::text),
       pg_temp.uid('mtg', key),
       'meeting',
       pg_temp.pick('itype:' || nn.nk, pg_temp.v_insight_types()),
       pg_temp.pick('icont:' || nn.nk, pg_temp.v_phrases()),
       pg_temp.pick('iimp:' || nn.nk, ARRAY['low', 'medium', 'medium', 'high']),
       CASE WHEN pg_temp.h('iown:' || nn.nk) < 0.5
            THEN pg_temp.pick('iownn:' || nn.nk, pg_temp.v_first()) END,
       CASE WHEN pg_temp.h('idue:' || nn.nk) < 0.4
            THEN (coalesce(scheduled, now()) + interval '14 days')::date END,
       pg_temp.pick('istat:' || nn.nk, ARRAY['open', 'open', 'in_progress', 'done']),
       '{}'::jsonb,
       coalesce(scheduled, now()) + interval '2 hours'
FROM bench_meetings
CROSS JOIN LATERAL (SELECT n, key || ':' || n AS nk FROM generate_series(1, pg_temp.ri('nins:' || key, 1, 4)) n OFFSET 0) nn;

-- ---------------------------------------------------------------------------
-- Training: 10 modules; progress for the first 1-2 stakeholders of ~60% of
-- the customers, 1-5 modules each (5% of the progress values NULL).
-- ---------------------------------------------------------------------------

INSERT INTO training_modules (id, title, description, content, duration, level, category,
                             prerequisites, is_active, metadata, created_at, updated_at)
SELECT pg_temp.uid('mod', m::text),
       (ARRAY['Getting started', 'Admin basics', 'Dashboards', 'Reporting', 'Integrations',
              'Automation', 'Security and SSO', 'Advanced analytics', 'API fundamentals',
              'Best practices'])[m],
       'Module ' || m,
       repeat('Lesson text. ', 50),
       15 * (1 + m % 4),
       (ARRAY['beginner', 'intermediate', 'advanced'])[1 + m % 3],
       (ARRAY['product', 'admin', 'technical'])[1 + m % 3],
       CASE WHEN m > 1 THEN ARRAY[pg_temp.uid('mod', (m - 1)::text)] END,
       m <> 10,
       '{}'::jsonb,
       now() - interval '1 year', now() - interval '1 year'
FROM generate_series(1, 10) m;

INSERT INTO training_progress (id, customer_id, stakeholder_id, module_id, status, progress,
                               started_at, completed_at, score, metadata, created_at, updated_at)
SELECT pg_temp.uid('tpr', i || ':' || k || ':' || mo),
       pg_temp.uid('cust', i::text),
       pg_temp.uid('stk', i || ':' || k),
       pg_temp.uid('mod', mo::text),
       CASE WHEN p.progress IS NULL OR p.progress = 0 THEN 'not_started'
            WHEN p.progress = 100 THEN 'completed' ELSE 'in_progress' END,
       p.progress,
       CASE WHEN p.progress > 0 THEN now() - interval '1 day' * pg_temp.ri('tps:' || i || ':' || k || ':' || mo, 10, 120) END,
       CASE WHEN p.progress = 100 THEN now() - interval '1 day' * pg_temp.ri('tpc:' || i || ':' || k || ':' || mo, 0, 9) END,
       CASE WHEN p.progress = 100 THEN pg_temp.ri('tpsc:' || i || ':' || k || ':' || mo, 60, 100) END,
       '{}'::jsonb,
       now() - interval '120 days',
       now() - interval '1 day' * pg_temp.ri('tpu:' || i || ':' || k || ':' || mo, 0, 30)
FROM generate_series(1, 10000) i
CROSS JOIN LATERAL generate_series(1, LEAST(pg_temp.ri('ntps:' || i, 1, 2), pg_temp.ri('nstk:' || i, 2, 6))) k
CROSS JOIN LATERAL (SELECT DISTINCT 1 + (pg_temp.ri('tpm:' || i || ':' || k || ':' || j, 0, 9)) AS mo
                    FROM generate_series(1, pg_temp.ri('ntpm:' || i || ':' || k, 1, 5)) j) mods
CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.h('tpn:' || i || ':' || k || ':' || mo) < 0.05 THEN NULL
                                WHEN pg_temp.h('tpd:' || i || ':' || k || ':' || mo) < 0.25 THEN 100
                                ELSE 5 * pg_temp.ri('tpv:' || i || ':' || k || ':' || mo, 0, 20) END AS progress) p
WHERE pg_temp.h('tp:' || i) < 0.6;

-- ---------------------------------------------------------------------------
-- Knowledge base (200 articles, embedding NULL) and activity log (0-9 rows
-- per customer over the last 90 days).
-- ---------------------------------------------------------------------------

INSERT INTO knowledge_base (id, title, content, category, tags, is_public, view_count,
                            helpful_count, metadata, created_at, updated_at)
SELECT pg_temp.uid('kb', a::text),
       'Article ' || a || ': ' || pg_temp.pick('kbt:' || a, pg_temp.v_phrases()),
       repeat(pg_temp.pick('kbc:' || a, pg_temp.v_phrases()) || ' ', 20),
       pg_temp.pick('kbcat:' || a, ARRAY['onboarding', 'renewal', 'adoption', 'support', 'product']),
       ARRAY[pg_temp.pick('kbtag1:' || a, ARRAY['sso', 'api', 'billing', 'reporting', 'security']),
             pg_temp.pick('kbtag2:' || a, ARRAY['admin', 'beginner', 'advanced', 'faq'])],
       pg_temp.h('kbpub:' || a) < 0.9,
       pg_temp.ri('kbv:' || a, 0, 5000),
       pg_temp.ri('kbh:' || a, 0, 500),
       '{}'::jsonb,
       now() - interval '1 day' * pg_temp.ri('kbcat2:' || a, 30, 700),
       now() - interval '1 day' * pg_temp.ri('kbuat:' || a, 0, 30)
FROM generate_series(1, 200) a;

INSERT INTO activity_log (id, user_id, customer_id, action, entity_type, entity_id, old_values,
                          new_values, ip_address, user_agent, created_at)
SELECT pg_temp.uid('act', i || ':' || n),
       pg_temp.uid('csm', pg_temp.csm_of(i)::text),
       pg_temp.uid('cust', i::text),
       pg_temp.pick('aa:' || i || ':' || n, ARRAY['view', 'update', 'create', 'approve', 'export']),
       pg_temp.pick('aet:' || i || ':' || n, ARRAY['customer', 'stakeholder', 'contract', 'meeting']),
       pg_temp.uid('cust', i::text),
       CASE WHEN pg_temp.h('aov:' || i || ':' || n) < 0.3 THEN '{"stage": "onboarding"}'::jsonb END,
       CASE WHEN pg_temp.h('aov:' || i || ':' || n) < 0.3 THEN '{"stage": "active"}'::jsonb END,
       ('10.' || pg_temp.ri('ip1:' || i || ':' || n, 0, 255) || '.' ||
        pg_temp.ri('ip2:' || i || ':' || n, 0, 255) || '.' || pg_temp.ri('ip3:' || i || ':' || n, 1, 254))::inet,
       'Mozilla/5.0 (bench)',
       now() - interval '1 minute' * pg_temp.ri('aat:' || i || ':' || n, 0, 90 * 24 * 60)
FROM generate_series(1, 10000) i
CROSS JOIN LATERAL generate_series(1, pg_temp.ri('nact:' || i, 0, 9)) n;

-- Every foreign key, checked in bulk (the RI triggers were skipped above).
-- MATCH SIMPLE: a row with a NULL in the key is not checked.
SET LOCAL session_replication_role = origin;
DO $$
DECLARE
  fk record;
  matches text;
  not_null text;
  bad bigint;
BEGIN
  FOR fk IN
    SELECT con.conname, con.conrelid::regclass AS child, con.confrelid::regclass AS parent,
           array_agg(a.attname::text ORDER BY k.ord) AS child_cols,
           array_agg(pa.attname::text ORDER BY k.ord) AS parent_cols
    FROM pg_catalog.pg_constraint con
    CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(child_att, parent_att, ord)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.child_att
    JOIN pg_catalog.pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = k.parent_att
    WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace
    GROUP BY con.oid, con.conname, con.conrelid, con.confrelid
  LOOP
    SELECT string_agg(format('p.%I = c.%I', pc, cc), ' AND '),
           string_agg(format('c.%I IS NOT NULL', cc), ' AND ')
      INTO matches, not_null
      FROM unnest(fk.parent_cols, fk.child_cols) AS u(pc, cc);
    EXECUTE format('SELECT count(*) FROM %s c WHERE %s AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s)',
                   fk.child, not_null, fk.parent, matches) INTO bad;
    IF bad > 0 THEN
      RAISE EXCEPTION 'generate.sql: % rows of % violate %', bad, fk.child, fk.conname;
    END IF;
  END LOOP;
END
$$;

COMMIT;

-- Hint bits and the visibility map (index-only scans), then statistics.
VACUUM;
ANALYZE;
