-- Demo data for `cscx serve` on an empty database. Run as superuser in one
-- transaction, after the migrations. Deterministic: fixed UUIDs; times are
-- relative to now() / current_date.
--
-- Two CSMs, password demo-password-123: alice (Acme, Globex, Initech) and bob (Umbrella Health, Stark
-- Logistics). UUID prefixes name the table: a11ce/b0b0 users, c000 customers,
-- d000 stakeholders, c0c0 contracts, e000 entitlements, 5e55 sessions, 5e5a
-- messages, a990 approvals, 3ee7 meetings, 7a00 transcripts, 1a00 insights,
-- 7d00 modules, 7b00 progress, cb00 knowledge base.

INSERT INTO auth.users (id, email, raw_user_meta_data, role) VALUES
  ('a11ce000-0000-4000-8000-000000000001', 'alice@demo.cscx.ai',
   '{"full_name": "Alice Moreau", "title": "Senior CSM"}', 'authenticated'),
  ('b0b00000-0000-4000-8000-000000000002', 'bob@demo.cscx.ai',
   '{"full_name": "Bob Okafor", "title": "CSM"}', 'authenticated')
ON CONFLICT (id) DO NOTHING;

-- Both demo CSMs sign in with the password "demo-password-123" (Argon2id,
-- as /auth/v1 stores it; columns from migrations/003_auth.sql).
UPDATE auth.users SET
  aud = 'authenticated',
  encrypted_password = '$argon2id$v=19$m=19456,t=2,p=1$rpK3xdJfIyvKi/koR9yzYw$It616YiXjnLKePeOwQs7hLX43dbxY+8z+6s76exDq1E',
  email_confirmed_at = now(),
  raw_app_meta_data = '{"provider": "email", "providers": ["email"]}'
WHERE id IN ('a11ce000-0000-4000-8000-000000000001', 'b0b00000-0000-4000-8000-000000000002');

INSERT INTO customers (id, name, arr, industry, stage, csm_id, salesforce_id, hubspot_id, metadata) VALUES
  ('c0000000-0000-4000-8000-000000000001', 'Acme Corporation', 240000, 'Manufacturing', 'active',
   'a11ce000-0000-4000-8000-000000000001', '0015g00000ACME01', 'hs-1001',
   '{"segment": "mid-market", "region": "NA", "employees": 1800}'),
  ('c0000000-0000-4000-8000-000000000002', 'Globex Industries', 480000, 'Technology', 'onboarding',
   'a11ce000-0000-4000-8000-000000000001', '0015g00000GLBX02', 'hs-1002',
   '{"segment": "enterprise", "region": "EMEA", "employees": 5200}'),
  ('c0000000-0000-4000-8000-000000000003', 'Initech', 96000, 'Financial Services', 'at_risk',
   'a11ce000-0000-4000-8000-000000000001', '0015g00000INIT03', NULL,
   '{"segment": "smb", "region": "NA", "employees": 340}'),
  ('c0000000-0000-4000-8000-000000000004', 'Umbrella Health', 615000, 'Healthcare', 'active',
   'b0b00000-0000-4000-8000-000000000002', '0015g00000UMBR04', 'hs-1004',
   '{"segment": "enterprise", "region": "NA", "employees": 12000, "hipaa": true}'),
  ('c0000000-0000-4000-8000-000000000005', 'Stark Logistics', 180000, 'Logistics', 'renewal',
   'b0b00000-0000-4000-8000-000000000002', '0015g00000STRK05', 'hs-1005',
   '{"segment": "mid-market", "region": "APAC", "employees": 950}');

