-- 004_audit: the audit trail. Every insert, update and delete on the 11
-- customer-scoped tables writes one activity_log row; activity_log is
-- append-only for everyone but service_role (and its owner).
-- docs/schema.md ("Audit trail") explains the choices.
--
-- Tables and functions are schema-qualified and the functions run with
-- search_path = pg_catalog, pg_temp (operators and types therefore resolve in
-- pg_catalog; pg_temp is never searched for them), so nothing a caller
-- creates can stand in for anything used here.

-- ---------------------------------------------------------------------------
-- The row-change trigger.
--
-- SECURITY DEFINER: it runs as its owner (the migrating role, which owns
-- activity_log), so RLS does not apply to its INSERT and it can read the
-- parent rows whatever the caller's policies allow. Trigger functions cannot
-- be called directly, and EXECUTE is revoked anyway.
--
-- Arguments, per table:
--   TG_ARGV[0]  the column of the row that holds the customer's id, or the
--               parent's id when TG_ARGV[1] is given
--   TG_ARGV[1]  (optional) the parent table whose customer_id is the row's
--               customer: contracts, agent_sessions or meetings
--
-- What it writes:
--   user_id      the request's user: `sub` of request.jwt.claims (or the legacy
--                request.jwt.claim.sub, as auth.uid() reads it); NULL when
--                absent, not a uuid, or not a row of auth.users (the foreign
--                key must never make the write fail)
--   customer_id  the row's customer; NULL when that customer no longer exists
--                (a customer's own delete, and rows deleted by its cascade) or
--                when the parent row is gone (a cascade from the parent)
--   action       'insert', 'update' or 'delete'
--   entity_type  the table name; entity_id the row's id
--   old_values   delete: the whole old row; update: the changed columns' old values
--   new_values   insert: the whole new row; update: the changed columns' new values
--   ip_address   request.ip; NULL when empty or not an inet
--   user_agent   request.user_agent; NULL when empty
--   created_at   clock_timestamp(): the rows of one transaction keep their order
-- An UPDATE that changes no column other than updated_at writes nothing.
--
-- Writes outside any request are not audited: no claims at all and a caller
-- that owns the table (or is superuser), i.e. migrations, sql/demo_data.sql,
-- fixtures and maintenance sessions. A request role (anon, authenticated,
-- service_role) is always audited, with or without claims.
-- ---------------------------------------------------------------------------

CREATE FUNCTION cscx.audit_row_change()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  claims     text := nullif(pg_catalog.current_setting('request.jwt.claims', true), '');
  sub        text := nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), '');
  ip_text    text := nullif(pg_catalog.btrim(pg_catalog.current_setting('request.ip', true)), '');
  caller     text;
  row_data   jsonb;
  old_values jsonb;
  new_values jsonb;
  actor      uuid;
  customer   uuid;
  ip         inet;
