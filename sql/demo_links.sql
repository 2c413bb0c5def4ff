-- Demo data, part 2 of 2: rows that point at what the sample documents
-- created (stakeholders), and the health scores that read them. Runs as
-- superuser after src/app/demo_data.cpp has stored the samples.

INSERT INTO training_progress (id, customer_id, stakeholder_id, module_id, status, progress, started_at,
                               completed_at, score) VALUES
  ('7b000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001',
   (SELECT id FROM stakeholders WHERE email = 'priya.nair@acme.example'), '7d000000-0000-4000-8000-000000000001', 'completed', 100,
   now() - interval '60 days', now() - interval '55 days', 92),
  ('7b000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001',
   (SELECT id FROM stakeholders WHERE email = 'priya.nair@acme.example'), '7d000000-0000-4000-8000-000000000002', 'in_progress', 60,
   now() - interval '20 days', NULL, NULL),
  ('7b000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000001',
   (SELECT id FROM stakeholders WHERE email = 'marcus.webb@acme.example'), '7d000000-0000-4000-8000-000000000003', 'in_progress', 30,
   now() - interval '9 days', NULL, NULL),
  ('7b000000-0000-4000-8000-000000000004', 'c0000000-0000-4000-8000-000000000002',
   (SELECT id FROM stakeholders WHERE email = 'amara.osei@globex.example'), '7d000000-0000-4000-8000-000000000001', 'in_progress', 40,
   now() - interval '2 days', NULL, NULL),
  ('7b000000-0000-4000-8000-000000000005', 'c0000000-0000-4000-8000-000000000003',
   (SELECT id FROM stakeholders WHERE email = 'joanna.park@initech.example'), '7d000000-0000-4000-8000-000000000001', 'completed', 100,
   now() - interval '200 days', now() - interval '190 days', 78),
  ('7b000000-0000-4000-8000-000000000006', 'c0000000-0000-4000-8000-000000000003',
   (SELECT id FROM stakeholders WHERE email = 'bill.lumbergh@initech.example'), '7d000000-0000-4000-8000-000000000001', 'not_started', 0,
   NULL, NULL, NULL),
  ('7b000000-0000-4000-8000-000000000007', 'c0000000-0000-4000-8000-000000000004',
   (SELECT id FROM stakeholders WHERE email = 'grace.liu@umbrella.example'), '7d000000-0000-4000-8000-000000000002', 'completed', 100,
   now() - interval '90 days', now() - interval '80 days', 95),
  ('7b000000-0000-4000-8000-000000000008', 'c0000000-0000-4000-8000-000000000004',
   (SELECT id FROM stakeholders WHERE email = 'tom.becker@umbrella.example'), '7d000000-0000-4000-8000-000000000003', 'completed', 100,
   now() - interval '70 days', now() - interval '65 days', 88),
  ('7b000000-0000-4000-8000-000000000009', 'c0000000-0000-4000-8000-000000000005',
   (SELECT id FROM stakeholders WHERE email = 'hiro.tanaka@stark.example'), '7d000000-0000-4000-8000-000000000001', 'in_progress', 50,
   now() - interval '30 days', NULL, NULL);

-- The pending demo approval, shaped as the built-in agent proposes (see
-- src/agents/agent_routes.cpp, kChat): the exact payload approving it runs
-- (keep the draft on the session), the evidence behind it, and an expiry a
-- week after it was proposed, so POST /api/agents/approve/:id works on it.
UPDATE approvals a SET metadata = a.metadata || jsonb_build_object(
    'customer_id', 'c0000000-0000-4000-8000-000000000002',
    'payload', jsonb_build_object(
      'customer_id', 'c0000000-0000-4000-8000-000000000002',
      'to', 'jonas.lindqvist@globex.example',
      'subject', 'Welcome to CSCX: your 12-week onboarding plan',
      'body', E'Hi Jonas,\n\nWelcome aboard. Attached is the 12-week onboarding plan we '
              'agreed at the kickoff; Amara is copied for the integration work.\n\nBest regards,\nAlice'),
    'evidence', jsonb_build_array(
      jsonb_build_object('type', 'customer', 'id', 'c0000000-0000-4000-8000-000000000002'),
      jsonb_build_object('type', 'stakeholder', 'id',
        (SELECT id FROM stakeholders WHERE email = 'jonas.lindqvist@globex.example'))),
    'expires_at', a.created_at + interval '7 days')
WHERE a.id = 'a9900000-0000-4000-8000-000000000001';

-- Usage the workspace API reports (GET /api/customers/:id: metadata.used
-- over quantity) for the countable entitlements the contracts gave:
-- a deterministic 35-95 % of each, from the entitlement's name and customer.
UPDATE entitlements e SET metadata = e.metadata || jsonb_build_object('used',
         round(e.quantity * (35 + abs(hashtext(c.company_name || e.name)) % 61) / 100.0))