INSERT INTO stakeholders (id, customer_id, name, role, email, phone, linkedin_url, is_primary, sentiment, notes) VALUES
  ('d0000000-0000-4000-8000-000000000011', 'c0000000-0000-4000-8000-000000000001', 'Sarah Chen',
   'VP Operations', 'sarah.chen@acme.example', '+1 415 555 0111', 'https://www.linkedin.com/in/sarahchen-demo',
   TRUE, 'positive', 'Executive sponsor; renewed early last year.'),
  ('d0000000-0000-4000-8000-000000000012', 'c0000000-0000-4000-8000-000000000001', 'Marcus Webb',
   'IT Director', 'marcus.webb@acme.example', '+1 415 555 0112', NULL,
   FALSE, 'neutral', 'Owns the SSO rollout.'),
  ('d0000000-0000-4000-8000-000000000013', 'c0000000-0000-4000-8000-000000000001', 'Priya Nair',
   'Operations Analyst', 'priya.nair@acme.example', NULL, NULL,
   FALSE, 'positive', 'Power user, builds most dashboards.'),
  ('d0000000-0000-4000-8000-000000000021', 'c0000000-0000-4000-8000-000000000002', 'Jonas Lindqvist',
   'CTO', 'jonas.lindqvist@globex.example', '+46 8 555 0121', 'https://www.linkedin.com/in/jlindqvist-demo',
   TRUE, 'positive', 'Signed the contract; wants go-live before quarter end.'),
  ('d0000000-0000-4000-8000-000000000022', 'c0000000-0000-4000-8000-000000000002', 'Amara Osei',
   'Implementation Lead', 'amara.osei@globex.example', '+46 8 555 0122', NULL,
   FALSE, 'neutral', 'Day-to-day contact during onboarding.'),
  ('d0000000-0000-4000-8000-000000000031', 'c0000000-0000-4000-8000-000000000003', 'Bill Lumbergh',
   'Division VP', 'bill.lumbergh@initech.example', '+1 512 555 0131', NULL,
   TRUE, 'negative', 'Questions the value; budget review next month.'),
  ('d0000000-0000-4000-8000-000000000032', 'c0000000-0000-4000-8000-000000000003', 'Joanna Park',
   'Team Lead', 'joanna.park@initech.example', NULL, NULL,
   FALSE, 'neutral', 'Her team is the only active user group.'),
  ('d0000000-0000-4000-8000-000000000041', 'c0000000-0000-4000-8000-000000000004', 'Dr. Elena Ruiz',
   'Chief Medical Information Officer', 'elena.ruiz@umbrella.example', '+1 617 555 0141',
   'https://www.linkedin.com/in/elenaruiz-demo', TRUE, 'positive', 'Champion; presents our results to the board.'),
  ('d0000000-0000-4000-8000-000000000042', 'c0000000-0000-4000-8000-000000000004', 'Tom Becker',
   'Security & Compliance Manager', 'tom.becker@umbrella.example', '+1 617 555 0142', NULL,
   FALSE, 'neutral', 'Needs the annual HIPAA attestation.'),
  ('d0000000-0000-4000-8000-000000000043', 'c0000000-0000-4000-8000-000000000004', 'Grace Liu',
   'Clinical Systems Analyst', 'grace.liu@umbrella.example', NULL, NULL,
   FALSE, 'positive', NULL),
  ('d0000000-0000-4000-8000-000000000051', 'c0000000-0000-4000-8000-000000000005', 'Hiro Tanaka',
   'Head of Supply Chain', 'hiro.tanaka@stark.example', '+81 3 5550 0151', NULL,
   TRUE, 'neutral', 'Renewal decision maker; comparing two competitors.'),
  ('d0000000-0000-4000-8000-000000000052', 'c0000000-0000-4000-8000-000000000005', 'Olivia Grant',
   'Procurement Manager', 'olivia.grant@stark.example', '+81 3 5550 0152', NULL,
   FALSE, 'negative', 'Pushing for a 15% discount.');

