// Known failures: test name → why. node:test runs these as TODO (reported
// with their failure, not failing the run), so the default run stays green
// while each gap stays visible. Remove an entry when its test passes.
const COLUMNS_PARAM =
  'columns=/on_conflict= column names come back as garbage bytes (PGRST204 "Could not find the \'<heap bytes>\' column"): a dangling view into freed memory';

export const KNOWN_FAILURES = {
  // /auth/v1 — src/app/server_app.cpp builds the issuer from the configured
  // port before listen(): with `serve --port 0` tokens say :0.
  'the access token issuer is the server base URL + /auth/v1':
    'iss uses the configured port (0 with --port 0), not the bound one',

  // /rest/v1 (found 2026-11-25 against 8ff07a2; the columns fix is in the
  // working tree of src/rest/query_parser.cpp, not yet committed)
  'bulk insert with select(): 201 and every row': COLUMNS_PARAM,
  'bulk insert: a key missing from one object becomes NULL (columns=)': COLUMNS_PARAM,
  'bulk insert with defaultToNull: false gives the missing key its DEFAULT': COLUMNS_PARAM,
  'bulk upsert inserts the new rows and merges the existing ones': COLUMNS_PARAM,
  'upsert with ignoreDuplicates still inserts the new rows': COLUMNS_PARAM,
  'upsert with onConflict on a unique index': COLUMNS_PARAM,
  "range starting at the row count with count: 'exact': 206, [], Content-Range */5":
    'offset == total answers 416 PGRST103; PostgREST answers 416 only for offset > total',
  "rpc returning SETOF with count: 'exact'": 'Prefer: count=exact is ignored on rpc (Content-Range 0-0/*)',
};