BEGIN
  IF claims IS NULL AND sub IS NULL THEN
    -- current_setting('role') is the SET ROLE in effect ('none' without
    -- one); SECURITY DEFINER does not change it, nor session_user.
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

  IF TG_OP = 'INSERT' THEN
    new_values := pg_catalog.to_jsonb(NEW);
    row_data := new_values;
  ELSIF TG_OP = 'DELETE' THEN
    old_values := pg_catalog.to_jsonb(OLD);
    row_data := old_values;
  ELSE
    row_data := pg_catalog.to_jsonb(NEW);
    SELECT pg_catalog.jsonb_object_agg(n.key, o.value), pg_catalog.jsonb_object_agg(n.key, n.value)
      INTO old_values, new_values
      FROM pg_catalog.jsonb_each(row_data) n
      JOIN pg_catalog.jsonb_each(pg_catalog.to_jsonb(OLD)) o ON o.key = n.key
     WHERE n.key <> 'updated_at'
       AND n.value IS DISTINCT FROM o.value;
    IF new_values IS NULL THEN
      RETURN NULL;  -- nothing changed but updated_at
    END IF;
  END IF;

  -- The user. Claims come from a verified token, but a malformed setting
  -- must not fail the write.
  IF sub IS NULL AND claims IS NOT NULL THEN
    BEGIN
      sub := claims::jsonb ->> 'sub';
    EXCEPTION WHEN data_exception THEN
      sub := NULL;
    END;
  END IF;
  IF sub ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
    -- FOR KEY SHARE, as the foreign key's own check does: a concurrent
    -- delete of the user either finished first (NULL here) or waits for us.
    -- The lock needs UPDATE on auth.users, which the owner may lack where
    -- another role owns auth (Supabase); a plain read is then the fallback.
    IF pg_catalog.has_table_privilege('auth.users', 'UPDATE') THEN
      SELECT u.id INTO actor FROM auth.users u WHERE u.id = sub::uuid FOR KEY SHARE;
    ELSE
      SELECT u.id INTO actor FROM auth.users u WHERE u.id = sub::uuid;
    END IF;
  END IF;

  -- The customer.
  IF TG_NARGS >= 2 THEN
    IF TG_ARGV[1] = 'contracts' THEN
      SELECT p.customer_id INTO customer FROM public.contracts p
       WHERE p.id = (row_data ->> TG_ARGV[0])::uuid;
    ELSIF TG_ARGV[1] = 'agent_sessions' THEN
      SELECT p.customer_id INTO customer FROM public.agent_sessions p
       WHERE p.id = (row_data ->> TG_ARGV[0])::uuid;
    ELSIF TG_ARGV[1] = 'meetings' THEN
      SELECT p.customer_id INTO customer FROM public.meetings p
       WHERE p.id = (row_data ->> TG_ARGV[0])::uuid;
    ELSE
      RAISE EXCEPTION 'cscx.audit_row_change on %: unknown parent table %', TG_TABLE_NAME, TG_ARGV[1];
    END IF;
  ELSE
    customer := (row_data ->> TG_ARGV[0])::uuid;
  END IF;
  -- After a delete the customer may be gone: the customer's own delete (the
  -- row is already deleted when an AFTER trigger runs) or a cascade from it.
  -- Referencing it would violate activity_log's foreign key.
  IF TG_OP = 'DELETE' AND customer IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM public.customers c WHERE c.id = customer) THEN
    customer := NULL;
  END IF;

  IF ip_text IS NOT NULL THEN
    BEGIN
      ip := ip_text::inet;
    EXCEPTION WHEN data_exception THEN
      ip := NULL;
    END;
  END IF;

  INSERT INTO public.activity_log
    (user_id, customer_id, action, entity_type, entity_id, old_values, new_values, ip_address, user_agent,
     created_at)
  VALUES
    (actor, customer, pg_catalog.lower(TG_OP), TG_TABLE_NAME,
     (row_data ->> 'id')::uuid, old_values, new_values, ip,
     nullif(pg_catalog.current_setting('request.user_agent', true), ''),
     pg_catalog.clock_timestamp());
  RETURN NULL;
END
$fn$;

REVOKE ALL ON FUNCTION cscx.audit_row_change() FROM PUBLIC;

COMMENT ON FUNCTION cscx.audit_row_change() IS
  'Audit trigger of the customer-scoped tables: one activity_log row per changed row. See docs/schema.md, "Audit trail".';

CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.customers
  FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change('id');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.stakeholders
  FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change('customer_id');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.contracts
  FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change('customer_id');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.entitlements
  FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change('contract_id', 'contracts');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.agent_sessions
  FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change('customer_id');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.agent_messages
  FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change('session_id', 'agent_sessions');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.approvals
  FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change('session_id', 'agent_sessions');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.meetings
  FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change('customer_id');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.transcripts
  FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change('meeting_id', 'meetings');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.insights
  FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change('customer_id');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.training_progress
  FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change('customer_id');

