// /rest/v1 errors through supabase-js (spec §1, §6): the {code, details,
// hint, message} body and the status mapping, schema-cache errors before
// any SQL runs, and the refusal of bad tokens.
import { createClient } from '@supabase/supabase-js';
import {
  ANON_KEY, assert, csmClient, fails, jwtPayload, lastExchange, ok, serviceClient, signJwt, test, tokenClient, URL_BASE, USER,
} from './lib/client.mjs';
import { ID } from './lib/fixture.mjs';

// No such user: a write naming it must be refused by RLS before any foreign
// key is checked, and cannot disturb another test's rows if it is not.
const NOBODY = '0f0f0f0f-0000-4000-8000-000000000000';
const a = await csmClient('a');
const w = await csmClient('w');
const service = serviceClient();

test('unknown table: 404 PGRST205', async () => {
  const err = fails(await a.from('no_such_table').select('*'), { status: 404, code: 'PGRST205' });
  assert.equal(err.message, "Could not find the table 'public.no_such_table' in the schema cache");
  assert.equal(err.details, null);
});

test('a table outside the API schema is unknown: 404 PGRST205', async () => {
  fails(await service.from('users').select('*'), { status: 404, code: 'PGRST205' }); // auth.users
});

test('unknown column in select: 400 42703', async () => {
  const err = fails(await a.from('customers').select('id, no_such_column'), { status: 400, code: '42703' });
  assert.match(err.message, /no_such_column/);
});

test('unknown column in a filter: 400 42703', async () => {
  fails(await a.from('customers').select('id').eq('no_such_column', 1), { status: 400, code: '42703' });
});

test('unknown column in order: 400 42703', async () => {
  fails(await a.from('customers').select('id').order('no_such_column'), { status: 400, code: '42703' });
});

test('bad uuid: 400 22P02 with PostgreSQL message', async () => {
  const err = fails(await a.from('customers').select('id').eq('id', 'x'), { status: 400, code: '22P02' });
  assert.equal(err.message, 'invalid input syntax for type uuid: "x"');
});

test('bad number: 400 22P02', async () => {
  fails(await a.from('customers').select('id').gt('arr', 'lots'), { status: 400, code: '22P02' });
});

test('unique violation: 409 23505 with the key in details', async () => {
  const err = fails(await service.from('customers').insert({ id: ID.a.acme, name: 'Dup' }), { status: 409, code: '23505' });
  assert.match(err.message, /duplicate key value violates unique constraint "customers_pkey"/);
  assert.equal(err.details, `Key (id)=(${ID.a.acme}) already exists.`);
});

test('foreign key violation: 409 23503', async () => {
  fails(await service.from('stakeholders').insert({ customer_id: '00000000-0000-4000-8000-000000000000', name: 'Orphan' }), {
    status: 409,
    code: '23503',
  });
});

test('not-null violation: 400 23502', async () => {
  fails(await w.from('customers').insert({ csm_id: USER.w.id, stage: 'active' }), { status: 400, code: '23502' });
});

test('RLS WITH CHECK failure on insert: 403 42501', async () => {
  const err = fails(await w.from('customers').insert({ name: 'Not mine', csm_id: NOBODY }), { status: 403, code: '42501' });
  assert.equal(err.message, 'new row violates row-level security policy for table "customers"');
});

test('RLS WITH CHECK failure on update (moving a row to another CSM): 403 42501', async () => {
  const c = ok(await w.from('customers').insert({ name: 'Mine to give', csm_id: USER.w.id }).select('id').single());
  fails(await w.from('customers').update({ csm_id: NOBODY }).eq('id', c.id), { status: 403, code: '42501' });
  const after = ok(await service.from('customers').select('csm_id').eq('id', c.id).single());
  assert.equal(after.csm_id, USER.w.id);
});

test('writing a read-only table as a CSM: 403 42501', async () => {
  fails(await w.from('training_modules').insert({ title: 'Mine' }), { status: 403, code: '42501' });
});

test('a write as anon is refused: 401 42501', async () => {
  const anon = createClient(URL_BASE, ANON_KEY, { auth: { persistSession: false, autoRefreshToken: false } });
  fails(await anon.from('customers').insert({ name: 'Anon' }), { status: 401, code: '42501' });
});

test("insert with an unknown key: 400 PGRST204", async () => {
  const err = fails(await w.from('customers').insert({ name: 'x', csm_id: USER.w.id, no_such_column: 1 }), {
    status: 400,
    code: 'PGRST204',
  });
  assert.equal(err.message, "Could not find the 'no_such_column' column of 'customers' in the schema cache");
});

test('embedding an unrelated table: 400 PGRST200', async () => {
  const err = fails(await a.from('customers').select('id, knowledge_base(*)'), { status: 400, code: 'PGRST200' });
  assert.equal(err.message, "Could not find a relationship between 'customers' and 'knowledge_base' in the schema cache");
});

