-- Demo data for `cscx serve --demo` on an empty database, part 1 of 2. Run as
-- superuser in one transaction, after the migrations. Deterministic: fixed
-- UUIDs; times are relative to now() / current_date.
--
-- The rows a document says (customer ARR, contracts, entitlements,
-- stakeholders, transcripts, insights) are not here: src/app/demo_data.cpp
-- runs the sample documents in samples/ through the contract parser and the
-- transcript analyser and stores them with the API's own stores, as the
-- demo CSM. sql/demo_links.sql then adds the rows that point at them.
--
-- Two CSMs, password demo-password-123: alice (Acme, Globex, Initech) and bob (Umbrella Health, Stark
-- Logistics). UUID prefixes name the table: a11ce/b0b0 users, c000 customers,
-- 5e55 sessions, 5e5a messages, a990 approvals, 3ee7 meetings, 7d00 modules,
-- 7b00 progress, cb00 knowledge base.

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

-- arr is NULL here: committing each customer's sample contract sets it.
INSERT INTO customers (id, name, arr, industry, stage, csm_id, salesforce_id, hubspot_id, metadata) VALUES
  ('c0000000-0000-4000-8000-000000000001', 'Acme Corporation', NULL, 'Manufacturing', 'active',
   'a11ce000-0000-4000-8000-000000000001', '0015g00000ACME01', 'hs-1001',
   '{"segment": "mid-market", "region": "NA", "employees": 1800}'),
  ('c0000000-0000-4000-8000-000000000002', 'Globex Industries', NULL, 'Technology', 'onboarding',
   'a11ce000-0000-4000-8000-000000000001', '0015g00000GLBX02', 'hs-1002',
   '{"segment": "enterprise", "region": "EMEA", "employees": 5200}'),
  ('c0000000-0000-4000-8000-000000000003', 'Initech', NULL, 'Financial Services', 'at_risk',
   'a11ce000-0000-4000-8000-000000000001', '0015g00000INIT03', NULL,
   '{"segment": "smb", "region": "NA", "employees": 340}'),
  ('c0000000-0000-4000-8000-000000000004', 'Umbrella Health', NULL, 'Healthcare', 'active',
   'b0b00000-0000-4000-8000-000000000002', '0015g00000UMBR04', 'hs-1004',
   '{"segment": "enterprise", "region": "NA", "employees": 12000, "hipaa": true}'),
  ('c0000000-0000-4000-8000-000000000005', 'Stark Logistics', NULL, 'Logistics', 'renewal',
   'b0b00000-0000-4000-8000-000000000002', '0015g00000STRK05', 'hs-1005',
   '{"segment": "mid-market", "region": "APAC", "employees": 950}');

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
  -- Its payload and evidence name a stakeholder the contract sample creates:
  -- sql/demo_links.sql completes them.
  ('a9900000-0000-4000-8000-000000000001', '5e550000-0000-4000-8000-000000000002', 'onboarding',
   'draft_email', 'Send the welcome email and 12-week onboarding plan to the Globex team.', 'pending',
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
