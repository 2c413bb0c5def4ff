-- Test-only functions for the rpc cases that update_health_score (a writing
-- function returning a scalar) cannot cover: a read-only scalar for GET rpc
-- and a SETOF function whose result takes select, filters, order and limit.
-- Created before the server starts, so its schema cache knows them.
CREATE FUNCTION public.compat_stage_count(stage_name text) RETURNS integer
  LANGUAGE sql STABLE AS $$ SELECT count(*)::int FROM public.customers WHERE stage = stage_name $$;
CREATE FUNCTION public.compat_customers_above(min_arr numeric) RETURNS SETOF public.customers
  LANGUAGE sql STABLE AS $$ SELECT * FROM public.customers WHERE arr > min_arr $$;
REVOKE ALL ON FUNCTION public.compat_stage_count(text), public.compat_customers_above(numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.compat_stage_count(text), public.compat_customers_above(numeric)
  TO anon, authenticated, service_role;