INSERT INTO contracts (id, customer_id, file_url, file_name, raw_text, company_name, arr, contract_term,
                       start_date, end_date, status, parsed_data, pricing_terms, technical_requirements,
                       missing_info, next_steps) VALUES
  ('c0c00000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001',
   'demo://contracts/acme-msa.pdf', 'acme-msa.pdf',
   'Master Subscription Agreement between CSCX and Acme Corporation. Term: 24 months. Annual fee USD 240,000.',
   'Acme Corporation', 240000, '24 months', current_date - 400, current_date + 330, 'active',
   '{"customer": "Acme Corporation", "term_months": 24, "auto_renew": true}',
   '{"currency": "USD", "annual_fee": 240000, "billing": "annual", "uplift_pct": 5}',
   '{"sso": "SAML 2.0", "data_residency": "US"}',
   '[]',
   '["Plan renewal conversation 90 days before end date"]'),
  ('c0c00000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000002',
   'demo://contracts/globex-order-form.pdf', 'globex-order-form.pdf',
   'Order Form: Globex Industries subscribes to CSCX Enterprise for 36 months at EUR 440,000 per year.',
   'Globex Industries', 480000, '36 months', current_date - 20, current_date + 1075, 'active',
   '{"customer": "Globex Industries", "term_months": 36, "auto_renew": false}',
   '{"currency": "EUR", "annual_fee": 440000, "billing": "quarterly"}',
   '{"sso": "OIDC", "data_residency": "EU", "integrations": ["Salesforce", "Snowflake"]}',
   '["Named technical contact for the Snowflake integration"]',
   '["Schedule kickoff", "Provision sandbox", "Confirm data residency region"]'),
  ('c0c00000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000003',
   'demo://contracts/initech-renewal.pdf', 'initech-renewal.pdf',
   'Renewal agreement, Initech, 12 months, USD 96,000.',
   'Initech', 96000, '12 months', current_date - 300, current_date + 65, 'active',
   '{"customer": "Initech", "term_months": 12, "auto_renew": false}',
   '{"currency": "USD", "annual_fee": 96000, "billing": "annual"}',
   '{"sso": "none"}',
   '["Usage commitments for year two"]',
   '["Run value review with the Division VP"]'),
  ('c0c00000-0000-4000-8000-000000000004', 'c0000000-0000-4000-8000-000000000004',
   'demo://contracts/umbrella-msa.pdf', 'umbrella-msa.pdf',
   'Master Subscription Agreement and Business Associate Agreement, Umbrella Health, 36 months.',
   'Umbrella Health', 615000, '36 months', current_date - 540, current_date + 555, 'active',
   '{"customer": "Umbrella Health", "term_months": 36, "auto_renew": true, "baa": true}',
   '{"currency": "USD", "annual_fee": 615000, "billing": "annual"}',
   '{"sso": "SAML 2.0", "data_residency": "US", "hipaa": true, "audit_log_retention_days": 2190}',
   '[]',
   '["Deliver annual HIPAA attestation"]'),
  ('c0c00000-0000-4000-8000-000000000005', 'c0000000-0000-4000-8000-000000000005',
   'demo://contracts/stark-subscription.pdf', 'stark-subscription.pdf',
   'Subscription agreement, Stark Logistics, 12 months, USD 180,000, renewal option.',
   'Stark Logistics', 180000, '12 months', current_date - 340, current_date + 25, 'active',
   '{"customer": "Stark Logistics", "term_months": 12, "auto_renew": false}',
   '{"currency": "USD", "annual_fee": 180000, "billing": "annual"}',
   '{"sso": "SAML 2.0", "data_residency": "APAC"}',
   '["Renewal pricing"]',
   '["Send renewal proposal", "Prepare ROI summary"]');

INSERT INTO entitlements (id, contract_id, name, description, quantity, unit, price, category) VALUES
  ('e0000000-0000-4000-8000-000000000011', 'c0c00000-0000-4000-8000-000000000001',
   'Professional seats', 'Named user licences', 150, 'seats', 1200, 'license'),
  ('e0000000-0000-4000-8000-000000000012', 'c0c00000-0000-4000-8000-000000000001',
   'Premium support', '24x5 support, 4h response', 1, 'plan', 60000, 'support'),
  ('e0000000-0000-4000-8000-000000000021', 'c0c00000-0000-4000-8000-000000000002',
   'Enterprise seats', 'Named user licences', 300, 'seats', 1300, 'license'),
  ('e0000000-0000-4000-8000-000000000022', 'c0c00000-0000-4000-8000-000000000002',
   'Onboarding package', 'Guided implementation, 12 weeks', 1, 'package', 40000, 'services'),
  ('e0000000-0000-4000-8000-000000000023', 'c0c00000-0000-4000-8000-000000000002',
   'API calls', 'Monthly API allowance', 5000000, 'calls/month', 0, 'usage'),
  ('e0000000-0000-4000-8000-000000000031', 'c0c00000-0000-4000-8000-000000000003',
   'Standard seats', 'Named user licences', 80, 'seats', 1200, 'license'),
  ('e0000000-0000-4000-8000-000000000041', 'c0c00000-0000-4000-8000-000000000004',
   'Enterprise seats', 'Named user licences', 400, 'seats', 1300, 'license'),
  ('e0000000-0000-4000-8000-000000000042', 'c0c00000-0000-4000-8000-000000000004',
   'Compliance add-on', 'HIPAA audit trail and BAA', 1, 'plan', 95000, 'compliance'),
  ('e0000000-0000-4000-8000-000000000051', 'c0c00000-0000-4000-8000-000000000005',
   'Professional seats', 'Named user licences', 120, 'seats', 1250, 'license'),
  ('e0000000-0000-4000-8000-000000000052', 'c0c00000-0000-4000-8000-000000000005',
   'Standard support', 'Business hours support', 1, 'plan', 30000, 'support');

