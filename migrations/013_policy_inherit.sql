-- 013_policy_inherit: the CSM policies of the child and grandchild tables
-- ask only whether the parent row is visible, and let the parent's own
-- policy decide that. Same rows visible, same writes accepted and refused
-- (tests/schema/rls_pgtest.cpp, and tests/schema/rls_ownership_pgtest.cpp
-- compares every table with 001's ownership chain on generated data); cheaper to plan and to run (bench/README.md).
--
-- 001 wrote each check out to the CSM: a child tested
--   EXISTS (SELECT 1 FROM customers c WHERE c.id = t.customer_id
--                                       AND c.csm_id = (SELECT auth.uid()))
-- and a grandchild joined its parent to customers the same way. Inside a
-- policy the referenced table's own policies apply too (RLS is applied to
-- every table a query reads, subqueries of policies included), so that
-- customers probe also carried customers_policy: the CSM was compared
-- twice, with two InitPlans per probe, and a grandchild's probe planned the
-- parent's policy on top of its own join. Here:
--   child:       EXISTS (SELECT 1 FROM customers c WHERE c.id = t.customer_id)
--   grandchild:  EXISTS (SELECT 1 FROM <parent> p WHERE p.id = t.<parent>_id)
-- customers_policy (csm_id = (SELECT auth.uid())) still decides, as the
-- seed's comment puts it, "stakeholders inherit customer access": a row is
-- visible to, and can be written by, exactly the CSMs who see its customer.
-- Consequence: a policy added on customers later widens the child tables
-- too, writes included; any new customers policy must be meant for them.
-- For roles with BYPASSRLS or the table owner nothing changes (RLS is off
-- for them on both tables); anon has no policy on either and sees nothing.
--
-- activity_log's SELECT policy changes the same way; its INSERT policy
-- (004) and knowledge_base's (007) stay as they are: rare writes, and
-- their CSM tests also check user_id and metadata.

ALTER POLICY stakeholders_policy ON public.stakeholders
  USING (EXISTS (SELECT 1 FROM public.customers c WHERE c.id = stakeholders.customer_id))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c WHERE c.id = stakeholders.customer_id));

ALTER POLICY contracts_policy ON public.contracts
  USING (EXISTS (SELECT 1 FROM public.customers c WHERE c.id = contracts.customer_id))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c WHERE c.id = contracts.customer_id));

ALTER POLICY agent_sessions_policy ON public.agent_sessions
  USING (EXISTS (SELECT 1 FROM public.customers c WHERE c.id = agent_sessions.customer_id))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c WHERE c.id = agent_sessions.customer_id));

ALTER POLICY meetings_policy ON public.meetings
  USING (EXISTS (SELECT 1 FROM public.customers c WHERE c.id = meetings.customer_id))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c WHERE c.id = meetings.customer_id));

ALTER POLICY insights_policy ON public.insights
  USING (EXISTS (SELECT 1 FROM public.customers c WHERE c.id = insights.customer_id))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c WHERE c.id = insights.customer_id));

ALTER POLICY training_progress_policy ON public.training_progress
  USING (EXISTS (SELECT 1 FROM public.customers c WHERE c.id = training_progress.customer_id))
  WITH CHECK (EXISTS (SELECT 1 FROM public.customers c
                      WHERE c.id = training_progress.customer_id));

ALTER POLICY entitlements_policy ON public.entitlements
  USING (EXISTS (SELECT 1 FROM public.contracts p WHERE p.id = entitlements.contract_id))
  WITH CHECK (EXISTS (SELECT 1 FROM public.contracts p WHERE p.id = entitlements.contract_id));

ALTER POLICY agent_messages_policy ON public.agent_messages
  USING (EXISTS (SELECT 1 FROM public.agent_sessions p WHERE p.id = agent_messages.session_id))
  WITH CHECK (EXISTS (SELECT 1 FROM public.agent_sessions p
                      WHERE p.id = agent_messages.session_id));

ALTER POLICY approvals_policy ON public.approvals
  USING (EXISTS (SELECT 1 FROM public.agent_sessions p WHERE p.id = approvals.session_id))
  WITH CHECK (EXISTS (SELECT 1 FROM public.agent_sessions p WHERE p.id = approvals.session_id));

ALTER POLICY transcripts_policy ON public.transcripts
  USING (EXISTS (SELECT 1 FROM public.meetings p WHERE p.id = transcripts.meeting_id))
  WITH CHECK (EXISTS (SELECT 1 FROM public.meetings p WHERE p.id = transcripts.meeting_id));

ALTER POLICY activity_log_select_policy ON public.activity_log
  USING (EXISTS (SELECT 1 FROM public.customers c WHERE c.id = activity_log.customer_id));
