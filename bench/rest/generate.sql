-- bench/rest/generate.sql: data for the /rest/v1 benchmark (bench/rest/run.sh).
-- Run as superuser with psql on a freshly migrated, empty CSCX database:
--
--   psql -X -v ON_ERROR_STOP=1 -f bench/rest/generate.sql "$DATABASE_URL"
--
-- Shape:
--   50 CSMs in auth.users:   id = md5('csm:' || n)::uuid, n = 1..50
--   10,000 customers:        id = md5('cust:' || i)::uuid, i = 1..10000,
--                            owned by CSM 1 + (i - 1) % 50 (200 customers each)
--   per customer:            3-8 stakeholders; 1-3 contracts with 2-6
--                            entitlements each; 1-3 agent sessions
--                            (id md5('ses:' || i || ':' || s)::uuid, s = 1..n,
--                            every customer has s = 1) started in the last
--                            120 days with 4-40 messages each and 0-2
--                            approvals; 2-8 meetings (-120..+21 days, 3 %
--                            unscheduled) with a transcript for the held ones
--                            and 0-4 insights each; training_progress for the
--                            first 1-3 stakeholders on 1-4 of 12 modules (70 %
--                            of customers).
--   health_score:            update_all_health_scores() at the end (the same
--                            arithmetic as update_health_score).
-- bench/rest/run.sh relies on the CSM / customer / session numbering.
--
-- Deterministic: every id is md5() of a key, every value comes from random()
-- after setseed(), drawn in a fixed order (serial plans only: parallel query
-- is off), and timestamps are relative to now() (one transaction, one
-- anchor). Set-based: one INSERT ... SELECT generate_series per table, about
-- 10-20 s on an idle 2-core machine.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET jit = off;
SET max_parallel_workers_per_gather = 0;

BEGIN;
-- Rows are built consistent with every foreign key: the per-row RI and audit
-- triggers are skipped during the load (replica mode); the keys are checked
-- in bulk before COMMIT.
SET LOCAL session_replication_role = replica;
SELECT setseed(0.2024) \g /dev/null

-- r(a): a random element of a; ri(lo, hi): a random integer in [lo, hi].
CREATE FUNCTION pg_temp.r(a text[]) RETURNS text LANGUAGE sql VOLATILE
AS $$ SELECT a[1 + floor(random() * cardinality(a))::int] $$;
CREATE FUNCTION pg_temp.ri(lo int, hi int) RETURNS int LANGUAGE sql VOLATILE
AS $$ SELECT lo + floor(random() * (hi - lo + 1))::int $$;