FROM contracts c
WHERE c.id = e.contract_id AND e.quantity IS NOT NULL AND e.quantity > 1;
-- Health history for `cscx health backtest` (docs/health.md): earlier
-- contracts that ended as renewed or churned, and one snapshot a month per
-- customer for the two years before today, shaped as refreshes write them
-- (scorecard v1: (engagement + adoption) / 2). Engagement wanders
-- deterministically around each customer's level, so the backtest has real
-- overlap to judge rather than a perfect split.
INSERT INTO contracts (id, customer_id, company_name, arr, contract_term, start_date, end_date, status) VALUES
  ('c0c00000-0000-4000-8000-000000000101', 'c0000000-0000-4000-8000-000000000001', 'Acme Corporation', 200000, '12 months', current_date - 765, current_date - 400, 'renewed'),
  ('c0c00000-0000-4000-8000-000000000102', 'c0000000-0000-4000-8000-000000000001', 'Acme Corporation', 30000, '12 months', current_date - 565, current_date - 200, 'renewed'),
  ('c0c00000-0000-4000-8000-000000000103', 'c0000000-0000-4000-8000-000000000002', 'Globex Industries', 60000, 'pilot', current_date - 430, current_date - 250, 'renewed'),
  ('c0c00000-0000-4000-8000-000000000104', 'c0000000-0000-4000-8000-000000000002', 'Globex Industries', 45000, '12 months', current_date - 515, current_date - 150, 'churned'),
  ('c0c00000-0000-4000-8000-000000000105', 'c0000000-0000-4000-8000-000000000003', 'Initech', 24000, '12 months', current_date - 665, current_date - 300, 'churned'),
  ('c0c00000-0000-4000-8000-000000000106', 'c0000000-0000-4000-8000-000000000003', 'Initech', 12000, '12 months', current_date - 485, current_date - 120, 'churned'),
  ('c0c00000-0000-4000-8000-000000000107', 'c0000000-0000-4000-8000-000000000004', 'Umbrella Health', 550000, '12 months', current_date - 865, current_date - 500, 'renewed'),
  ('c0c00000-0000-4000-8000-000000000108', 'c0000000-0000-4000-8000-000000000004', 'Umbrella Health', 90000, '12 months', current_date - 545, current_date - 180, 'renewed'),
  ('c0c00000-0000-4000-8000-000000000109', 'c0000000-0000-4000-8000-000000000005', 'Stark Logistics', 40000, '12 months', current_date - 585, current_date - 220, 'churned'),
  ('c0c00000-0000-4000-8000-000000000110', 'c0000000-0000-4000-8000-000000000005', 'Stark Logistics', 160000, '12 months', current_date - 815, current_date - 450, 'renewed');

INSERT INTO health_snapshots (customer_id, computed_at, scorecard_version, score, computed_score, band,
                              completeness, measures)
SELECT h.id, t.at, 1, x.score, x.score,
       CASE WHEN x.score < 40 THEN 'red' WHEN x.score < 70 THEN 'yellow' ELSE 'green' END, 1,
       jsonb_build_object(
         'engagement', jsonb_build_object('value', x.e, 'weight', 1, 'contribution', x.e / 2,
           'has_data', true, 'as_of', t.at, 'stale', false,
           'inputs', jsonb_build_object('messages_30d', x.e / 10, 'messages_prev_30d', x.e / 10)),
         'adoption', jsonb_build_object('value', x.a, 'weight', 1, 'contribution', x.score - x.e / 2,
           'has_data', true, 'as_of', t.at, 'stale', false,
           'inputs', jsonb_build_object('average_progress', x.a, 'modules', 3)),
         'sentiment', jsonb_build_object('value', 0, 'weight', 0, 'contribution', 0, 'has_data', false,
           'as_of', NULL, 'stale', false,
           'inputs', jsonb_build_object('insights_90d', 0, 'concerns_and_risks_90d', 0)),
         'growth', jsonb_build_object('value', 0, 'weight', 0, 'contribution', 0, 'has_data', false,
           'as_of', NULL, 'stale', false,
           'inputs', jsonb_build_object('arr_latest', NULL, 'arr_previous', NULL)))
FROM (VALUES ('c0000000-0000-4000-8000-000000000001'::uuid, 68, 60),
             ('c0000000-0000-4000-8000-000000000002'::uuid, 52, 48),
             ('c0000000-0000-4000-8000-000000000003'::uuid, 22, 30),
             ('c0000000-0000-4000-8000-000000000004'::uuid, 84, 78),
             ('c0000000-0000-4000-8000-000000000005'::uuid, 40, 44)) h(id, e0, a0)
CROSS JOIN generate_series(1, 24) m
CROSS JOIN LATERAL (SELECT now() - make_interval(days => 30 * m) AS at) t
CROSS JOIN LATERAL (
  SELECT e, h.a0 AS a, (e + h.a0) / 2 AS score
  FROM (SELECT LEAST(100, GREATEST(0, h.e0 + abs(hashtext(h.id::text || m::text)) % 31 - 15)) AS e) y
) x;

SELECT update_health_score(id) FROM customers;
-- A current snapshot on top of the history (and the tasks it opens).
SELECT cscx_health.refresh();