-- Usage the workspace API reports (GET /api/customers/:id: metadata.used
-- over quantity), for the metered entitlements.
UPDATE entitlements SET metadata = jsonb_build_object('used', u.used)
FROM (VALUES ('e0000000-0000-4000-8000-000000000011'::uuid, 131),
             ('e0000000-0000-4000-8000-000000000021'::uuid, 142),
             ('e0000000-0000-4000-8000-000000000023'::uuid, 3100000),
             ('e0000000-0000-4000-8000-000000000031'::uuid, 38),
             ('e0000000-0000-4000-8000-000000000041'::uuid, 388),
             ('e0000000-0000-4000-8000-000000000051'::uuid, 97)) AS u(id, used)
WHERE entitlements.id = u.id;

INSERT INTO agent_sessions (id, customer_id, user_id, status, active_agent, deployed_agents, context,
                            created_at, ended_at) VALUES
  ('5e550000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001',
   'a11ce000-0000-4000-8000-000000000001', 'completed', 'adoption', '{adoption,renewal}',
   '{"goal": "QBR preparation"}', now() - interval '12 days', now() - interval '11 days'),
  ('5e550000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000002',
   'a11ce000-0000-4000-8000-000000000001', 'active', 'onboarding', '{onboarding}',
   '{"goal": "Kickoff and first 30 days"}', now() - interval '4 days', NULL),
  ('5e550000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000003',
   'a11ce000-0000-4000-8000-000000000001', 'active', 'risk', '{risk,adoption}',
   '{"goal": "Save plan"}', now() - interval '6 days', NULL),
  ('5e550000-0000-4000-8000-000000000004', 'c0000000-0000-4000-8000-000000000004',
   'b0b00000-0000-4000-8000-000000000002', 'completed', 'adoption', '{adoption}',
   '{"goal": "QBR preparation"}', now() - interval '16 days', now() - interval '15 days'),
  ('5e550000-0000-4000-8000-000000000005', 'c0000000-0000-4000-8000-000000000005',
   'b0b00000-0000-4000-8000-000000000002', 'active', 'renewal', '{renewal}',
   '{"goal": "Renewal proposal"}', now() - interval '2 days', NULL);