-- Vocabularies. IMMUTABLE and called with a constant: the planner inlines
-- and folds words('x') into an array constant, and r()/ri() inline to plain
-- random() expressions.
CREATE FUNCTION pg_temp.words(n text) RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE n
    WHEN 'co1' THEN ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Wonka', 'Hooli', 'Vandelay',
                'Soylent', 'Cyberdyne', 'Tyrell', 'Aperture', 'Massive', 'Pied Piper', 'Dunder', 'Oscorp',
                'Nakatomi', 'Prestige', 'Blue Sun', 'Monarch', 'Virtucon', 'Gekko', 'Bluth', 'Sterling',
                'Axiom', 'Nimbus', 'Quantum', 'Polar', 'Redwood', 'Summit', 'Harbor', 'Atlas', 'Beacon',
                'Cobalt', 'Delta', 'Ember', 'Falcon', 'Granite', 'Helix', 'Iris', 'Juniper', 'Keystone',
                'Lumen', 'Meridian', 'Northwind', 'Orion', 'Pinnacle', 'Quartz', 'Riverbend']
    WHEN 'co2' THEN ARRAY['Logistics', 'Health', 'Systems', 'Analytics', 'Foods', 'Energy', 'Robotics', 'Media',
                'Capital', 'Labs', 'Retail', 'Networks', 'Pharma', 'Motors', 'Software', 'Aerospace',
                'Insurance', 'Biotech', 'Telecom', 'Consulting', 'Payments', 'Security', 'Cloud', 'Mobility']
    WHEN 'co3' THEN ARRAY['Inc', 'LLC', 'GmbH', 'Ltd', 'Corp', 'SA', 'Group', 'Holdings', 'AG', 'BV']
    WHEN 'industry' THEN ARRAY['SaaS', 'Healthcare', 'Fintech', 'Manufacturing', 'Retail', 'Logistics', 'Education',
                     'Media', 'Energy', 'Telecom', 'Insurance', 'Government']
    WHEN 'stage' THEN ARRAY['onboarding', 'onboarding', 'active', 'active', 'active', 'active', 'active', 'at_risk',
                  'renewal', 'expansion', 'churned', 'prospect']
    WHEN 'first' THEN ARRAY['Ada', 'Ben', 'Chen', 'Dana', 'Eli', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jia', 'Kofi',
                  'Lena', 'Mateo', 'Nia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma',
                  'Viktor', 'Wen', 'Xena', 'Yusuf', 'Zoe']
    WHEN 'last' THEN ARRAY['Garcia', 'Smith', 'Nguyen', 'Müller', 'Rossi', 'Kowalski', 'Okafor', 'Tanaka', 'Silva',
                 'Kim', 'Haddad', 'Novak', 'Johansson', 'Patel', 'Dubois', 'Ivanova', 'Mensah', 'Larsen']
    WHEN 'role' THEN ARRAY['CEO', 'CTO', 'VP Engineering', 'VP Customer Success', 'Head of Operations', 'IT Admin',
                 'Procurement', 'Champion', 'Product Manager', 'Data Lead', 'Finance Director']
    WHEN 'sentiment' THEN ARRAY['positive', 'positive', 'neutral', 'neutral', 'neutral', 'negative']
    WHEN 'agent' THEN ARRAY['onboarding', 'adoption', 'renewal', 'risk', 'strategic', 'training', 'support']
    WHEN 'phrase' THEN ARRAY['We reviewed the rollout plan for the second region.',
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
                   'Pricing concerns were raised by procurement.']
    WHEN 'entitlement' THEN ARRAY['Platform seats', 'Analytics add-on', 'API calls', 'Premium support', 'Storage',
                        'Sandbox environments', 'SSO', 'Audit log retention', 'Training hours']
    WHEN 'meeting' THEN ARRAY['Kickoff', 'Weekly sync', 'QBR', 'Renewal discussion', 'Training session',
                    'Executive review', 'Technical deep dive', 'Escalation call']
    WHEN 'insight' THEN ARRAY['decision', 'action_item', 'action_item', 'concern', 'quote', 'sentiment']
  END $$;

-- ---------------------------------------------------------------------------
-- CSMs, customers and the per-customer child counts.
-- ---------------------------------------------------------------------------

INSERT INTO auth.users (id, email, aud, role, created_at, updated_at, email_confirmed_at,
                        raw_user_meta_data)
SELECT md5('csm:' || n)::uuid, 'csm' || n || '@cscx.example', 'authenticated', 'authenticated',
       now() - interval '2 years', now() - interval '2 years', now() - interval '2 years',
       jsonb_build_object('full_name', pg_temp.r(pg_temp.words('first')) || ' ' ||
                                       pg_temp.r(pg_temp.words('last')))
FROM generate_series(1, 50) n;

CREATE TEMP TABLE c AS
SELECT i, md5('cust:' || i)::uuid AS id, 1 + (i - 1) % 50 AS csm,
       pg_temp.ri(3, 8) AS n_stk, pg_temp.ri(1, 3) AS n_con, pg_temp.ri(1, 3) AS n_ses,
       pg_temp.ri(2, 8) AS n_mtg, CASE WHEN random() < 0.7 THEN pg_temp.ri(1, 4) ELSE 0 END AS n_mod
FROM generate_series(1, 10000) i;

INSERT INTO customers (id, name, arr, industry, stage, health_score, csm_id, salesforce_id,
                       hubspot_id, metadata, created_at, updated_at)
SELECT c.id,
       pg_temp.r(pg_temp.words('co1')) || ' ' || pg_temp.r(pg_temp.words('co2')) || ' ' ||
         pg_temp.r(pg_temp.words('co3')),
       CASE WHEN random() < 0.04 THEN NULL
            ELSE round((5000 * power(200, random()))::numeric, -2) END,  -- 5k .. 1M, skewed low
       pg_temp.r(pg_temp.words('industry')),
       pg_temp.r(pg_temp.words('stage')),
       NULL,
       md5('csm:' || c.csm)::uuid,
       '0016' || upper(substr(md5('sf:' || c.i), 1, 11)),
       CASE WHEN random() < 0.5 THEN (200000 + c.i)::text END,
       jsonb_build_object('tier', pg_temp.r(ARRAY['smb', 'mid', 'mid', 'enterprise']),
                          'region', pg_temp.r(ARRAY['emea', 'amer', 'apac'])),
       now() - interval '1 day' * pg_temp.ri(120, 1500),
       now() - interval '1 hour' * pg_temp.ri(0, 24 * 60)
