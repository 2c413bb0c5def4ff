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

SELECT update_health_score(id) FROM customers;