INSERT INTO agent_messages (id, session_id, agent_id, role, content, thinking, requires_approval,
                            deployed_agent, tool_calls, created_at) VALUES
  ('5e5a0000-0000-4000-8000-000000000011', '5e550000-0000-4000-8000-000000000001', NULL, 'user',
   'Prepare the QBR deck for Acme: adoption trends and open risks.', FALSE, FALSE, NULL, NULL,
   now() - interval '12 days'),
  ('5e5a0000-0000-4000-8000-000000000012', '5e550000-0000-4000-8000-000000000001', 'adoption', 'agent',
   'Active users grew 18% quarter over quarter; the SSO rollout is the main open item.', FALSE, FALSE,
   'adoption', '[{"tool": "usage_report", "args": {"customer": "Acme Corporation", "period": "90d"}}]',
   now() - interval '12 days' + interval '2 minutes'),
  ('5e5a0000-0000-4000-8000-000000000013', '5e550000-0000-4000-8000-000000000001', 'renewal', 'agent',
   'Renewal in 11 months; recommend discussing the multi-year option at the QBR.', FALSE, FALSE,
   'renewal', NULL, now() - interval '11 days'),
  ('5e5a0000-0000-4000-8000-000000000021', '5e550000-0000-4000-8000-000000000002', NULL, 'user',
   'Plan the Globex kickoff and send the welcome pack.', FALSE, FALSE, NULL, NULL,
   now() - interval '4 days'),
  ('5e5a0000-0000-4000-8000-000000000022', '5e550000-0000-4000-8000-000000000002', 'onboarding', 'agent',
   'Draft ready: welcome email to Jonas Lindqvist and Amara Osei with the 12-week plan. Send it?', FALSE, TRUE,
   'onboarding', '[{"tool": "draft_email", "args": {"to": ["jonas.lindqvist@globex.example", "amara.osei@globex.example"]}}]',
   now() - interval '4 days' + interval '3 minutes'),
  ('5e5a0000-0000-4000-8000-000000000023', '5e550000-0000-4000-8000-000000000002', NULL, 'system',
   'Waiting for approval.', FALSE, FALSE, NULL, NULL, now() - interval '4 days' + interval '4 minutes'),
  ('5e5a0000-0000-4000-8000-000000000031', '5e550000-0000-4000-8000-000000000003', NULL, 'user',
   'Initech usage is dropping. What should the save plan look like?', FALSE, FALSE, NULL, NULL,
   now() - interval '6 days'),
  ('5e5a0000-0000-4000-8000-000000000032', '5e550000-0000-4000-8000-000000000003', 'risk', 'agent',
   'Only one team is active. Propose a value review with Bill Lumbergh and training for two more teams.',
   FALSE, FALSE, 'risk', NULL, now() - interval '6 days' + interval '1 minute'),
  ('5e5a0000-0000-4000-8000-000000000041', '5e550000-0000-4000-8000-000000000004', NULL, 'user',
   'Summarise Umbrella''s quarter for the QBR.', FALSE, FALSE, NULL, NULL, now() - interval '16 days'),
  ('5e5a0000-0000-4000-8000-000000000042', '5e550000-0000-4000-8000-000000000004', 'adoption', 'agent',
   '400 of 400 seats active; clinical teams adopted the new workflows ahead of plan.', FALSE, FALSE,
   'adoption', NULL, now() - interval '16 days' + interval '2 minutes'),
  ('5e5a0000-0000-4000-8000-000000000051', '5e550000-0000-4000-8000-000000000005', NULL, 'user',
   'Build the Stark renewal proposal; procurement asks for 15% off.', FALSE, FALSE, NULL, NULL,
   now() - interval '2 days'),
  ('5e5a0000-0000-4000-8000-000000000052', '5e550000-0000-4000-8000-000000000005', 'renewal', 'agent',
   'Suggest a 2-year term at 8% discount instead of 15% on one year; ROI summary attached.', TRUE, FALSE,
   'renewal', NULL, now() - interval '2 days' + interval '5 minutes');

INSERT INTO approvals (id, session_id, agent_id, action, details, status, resolved_by, resolved_at, comment,
                       metadata, created_at) VALUES
  ('a9900000-0000-4000-8000-000000000001', '5e550000-0000-4000-8000-000000000002', 'onboarding',
   'send_email', 'Send the welcome email and 12-week onboarding plan to the Globex team.', 'pending',
   NULL, NULL, NULL,
   '{"message_id": "5e5a0000-0000-4000-8000-000000000022"}', now() - interval '4 days' + interval '3 minutes'),
  ('a9900000-0000-4000-8000-000000000002', '5e550000-0000-4000-8000-000000000001', 'adoption',
   'share_report', 'Share the QBR usage report with Sarah Chen.', 'approved',
   'a11ce000-0000-4000-8000-000000000001', now() - interval '11 days', 'Looks good, send it.',
   '{}', now() - interval '12 days');