FROM c
ORDER BY c.i;

-- ---------------------------------------------------------------------------
-- Stakeholders, contracts, entitlements.
-- ---------------------------------------------------------------------------

INSERT INTO stakeholders (id, customer_id, name, role, email, phone, linkedin_url, is_primary,
                          sentiment, notes, metadata, created_at, updated_at)
SELECT md5('stk:' || c.i || ':' || k)::uuid, c.id, nm.fn || ' ' || nm.ln,
       pg_temp.r(pg_temp.words('role')),
       lower(nm.fn) || '.' || lower(nm.ln) || '@customer' || c.i || '.example.com',
       CASE WHEN random() < 0.6 THEN '+1-555-' || lpad(pg_temp.ri(0, 9999)::text, 4, '0') END,
       CASE WHEN random() < 0.5 THEN 'https://www.linkedin.com/in/' || lower(nm.fn) || '-' || c.i || k END,
       k = 1,
       pg_temp.r(pg_temp.words('sentiment')),
       CASE WHEN random() < 0.4 THEN pg_temp.r(pg_temp.words('phrase')) END,
       jsonb_build_object('source', pg_temp.r(ARRAY['crm', 'manual', 'meeting'])),
       now() - interval '1 day' * pg_temp.ri(30, 900),
       now() - interval '1 day' * pg_temp.ri(0, 30)
FROM c
CROSS JOIN LATERAL generate_series(1, c.n_stk) k
CROSS JOIN LATERAL (SELECT pg_temp.r(pg_temp.words('first')) || substr('', k) AS fn,
                           pg_temp.r(pg_temp.words('last')) AS ln OFFSET 0) nm
ORDER BY c.i, k;

CREATE TEMP TABLE con AS
SELECT c.i, k, md5('con:' || c.i || ':' || k)::uuid AS id, c.id AS customer_id,
       pg_temp.ri(2, 6) AS n_ent, now() - interval '1 day' * pg_temp.ri(30, 1000) AS start
FROM c CROSS JOIN LATERAL generate_series(1, c.n_con) k
ORDER BY c.i, k;

INSERT INTO contracts (id, customer_id, file_url, file_name, raw_text, company_name, arr,
                       contract_term, start_date, end_date, status, parsed_data, pricing_terms,
                       technical_requirements, missing_info, next_steps, created_at, updated_at)
SELECT con.id, con.customer_id,
       'contracts/' || con.customer_id || '/' || con.k || '.pdf',
       'MSA-' || con.i || '-' || con.k || '.pdf',
       repeat(pg_temp.r(pg_temp.words('phrase')) || ' ', 40),
       cu.name,
       round((2000 + 400000 * random() ^ 2)::numeric, -2),
       t.term || ' months',
       con.start::date,
       (con.start + interval '1 month' * t.term)::date,
       CASE WHEN con.start + interval '1 month' * t.term < now() THEN 'expired'
            WHEN random() < 0.05 THEN 'draft' ELSE 'active' END,
       jsonb_build_object('seats', pg_temp.ri(10, 2000), 'auto_renew', random() < 0.6),
       jsonb_build_object('currency', 'USD', 'billing', pg_temp.r(ARRAY['annual', 'quarterly', 'monthly'])),
       jsonb_build_object('sso', random() < 0.5, 'regions', jsonb_build_array(pg_temp.r(ARRAY['eu', 'us', 'apac']))),
       CASE WHEN random() < 0.3 THEN '["billing contact"]'::jsonb END,
       jsonb_build_array(pg_temp.r(pg_temp.words('phrase'))),
       con.start, con.start + interval '1 day' * pg_temp.ri(0, 20)
FROM con
JOIN customers cu ON cu.id = con.customer_id
CROSS JOIN LATERAL (SELECT (ARRAY[12, 12, 24, 36])[pg_temp.ri(1, 4) + 0 * con.k] AS term OFFSET 0) t
ORDER BY con.i, con.k;

