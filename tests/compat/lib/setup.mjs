// Fixture setup, run by run.sh against the started server:
//   node lib/setup.mjs <fixture.json out> <fixture.sql out>
// Signs the three CSMs up through /auth/v1 with supabase-js (the product's
// own sign-up, not hand-made auth.users rows), then writes their ids and
// sessions as JSON for the tests and the fixture rows as SQL for psql.
import fs from 'node:fs';
import { createClient } from '@supabase/supabase-js';
import { PASSWORD, ROWS, USERS } from './fixture.mjs';

const [jsonPath, sqlPath] = process.argv.slice(2);
const url = process.env.CSCX_COMPAT_URL;
const anonKey = process.env.CSCX_COMPAT_ANON_KEY;
if (!jsonPath || !sqlPath || !url || !anonKey) {
  console.error('usage: CSCX_COMPAT_URL=… CSCX_COMPAT_ANON_KEY=… node setup.mjs OUT.json OUT.sql');
  process.exit(2);
}

const users = {};
for (const [tenant, { email, data }] of Object.entries(USERS)) {
  const client = createClient(url, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  const { data: signedUp, error } = await client.auth.signUp({ email, password: PASSWORD, options: { data } });
  if (error || !signedUp.session) {
    console.error(`setup: signUp ${email} failed: ${error ? `${error.status} ${error.code} ${error.message}` : 'no session'}`);
    process.exit(1);
  }
  users[tenant] = {
    id: signedUp.user.id,
    email,
    password: PASSWORD,
    access_token: signedUp.session.access_token,
    refresh_token: signedUp.session.refresh_token,
  };
}

// Every value as a quoted literal: PostgreSQL casts it to the column's type.
function literal(value) {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object' && value.$user) return literal(users[value.$user].id);
  if (Array.isArray(value)) return literal(`{${value.map((v) => JSON.stringify(String(v))).join(',')}}`);
  if (typeof value === 'object') return literal(JSON.stringify(value));
  return `'${String(value).replaceAll("'", "''")}'`;
}

let sql = 'BEGIN;\n';
for (const [table, rows] of Object.entries(ROWS)) {
  for (const row of rows) {
    const cols = Object.keys(row);
    sql += `INSERT INTO public.${table} (${cols.join(', ')}) VALUES (${cols.map((c) => literal(row[c])).join(', ')});\n`;
  }
}
sql += 'COMMIT;\n';

fs.writeFileSync(sqlPath, sql);
fs.writeFileSync(jsonPath, JSON.stringify({ users }, null, 2));