INSERT INTO meetings (id, customer_id, session_id, title, description, scheduled_at, duration, status,
                      meeting_url, calendar_event_id, attendees, agenda) VALUES
  ('3ee70000-0000-4000-8000-000000000011', 'c0000000-0000-4000-8000-000000000001',
   '5e550000-0000-4000-8000-000000000001', 'Acme Q3 business review', 'Quarterly business review',
   now() - interval '10 days', 60, 'completed', 'https://meet.example/acme-qbr', 'cal-acme-qbr',
   '["sarah.chen@acme.example", "marcus.webb@acme.example", "alice@demo.cscx.ai"]',
   '["Adoption", "SSO rollout", "Roadmap"]'),
  ('3ee70000-0000-4000-8000-000000000021', 'c0000000-0000-4000-8000-000000000002',
   '5e550000-0000-4000-8000-000000000002', 'Globex kickoff', 'Implementation kickoff',
   now() - interval '3 days', 90, 'completed', 'https://meet.example/globex-kickoff', 'cal-globex-kickoff',
   '["jonas.lindqvist@globex.example", "amara.osei@globex.example", "alice@demo.cscx.ai"]',
   '["Goals", "Timeline", "Integrations"]'),
  ('3ee70000-0000-4000-8000-000000000022', 'c0000000-0000-4000-8000-000000000002',
   NULL, 'Globex integration workshop', 'Salesforce and Snowflake integration',
   now() + interval '5 days', 60, 'scheduled', 'https://meet.example/globex-integrations', 'cal-globex-int',
   '["amara.osei@globex.example", "alice@demo.cscx.ai"]', '["Salesforce sync", "Snowflake export"]'),
  ('3ee70000-0000-4000-8000-000000000031', 'c0000000-0000-4000-8000-000000000003',
   '5e550000-0000-4000-8000-000000000003', 'Initech value review', 'Usage decline and save plan',
   now() - interval '5 days', 45, 'completed', 'https://meet.example/initech-review', 'cal-initech',
   '["bill.lumbergh@initech.example", "joanna.park@initech.example", "alice@demo.cscx.ai"]',
   '["Usage", "Budget", "Next steps"]'),
  ('3ee70000-0000-4000-8000-000000000041', 'c0000000-0000-4000-8000-000000000004',
   '5e550000-0000-4000-8000-000000000004', 'Umbrella Health QBR', 'Quarterly business review',
   now() - interval '14 days', 60, 'completed', 'https://meet.example/umbrella-qbr', 'cal-umbrella-qbr',
   '["elena.ruiz@umbrella.example", "tom.becker@umbrella.example", "bob@demo.cscx.ai"]',
   '["Outcomes", "Compliance", "Expansion"]'),
  ('3ee70000-0000-4000-8000-000000000051', 'c0000000-0000-4000-8000-000000000005',
   '5e550000-0000-4000-8000-000000000005', 'Stark renewal discussion', 'Renewal terms',
   now() + interval '7 days', 45, 'scheduled', 'https://meet.example/stark-renewal', 'cal-stark-renewal',
   '["hiro.tanaka@stark.example", "olivia.grant@stark.example", "bob@demo.cscx.ai"]',
   '["Renewal pricing", "Term", "Roadmap"]');

INSERT INTO transcripts (id, meeting_id, content, duration, speakers, word_count, language) VALUES
  ('7a000000-0000-4000-8000-000000000011', '3ee70000-0000-4000-8000-000000000011',
   'Alice: Thanks for joining. Usage is up 18% this quarter. '
   'Sarah: Great. We decided to roll out to the Detroit plant in Q4. '
   'Marcus: SSO is still blocked on our identity team; I will follow up by Friday. '
   'Sarah: One concern: reporting exports are slow for the finance team.',
   3540, '["Alice", "Sarah Chen", "Marcus Webb"]', 52, 'en'),
  ('7a000000-0000-4000-8000-000000000021', '3ee70000-0000-4000-8000-000000000021',
   'Alice: Welcome to the kickoff. Jonas: Our goal is go-live before quarter end. '
   'Amara: We agreed on a 12-week plan with weekly check-ins. '
   'Jonas: We are worried the Snowflake connector is not ready in time. '
   'Alice: I will send the integration guide and set up a workshop next week.',
   5280, '["Alice", "Jonas Lindqvist", "Amara Osei"]', 58, 'en'),
  ('7a000000-0000-4000-8000-000000000031', '3ee70000-0000-4000-8000-000000000031',
   'Bill: Frankly we are not seeing the value for the price. '
   'Joanna: My team uses it daily, but the other teams never got trained. '
   'Alice: Let us run training for two more teams this month and review the numbers in 30 days. '
   'Bill: Fine, but the budget review is next month.',
   2650, '["Alice", "Bill Lumbergh", "Joanna Park"]', 60, 'en'),
  ('7a000000-0000-4000-8000-000000000041', '3ee70000-0000-4000-8000-000000000041',
   'Bob: All 400 seats are active. Elena: The clinical teams love the new workflows; we decided to expand to '
   'two more hospitals next year. Tom: I need the HIPAA attestation before the audit in six weeks. '
   'Bob: I will have it to you in two weeks.',
   3600, '["Bob", "Elena Ruiz", "Tom Becker"]', 55, 'en');