INSERT INTO entitlements (id, contract_id, name, description, quantity, unit, price, category,
                          metadata, created_at)
SELECT md5('ent:' || con.i || ':' || con.k || ':' || e)::uuid, con.id,
       pg_temp.r(pg_temp.words('entitlement')),
       CASE WHEN random() < 0.5 THEN pg_temp.r(pg_temp.words('phrase')) END,
       pg_temp.ri(1, 1000),
       pg_temp.r(ARRAY['seats', 'GB', 'calls', 'hours', 'units']),
       round((100 + 20000 * random())::numeric, 2),
       pg_temp.r(ARRAY['license', 'service', 'usage']),
       '{}', con.start
FROM con CROSS JOIN LATERAL generate_series(1, con.n_ent) e
ORDER BY con.i, con.k, e;

-- ---------------------------------------------------------------------------
-- Agent sessions, messages (minutes apart) and approvals.
-- ---------------------------------------------------------------------------

CREATE TEMP TABLE ses AS
SELECT c.i, s, md5('ses:' || c.i || ':' || s)::uuid AS id, c.id AS customer_id, c.csm,
       now() - interval '1 minute' * pg_temp.ri(60, 120 * 24 * 60) AS started,
       pg_temp.ri(4, 40) AS n_msg, pg_temp.ri(0, 2) AS n_apr,
       pg_temp.r(pg_temp.words('agent')) AS agent
FROM c CROSS JOIN LATERAL generate_series(1, c.n_ses) s
ORDER BY c.i, s;

INSERT INTO agent_sessions (id, customer_id, user_id, status, active_agent, deployed_agents,
                            context, created_at, updated_at, ended_at)
SELECT ses.id, ses.customer_id, md5('csm:' || ses.csm)::uuid,
       CASE WHEN ses.started > now() - interval '1 day' THEN 'active' ELSE 'completed' END,
       ses.agent, ARRAY[ses.agent, pg_temp.r(pg_temp.words('agent'))],
       jsonb_build_object('channel', pg_temp.r(ARRAY['web', 'slack', 'email'])),
       ses.started, ses.started + interval '2 minutes' * ses.n_msg,
       CASE WHEN ses.started <= now() - interval '1 day' THEN ses.started + interval '2 minutes' * ses.n_msg END
FROM ses
ORDER BY ses.i, ses.s;

INSERT INTO agent_messages (id, session_id, agent_id, role, content, thinking, requires_approval,
                            deployed_agent, tool_calls, metadata, created_at)
SELECT md5('msg:' || ses.i || ':' || ses.s || ':' || m)::uuid, ses.id,
       CASE WHEN m % 2 = 0 THEN ses.agent END,
       CASE WHEN m = 1 THEN 'system' WHEN m % 2 = 0 THEN 'agent' ELSE 'user' END,
       pg_temp.r(pg_temp.words('phrase')) || ' ' || pg_temp.r(pg_temp.words('phrase')),
       m % 2 = 0 AND random() < 0.1,
       m % 2 = 0 AND random() < 0.05,
       CASE WHEN m % 2 = 0 THEN ses.agent END,
       CASE WHEN m % 2 = 0 AND random() < 0.2
            THEN '[{"name": "lookup_customer", "arguments": {}}]'::jsonb END,
       '{}',
       ses.started + interval '2 minutes' * m + interval '1 second' * pg_temp.ri(0, 59)
FROM ses CROSS JOIN LATERAL generate_series(1, ses.n_msg) m
ORDER BY ses.i, ses.s, m;

INSERT INTO approvals (id, session_id, agent_id, action, details, status, resolved_by, resolved_at,
                       comment, metadata, created_at)
SELECT md5('apr:' || ses.i || ':' || ses.s || ':' || a)::uuid, ses.id, ses.agent,
       pg_temp.r(ARRAY['send_email', 'schedule_meeting', 'update_crm', 'create_task', 'share_document']),
       pg_temp.r(pg_temp.words('phrase')),
       st.status,
       CASE WHEN st.status <> 'pending' THEN md5('csm:' || ses.csm)::uuid END,
       CASE WHEN st.status <> 'pending' THEN ses.started + interval '2 hours' END,
       CASE WHEN st.status = 'rejected' THEN 'Not now.' END,
       '{}', ses.started + interval '10 minutes' * a