test('embedding an unknown table: 400 PGRST200', async () => {
  fails(await a.from('customers').select('id, no_such_table(*)'), { status: 400, code: 'PGRST200' });
});

test('a filter on a relation not in select: 400 PGRST108', async () => {
  fails(await a.from('customers').select('id').eq('stakeholders.is_primary', true), { status: 400, code: 'PGRST108' });
});

test('a malformed select: 400 PGRST100', async () => {
  fails(await a.from('customers').select('id, stakeholders(name'), { status: 400, code: 'PGRST100' });
});

test('a malformed filter operator: 400 PGRST100', async () => {
  fails(await a.from('customers').select('id').filter('stage', 'nosuchop', 'x'), { status: 400, code: 'PGRST100' });
});

test('a schema other than public: 406 PGRST106', async () => {
  const other = createClient(URL_BASE, ANON_KEY, { db: { schema: 'auth' }, auth: { persistSession: false, autoRefreshToken: false } });
  fails(await other.from('users').select('*'), { status: 406, code: 'PGRST106' });
});

test('an unknown path under /rest/v1: 404 PGRST125', async () => {
  const res = await fetch(`${URL_BASE}/rest/v1/customers/extra`, { headers: { apikey: ANON_KEY } });
  assert.equal(res.status, 404);
  assert.equal((await res.json()).code, 'PGRST125');
});

test('errors never leak SQL text', async () => {
  for (const res of [
    await a.from('customers').select('id').eq('id', 'x'),
    await a.from('customers').select('id, no_such_column'),
    await service.from('customers').insert({ id: ID.a.acme, name: 'Dup' }),
  ]) {
    assert.ok(res.error);
    assert.doesNotMatch(JSON.stringify(res.error), /\bSELECT\b|\bINSERT INTO\b|\bWITH\b.*\bAS\b|\$1/);
  }
});

test('Content-Type of /rest/v1 answers is application/json; charset=utf-8', async () => {
  ok(await a.from('customers').select('id').limit(1));
  const res = await fetch(`${URL_BASE}/rest/v1/customers?select=id&limit=1`, {
    headers: { apikey: ANON_KEY, Authorization: `Bearer ${USER.a.access_token}` },
  });
  assert.equal(res.headers.get('content-type')?.toLowerCase().replace(/\s/g, ''), 'application/json;charset=utf-8');
  assert.equal(lastExchange().status, 200);
});

// --- tokens -------------------------------------------------------------------
const userClaims = () => jwtPayload(USER.a.access_token);

async function refused(token) {
  const res = await tokenClient(token).from('customers').select('id');
  assert.equal(res.status, 401, `status for ${token.slice(0, 40)}…`);
  assert.ok(['PGRST301', 'PGRST303'].includes(res.error?.code), `code ${res.error?.code}`);
  for (const key of ['code', 'details', 'hint', 'message']) assert.ok(key in res.error, `body has ${key}`);
  return res.error;
}

test('a JWT signed with another secret: 401', () => refused(signJwt(userClaims(), { secret: 'another-secret-another-secret-123456' })));

test('a JWT with alg none: 401', () => {
  const [, payload] = USER.a.access_token.split('.');
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  return refused(`${header}.${payload}.`);
});

test('a JWT with alg HS512: 401', () => refused(signJwt(userClaims(), { header: { alg: 'HS512', typ: 'JWT' } })));

test('an expired JWT: 401 PGRST303', async () => {
  const now = Math.floor(Date.now() / 1000);
  const err = await refused(signJwt({ ...userClaims(), iat: now - 7200, exp: now - 3600 }));
  assert.equal(err.code, 'PGRST303');
});

test('a JWT not valid before a future nbf: 401', () => refused(signJwt({ ...userClaims(), nbf: Math.floor(Date.now() / 1000) + 3600 })));

test('a JWT with an unknown role: 401', () => refused(signJwt({ ...userClaims(), role: 'postgres' })));

test('a JWT for role authenticated whose aud lacks authenticated: 401', () => refused(signJwt({ ...userClaims(), aud: 'someone-else' })));

test('malformed tokens: 401', async () => {
  for (const token of ['not-a-jwt', 'a.b.c', `${USER.a.access_token.split('.')[0]}.!!!.${USER.a.access_token.split('.')[2]}`]) {
    await refused(token);
  }
});

test('no apikey and no Authorization: 401', async () => {
  const res = await fetch(`${URL_BASE}/rest/v1/customers?select=id`);
  assert.equal(res.status, 401);
});

test('the apikey alone is the token (anon)', async () => {
  const res = await fetch(`${URL_BASE}/rest/v1/customers?select=id`, { headers: { apikey: ANON_KEY } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), []);
});