INSERT INTO insights (id, customer_id, meeting_id, source, type, content, importance, owner, due_date, status) VALUES
  ('1a000000-0000-4000-8000-000000000111', 'c0000000-0000-4000-8000-000000000001',
   '3ee70000-0000-4000-8000-000000000011', 'meeting', 'decision',
   'Roll out to the Detroit plant in Q4.', 'high', 'Sarah Chen', NULL, 'open'),
  ('1a000000-0000-4000-8000-000000000112', 'c0000000-0000-4000-8000-000000000001',
   '3ee70000-0000-4000-8000-000000000011', 'meeting', 'action_item',
   'Follow up with the identity team on SSO.', 'medium', 'Marcus Webb', current_date - 5, 'open'),
  ('1a000000-0000-4000-8000-000000000113', 'c0000000-0000-4000-8000-000000000001',
   '3ee70000-0000-4000-8000-000000000011', 'meeting', 'concern',
   'Reporting exports are slow for the finance team.', 'medium', NULL, NULL, 'open'),
  ('1a000000-0000-4000-8000-000000000211', 'c0000000-0000-4000-8000-000000000002',
   '3ee70000-0000-4000-8000-000000000021', 'meeting', 'decision',
   '12-week onboarding plan with weekly check-ins.', 'high', 'Amara Osei', NULL, 'open'),
  ('1a000000-0000-4000-8000-000000000212', 'c0000000-0000-4000-8000-000000000002',
   '3ee70000-0000-4000-8000-000000000021', 'meeting', 'action_item',
   'Send the integration guide and schedule the integration workshop.', 'high', 'Alice Moreau',
   current_date + 2, 'open'),
  ('1a000000-0000-4000-8000-000000000213', 'c0000000-0000-4000-8000-000000000002',
   '3ee70000-0000-4000-8000-000000000021', 'meeting', 'concern',
   'Snowflake connector may not be ready before go-live.', 'high', NULL, NULL, 'open'),
  ('1a000000-0000-4000-8000-000000000311', 'c0000000-0000-4000-8000-000000000003',
   '3ee70000-0000-4000-8000-000000000031', 'meeting', 'concern',
   'Division VP does not see value for the price.', 'critical', NULL, NULL, 'open'),
  ('1a000000-0000-4000-8000-000000000312', 'c0000000-0000-4000-8000-000000000003',
   '3ee70000-0000-4000-8000-000000000031', 'meeting', 'action_item',
   'Train two more teams this month; review usage in 30 days.', 'high', 'Alice Moreau',
   current_date + 25, 'open'),
  ('1a000000-0000-4000-8000-000000000313', 'c0000000-0000-4000-8000-000000000003',
   NULL, 'crm', 'concern',
   'Budget review next month puts the renewal at risk.', 'high', NULL, NULL, 'open'),
  ('1a000000-0000-4000-8000-000000000411', 'c0000000-0000-4000-8000-000000000004',
   '3ee70000-0000-4000-8000-000000000041', 'meeting', 'decision',
   'Expand to two more hospitals next year.', 'high', 'Elena Ruiz', NULL, 'open'),
  ('1a000000-0000-4000-8000-000000000412', 'c0000000-0000-4000-8000-000000000004',
   '3ee70000-0000-4000-8000-000000000041', 'meeting', 'action_item',
   'Deliver the HIPAA attestation within two weeks.', 'critical', 'Bob Okafor', current_date, 'in_progress'),
  ('1a000000-0000-4000-8000-000000000511', 'c0000000-0000-4000-8000-000000000005',
   NULL, 'email', 'concern',
   'Procurement asks for a 15% discount and is evaluating two competitors.', 'high', NULL, NULL, 'open'),
  ('1a000000-0000-4000-8000-000000000512', 'c0000000-0000-4000-8000-000000000005',
   NULL, 'agent', 'action_item',
   'Send the renewal proposal with the ROI summary.', 'high', 'Bob Okafor', current_date + 3, 'open');