FROM ses CROSS JOIN LATERAL generate_series(1, ses.n_apr) a
CROSS JOIN LATERAL (SELECT pg_temp.r(ARRAY['pending', 'approved', 'approved', 'rejected']) || substr('', a) AS status OFFSET 0) st
ORDER BY ses.i, ses.s, a;

-- ---------------------------------------------------------------------------
-- Meetings, transcripts (held meetings), insights.
-- ---------------------------------------------------------------------------

CREATE TEMP TABLE mtg AS
SELECT c.i, k, md5('mtg:' || c.i || ':' || k)::uuid AS id, c.id AS customer_id, c.n_ses,
       CASE WHEN random() < 0.03 THEN NULL
            ELSE now() - interval '1 minute' * pg_temp.ri(-21 * 24 * 60, 120 * 24 * 60) END AS scheduled,
       pg_temp.ri(0, 4) AS n_ins, pg_temp.ri(1, 3 * c.n_ses) AS ses_pick
FROM c CROSS JOIN LATERAL generate_series(1, c.n_mtg) k
ORDER BY c.i, k;

INSERT INTO meetings (id, customer_id, session_id, title, description, scheduled_at, duration,
                      status, meeting_url, calendar_event_id, attendees, agenda, metadata,
                      created_at, updated_at)
SELECT mtg.id, mtg.customer_id,
       -- a third of the meetings come from one of the customer's agent sessions
       CASE WHEN mtg.ses_pick <= mtg.n_ses THEN md5('ses:' || mtg.i || ':' || mtg.ses_pick)::uuid END,
       pg_temp.r(pg_temp.words('meeting')),
       pg_temp.r(pg_temp.words('phrase')),
       mtg.scheduled,
       pg_temp.r(ARRAY['30', '30', '45', '60', '90'])::int,
       CASE WHEN mtg.scheduled IS NULL THEN 'draft' WHEN mtg.scheduled > now() THEN 'scheduled'
            ELSE 'completed' END,
       'https://meet.example.com/' || substr(md5('murl:' || mtg.i || ':' || mtg.k), 1, 12),
       substr(md5('mcal:' || mtg.i || ':' || mtg.k), 1, 20),
       jsonb_build_array(pg_temp.r(pg_temp.words('first')), pg_temp.r(pg_temp.words('first'))),
       jsonb_build_array(pg_temp.r(pg_temp.words('phrase'))),
       '{}',
       coalesce(mtg.scheduled, now()) - interval '7 days',
       coalesce(mtg.scheduled, now()) - interval '1 day'
FROM mtg
ORDER BY mtg.i, mtg.k;

INSERT INTO transcripts (id, meeting_id, content, duration, speakers, word_count, language,
                         metadata, created_at)
SELECT md5('trn:' || mtg.i || ':' || mtg.k)::uuid, mtg.id, t.content,
       pg_temp.ri(900, 5400) + 0 * length(t.content),
       '["CSM", "Customer"]',
       array_length(regexp_split_to_array(t.content, '\s+'), 1),
       'en', '{}', mtg.scheduled + interval '1 hour'
FROM mtg
CROSS JOIN LATERAL (
  SELECT string_agg(CASE WHEN l % 2 = 0 THEN 'CSM: ' ELSE 'Customer: ' END ||
                    pg_temp.r(pg_temp.words('phrase')), E'\n' ORDER BY l) AS content
  FROM generate_series(1, pg_temp.ri(8, 30) + 0 * mtg.k) l) t
WHERE mtg.scheduled < now()
ORDER BY mtg.i, mtg.k;

INSERT INTO insights (id, customer_id, meeting_id, source, type, content, importance, owner,
                      due_date, status, metadata, created_at)
SELECT md5('ins:' || mtg.i || ':' || mtg.k || ':' || n)::uuid, mtg.customer_id, mtg.id,
       'meeting',
       pg_temp.r(pg_temp.words('insight')),
       pg_temp.r(pg_temp.words('phrase')),
       pg_temp.r(ARRAY['low', 'medium', 'medium', 'high']),
       CASE WHEN random() < 0.5 THEN pg_temp.r(pg_temp.words('first')) END,
       CASE WHEN random() < 0.4 THEN (coalesce(mtg.scheduled, now()) + interval '14 days')::date END,
       pg_temp.r(ARRAY['open', 'open', 'in_progress', 'done']),
       '{}', coalesce(mtg.scheduled, now()) + interval '2 hours'
