-- /rest/v1 support: the row-count check its writes run before they commit.
--
-- A write asked for as one object (Accept: application/vnd.pgrst.object+json)
-- must touch exactly one row, and one with `Prefer: handling=strict,
-- max-affected=N` at most N; otherwise the whole transaction must roll back.
-- The compiled statement passes its row count through this function, which
-- raises inside the transaction, so nothing is kept. The SQLSTATEs are cscx's
-- own (class CX); the API maps CX116 to PostgREST's PGRST116 and CX124 to
-- PGRST124.

CREATE SCHEMA cscx_rest;
REVOKE ALL ON SCHEMA cscx_rest FROM PUBLIC;
GRANT USAGE ON SCHEMA cscx_rest TO anon, authenticated, service_role;

CREATE FUNCTION cscx_rest.check_rows(n bigint, single boolean, max_affected bigint)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
BEGIN
  IF single AND n <> 1 THEN
    RAISE EXCEPTION 'Cannot coerce the result to a single JSON object'
      USING ERRCODE = 'CX116', DETAIL = format('The result contains %s rows', n);
  END IF;
  IF max_affected IS NOT NULL AND n > max_affected THEN
    RAISE EXCEPTION 'Query result exceeds max-affected preference constraint'
      USING ERRCODE = 'CX124', DETAIL = format('The query affects %s rows', n);
  END IF;
  RETURN n;
END
$$;

REVOKE ALL ON FUNCTION cscx_rest.check_rows(bigint, boolean, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cscx_rest.check_rows(bigint, boolean, bigint)
  TO anon, authenticated, service_role;