INSERT INTO training_modules (id, title, description, content, duration, level, category, prerequisites,
                              is_active) VALUES
  ('7d000000-0000-4000-8000-000000000001', 'Platform Fundamentals',
   'Navigation, workspaces and the first dashboard.',
   'Lesson 1: Signing in and workspaces. Lesson 2: Building a dashboard. Lesson 3: Sharing.',
   45, 'beginner', 'onboarding', NULL, TRUE),
  ('7d000000-0000-4000-8000-000000000002', 'Advanced Reporting',
   'Custom reports, scheduled exports and filters.',
   'Lesson 1: Report builder. Lesson 2: Scheduled exports. Lesson 3: Calculated fields.',
   60, 'intermediate', 'reporting', '{7d000000-0000-4000-8000-000000000001}', TRUE),
  ('7d000000-0000-4000-8000-000000000003', 'Administration and Security',
   'SSO, roles, audit log and data retention.',
   'Lesson 1: SAML and OIDC. Lesson 2: Roles and permissions. Lesson 3: Audit log and retention.',
   90, 'advanced', 'admin', '{7d000000-0000-4000-8000-000000000001}', TRUE);

INSERT INTO training_progress (id, customer_id, stakeholder_id, module_id, status, progress, started_at,
                               completed_at, score) VALUES
  ('7b000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001',
   'd0000000-0000-4000-8000-000000000013', '7d000000-0000-4000-8000-000000000001', 'completed', 100,
   now() - interval '60 days', now() - interval '55 days', 92),
  ('7b000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001',
   'd0000000-0000-4000-8000-000000000013', '7d000000-0000-4000-8000-000000000002', 'in_progress', 60,
   now() - interval '20 days', NULL, NULL),
  ('7b000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000001',
   'd0000000-0000-4000-8000-000000000012', '7d000000-0000-4000-8000-000000000003', 'in_progress', 30,
   now() - interval '9 days', NULL, NULL),
  ('7b000000-0000-4000-8000-000000000004', 'c0000000-0000-4000-8000-000000000002',
   'd0000000-0000-4000-8000-000000000022', '7d000000-0000-4000-8000-000000000001', 'in_progress', 40,
   now() - interval '2 days', NULL, NULL),
  ('7b000000-0000-4000-8000-000000000005', 'c0000000-0000-4000-8000-000000000003',
   'd0000000-0000-4000-8000-000000000032', '7d000000-0000-4000-8000-000000000001', 'completed', 100,
   now() - interval '200 days', now() - interval '190 days', 78),
  ('7b000000-0000-4000-8000-000000000006', 'c0000000-0000-4000-8000-000000000003',
   'd0000000-0000-4000-8000-000000000031', '7d000000-0000-4000-8000-000000000001', 'not_started', 0,
   NULL, NULL, NULL),
  ('7b000000-0000-4000-8000-000000000007', 'c0000000-0000-4000-8000-000000000004',
   'd0000000-0000-4000-8000-000000000043', '7d000000-0000-4000-8000-000000000002', 'completed', 100,
   now() - interval '90 days', now() - interval '80 days', 95),
  ('7b000000-0000-4000-8000-000000000008', 'c0000000-0000-4000-8000-000000000004',
   'd0000000-0000-4000-8000-000000000042', '7d000000-0000-4000-8000-000000000003', 'completed', 100,
   now() - interval '70 days', now() - interval '65 days', 88),
  ('7b000000-0000-4000-8000-000000000009', 'c0000000-0000-4000-8000-000000000005',
   'd0000000-0000-4000-8000-000000000051', '7d000000-0000-4000-8000-000000000001', 'in_progress', 50,
   now() - interval '30 days', NULL, NULL);

INSERT INTO knowledge_base (id, title, content, category, tags, is_public, view_count, helpful_count) VALUES
  ('cb000000-0000-4000-8000-000000000001', 'Running an effective QBR',
   'A quarterly business review should open with the customer''s goals, show outcomes against them, '
   'surface risks honestly and end with agreed next steps and owners. Send the deck two days ahead.',
   'playbook', '{qbr,adoption,executive}', TRUE, 42, 17),
  ('cb000000-0000-4000-8000-000000000002', 'Save plan for at-risk accounts',
   'When usage drops, confirm the cause with the champion, re-establish the business case with the '
   'economic buyer, train inactive teams and agree a 30-day review with measurable targets.',
   'playbook', '{risk,churn,renewal}', TRUE, 28, 11),
  ('cb000000-0000-4000-8000-000000000003', 'Configuring SAML single sign-on',
   'Create an application in the identity provider, upload the metadata XML, map the email attribute, '
   'test with one user and then enforce SSO for the workspace.',
   'technical', '{sso,saml,security}', TRUE, 65, 30);

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