FROM mtg CROSS JOIN LATERAL generate_series(1, mtg.n_ins) n
ORDER BY mtg.i, mtg.k, n;

-- ---------------------------------------------------------------------------
-- Training: 12 modules; progress of the first 1-3 stakeholders of 70 % of the
-- customers on their first 1-4 modules (5 % NULL progress).
-- ---------------------------------------------------------------------------

INSERT INTO training_modules (id, title, description, content, duration, level, category,
                              prerequisites, is_active, metadata, created_at, updated_at)
SELECT md5('mod:' || m)::uuid,
       (ARRAY['Getting started', 'Admin basics', 'Dashboards', 'Reporting', 'Integrations', 'SSO setup',
              'Data exports', 'Automation', 'API essentials', 'Security', 'Advanced analytics',
              'Train the trainer'])[m],
       'Module ' || m || ' of the customer academy.', repeat('Lesson text. ', 50),
       15 * (1 + m % 4),
       (ARRAY['beginner', 'intermediate', 'advanced'])[1 + m % 3],
       (ARRAY['product', 'admin', 'technical'])[1 + m % 3],
       CASE WHEN m > 1 THEN ARRAY[md5('mod:' || (m - 1))::uuid] END,
       m <> 12, '{}', now() - interval '1 year', now() - interval '1 year'
FROM generate_series(1, 12) m;

INSERT INTO training_progress (id, customer_id, stakeholder_id, module_id, status, progress,
                               started_at, completed_at, score, metadata, created_at, updated_at)
SELECT md5('tp:' || c.i || ':' || k || ':' || m)::uuid, c.id, md5('stk:' || c.i || ':' || k)::uuid,
       md5('mod:' || m)::uuid,
       CASE WHEN p.progress IS NULL THEN 'not_started' WHEN p.progress >= 100 THEN 'completed'
            ELSE 'in_progress' END,
       p.progress,
       now() - interval '1 day' * 60,
       CASE WHEN p.progress >= 100 THEN now() - interval '1 day' * 10 END,
       CASE WHEN p.progress >= 100 THEN pg_temp.ri(60, 100) END,
       '{}', now() - interval '1 day' * 60, now() - interval '1 day' * 5
FROM c
CROSS JOIN LATERAL generate_series(1, least(c.n_stk, 1 + c.i % 3)) k
CROSS JOIN LATERAL generate_series(1, c.n_mod) m
CROSS JOIN LATERAL (SELECT CASE WHEN random() < 0.05 THEN NULL
                                ELSE least(100, pg_temp.ri(0, 120)) END + 0 * m AS progress OFFSET 0) p
WHERE c.n_mod > 0
ORDER BY c.i, k, m;

-- health_score as the application computes it (superuser: the set-based plan).
SELECT update_all_health_scores() \g /dev/null

-- ---------------------------------------------------------------------------
-- Every foreign key of public, checked in bulk (the load skipped RI triggers).
-- ---------------------------------------------------------------------------
DO $$
DECLARE
  fk record;
  bad bigint;
BEGIN
  FOR fk IN
    SELECT con.conname, con.conrelid::regclass AS child, con.confrelid::regclass AS parent,
           (SELECT string_agg(format('c.%I', a.attname), ', ' ORDER BY k.n)
              FROM unnest(con.conkey) WITH ORDINALITY k(att, n)
              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.att) AS ccols,
           (SELECT string_agg(format('p.%I', a.attname), ', ' ORDER BY k.n)
              FROM unnest(con.confkey) WITH ORDINALITY k(att, n)
              JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.att) AS pcols
    FROM pg_constraint con
    WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace
  LOOP
    EXECUTE format('SELECT count(*) FROM %s c WHERE (%s) IS NOT NULL '
                   'AND NOT EXISTS (SELECT 1 FROM %s p WHERE (%s) = (%s))',
                   fk.child, fk.ccols, fk.parent, fk.pcols, fk.ccols) INTO bad;
    IF bad > 0 THEN
      RAISE EXCEPTION 'generate.sql: % rows of % violate %', bad, fk.child, fk.conname;
    END IF;
  END LOOP;
END
$$;

COMMIT;

VACUUM (ANALYZE);
