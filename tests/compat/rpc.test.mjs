// /rest/v1/rpc through supabase-js (spec §5): update_health_score by POST
// and by GET (read-only: a writing function fails), scalar and SETOF
// results, unknown functions, privileges. compat_* functions are test-only
// (lib/functions.sql).
import { anonClient, assert, csmClient, fails, ok, serviceClient, test } from './lib/client.mjs';
import { ID } from './lib/fixture.mjs';

const a = await csmClient('a');
const w = await csmClient('w');
const service = serviceClient();

// w's customer: 2 messages in the last 30 days (engagement 20) and training
// progress 50 and 70 (adoption 60): (20 + 60) / 2 = 40.
test("rpc('update_health_score', {customer_uuid}) by POST returns the score and stores it", async () => {
  const score = ok(await w.rpc('update_health_score', { customer_uuid: ID.w.scored }), 200);
  assert.equal(score, 40);
  const row = ok(await w.from('customers').select('health_score').eq('id', ID.w.scored).single());
  assert.equal(row.health_score, 40);
});

test('rpc with get: true runs read-only: a writing function fails 25006 (405)', async () => {
  const res = await w.rpc('update_health_score', { customer_uuid: ID.w.scored }, { get: true });
  fails(res, { status: 405, code: '25006' });
});

test('rpc with get: true on a read-only function returns its scalar', async () => {
  const count = ok(await a.rpc('compat_stage_count', { stage_name: 'active' }, { get: true }), 200);
  assert.equal(count, 2);
});

test('rpc by POST on a read-only function returns its scalar', async () => {
  assert.equal(ok(await a.rpc('compat_stage_count', { stage_name: 'churned' }), 200), 1);
});

test('rpc runs under RLS: a CSM computes over their own rows only', async () => {
  assert.equal(ok(await a.rpc('compat_stage_count', { stage_name: 'prospect' })), 0); // Zulu is b's
  assert.ok(ok(await service.rpc('compat_stage_count', { stage_name: 'prospect' })) >= 1);
});

test("rpc on another CSM's customer changes nothing", async () => {
  const before = ok(await service.from('customers').select('health_score').eq('id', ID.b.bravo).single());
  const res = await a.rpc('update_health_score', { customer_uuid: ID.b.bravo });
  assert.equal(res.error, null);
  const after = ok(await service.from('customers').select('health_score').eq('id', ID.b.bravo).single());
  assert.equal(after.health_score, before.health_score);
});

test('rpc returning SETOF takes select, filters, order and limit', async () => {
  const rows = ok(
    await a.rpc('compat_customers_above', { min_arr: 60000 }).select('id, name').neq('stage', 'churned').order('arr', { ascending: false }).limit(2),
    200,
  );
  assert.deepEqual(rows, [
    { id: ID.a.acme, name: 'Acme Corp' },
    { id: ID.a.echo, name: 'Echo (Systems), Ltd' },
  ]);
});

test('rpc returning SETOF with get: true', async () => {
  const rows = ok(await a.rpc('compat_customers_above', { min_arr: 200000 }, { get: true }).select('id'));
  assert.deepEqual(rows, [{ id: ID.a.cobalt }]);
});

test("rpc returning SETOF with count: 'exact'", async () => {
  const res = await a.rpc('compat_customers_above', { min_arr: 0 }, { count: 'exact' }).select('id').limit(1);
  ok(res);
  assert.equal(res.count, 4);
  assert.equal(res.data.length, 1);
});

test('rpc on an unknown function is 404 PGRST202', async () => {
  fails(await a.rpc('no_such_function', { x: 1 }), { status: 404, code: 'PGRST202' });
});

test('rpc with unknown argument names is 404 PGRST202', async () => {
  fails(await a.rpc('update_health_score', { wrong_name: ID.a.acme }), { status: 404, code: 'PGRST202' });
});

test('rpc with a malformed argument is 400 22P02', async () => {
  fails(await w.rpc('update_health_score', { customer_uuid: 'not-a-uuid' }), { status: 400, code: '22P02' });
});

test('rpc update_health_score as anon is refused: 42501 (401)', async () => {
  fails(await anonClient().rpc('update_health_score', { customer_uuid: ID.a.acme }), { status: 401, code: '42501' });
});