-- ---------------------------------------------------------------------------
-- activity_log: append-only below service_role.
--
-- 001 already grants request roles no UPDATE or DELETE and has no policy for
-- them; this guard holds even if a grant or policy is added by mistake (or
-- by a platform's default privileges). Allowed: service_role, the table
-- owner and superusers. The foreign keys' ON DELETE SET NULL actions run as
-- the owner and so pass.
--
-- Rows a request role inserts directly (the 001 INSERT policy) are stamped
-- here: created_at is the current time, ip_address and user_agent come from the
-- request, and a missing user_id becomes the caller's. Not SECURITY DEFINER:
-- it must see the caller as current_user.
-- ---------------------------------------------------------------------------

CREATE FUNCTION cscx.activity_log_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  ip_text text;
BEGIN
  IF pg_catalog.pg_has_role(current_user, 'service_role', 'USAGE')
     OR pg_catalog.pg_has_role(current_user,
                               (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID),
                               'USAGE') THEN
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NEW;  -- NULL for TRUNCATE
  END IF;

  IF TG_OP = 'INSERT' THEN
    NEW.user_id := coalesce(NEW.user_id, auth.uid());
    NEW.created_at := pg_catalog.clock_timestamp();
    NEW.user_agent := nullif(pg_catalog.current_setting('request.user_agent', true), '');
    NEW.ip_address := NULL;
    ip_text := nullif(pg_catalog.btrim(pg_catalog.current_setting('request.ip', true)), '');
    IF ip_text IS NOT NULL THEN
      BEGIN
        NEW.ip_address := ip_text::inet;
      EXCEPTION WHEN data_exception THEN
        NULL;
      END;
    END IF;
    RETURN NEW;
  END IF;

  RAISE EXCEPTION 'activity_log is append-only: % is not allowed for role %', TG_OP, current_user
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Only service_role may change or remove audit rows.';
END
$fn$;

REVOKE ALL ON FUNCTION cscx.activity_log_guard() FROM PUBLIC;

CREATE TRIGGER activity_log_append_only BEFORE UPDATE OR DELETE ON public.activity_log
  FOR EACH ROW EXECUTE FUNCTION cscx.activity_log_guard();
CREATE TRIGGER activity_log_append_only_truncate BEFORE TRUNCATE ON public.activity_log
  FOR EACH STATEMENT EXECUTE FUNCTION cscx.activity_log_guard();
-- The WHEN clause spares the audit trigger's own inserts (its owner is
-- superuser here) and service_role the function call; the function still
-- lets the owner through where the owner is not superuser.
CREATE TRIGGER activity_log_stamp BEFORE INSERT ON public.activity_log
  FOR EACH ROW WHEN (NOT pg_catalog.pg_has_role(current_user, 'service_role', 'USAGE'))
  EXECUTE FUNCTION cscx.activity_log_guard();

-- Privileges as 001 left them, restated: request roles never UPDATE, DELETE
-- or TRUNCATE audit rows; service_role keeps SELECT, INSERT, UPDATE, DELETE.
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON public.activity_log FROM PUBLIC, anon, authenticated;

-- Direct inserts by a CSM: only under their own customer (as in 001), only
-- as themselves (001 also allowed user_id NULL; the guard above fills it in
-- before this check), and never with the trigger's actions, so that a row
-- with action insert/update/delete was always written by the trigger (or by
-- service_role).
DROP POLICY activity_log_insert_policy ON public.activity_log;
CREATE POLICY activity_log_insert_policy ON public.activity_log
  FOR INSERT TO authenticated
  WITH CHECK (activity_log.user_id = (SELECT auth.uid())
              AND activity_log.action NOT IN ('insert', 'update', 'delete')
              AND EXISTS (SELECT 1 FROM public.customers c
                          WHERE c.id = activity_log.customer_id AND c.csm_id = (SELECT auth.uid())));
