// /rest/v1 writes through supabase-js (spec §4): insert one and bulk, with
// and without select() (return=representation|minimal), defaults, update,
// upsert (merge, onConflict, ignoreDuplicates), delete, counts, writes with
// single(). All as CSM w on w's own customers.
import { assert, csmClient, lastExchange, ok, serviceClient, sortedIds, test, USER } from './lib/client.mjs';
import { ID } from './lib/fixture.mjs';

const W = ID.w;
const w = await csmClient('w');
const service = serviceClient();
const csm_id = USER.w.id;
let serial = 0;
const name = (what) => `Writes ${what} ${++serial}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// A customer of w's, made through the service role, returned whole.
async function made(fields = {}) {
  return ok(await service.from('customers').insert({ name: name('made'), csm_id, ...fields }).select().single());
}
async function fetched(id) {
  return ok(await service.from('customers').select('*').eq('id', id).maybeSingle());
}

test('insert one row without select(): 201, no body (return=minimal)', async () => {
  const n = name('minimal');
  const res = await w.from('customers').insert({ name: n, csm_id });
  assert.equal(res.error, null);
  assert.equal(res.status, 201);
  assert.equal(res.data, null);
  assert.equal(lastExchange().body, '');
  const rows = ok(await w.from('customers').select('name').eq('name', n));
  assert.deepEqual(rows, [{ name: n }]);
});

test('insert one row with select(): 201 and the row with its defaults', async () => {
  const n = name('representation');
  const before = Date.now();
  const rows = ok(await w.from('customers').insert({ name: n, csm_id }).select(), 201);
  assert.equal(rows.length, 1);
  const row = rows[0];
  assert.match(row.id, UUID, 'id defaulted');
  assert.equal(row.name, n);
  assert.equal(row.csm_id, csm_id);
  assert.equal(row.stage, 'prospect', 'stage defaulted');
  assert.deepEqual(row.metadata, {}, 'metadata defaulted');
  assert.equal(row.arr, null);
  assert.equal(row.health_score, null);
  assert.ok(Math.abs(Date.parse(row.created_at) - before) < 60_000, `created_at ${row.created_at}`);
  assert.ok(row.updated_at, 'updated_at defaulted');
});

test('insert with select(cols) shapes the returned rows', async () => {
  const n = name('shaped');
  const rows = ok(await w.from('customers').insert({ name: n, csm_id, arr: 1234.5 }).select('name, arr, stage'), 201);
  assert.deepEqual(rows, [{ name: n, arr: 1234.5, stage: 'prospect' }]);
});

test('insert with select() and an embedded parent', async () => {
  const rows = ok(
    await w.from('stakeholders').insert({ customer_id: W.main, name: name('embedded') }).select('name, customers(name)'),
    201,
  );
  assert.equal(rows[0].customers.name, 'Walt Main');
});

test('insert().select().single() returns one object', async () => {
  const n = name('single');
  const row = ok(await w.from('customers').insert({ name: n, csm_id }).select('name').single(), 201);
  assert.deepEqual(row, { name: n });
});

test('insert keeps explicit values (id, jsonb, text[], numeric, null)', async () => {
  const id = '0c0c0c0c-0000-4000-8000-000000000001';
  const row = ok(
    await w
      .from('agent_sessions')
      .insert({ id, customer_id: W.main, deployed_agents: ['renewal', 'expansion'], context: { a: [1, { b: null }] }, ended_at: null })
      .select('id, deployed_agents, context, status, ended_at')
      .single(),
    201,
  );
  assert.deepEqual(row, {
    id,
    deployed_agents: ['renewal', 'expansion'],
    context: { a: [1, { b: null }] },
    status: 'active',
    ended_at: null,
  });
});

test('bulk insert with select(): 201 and every row', async () => {
  const [n1, n2, n3] = [name('bulk'), name('bulk'), name('bulk')];
  const rows = ok(
    await w
      .from('customers')
      .insert([
        { name: n1, csm_id, arr: 1 },
        { name: n2, csm_id, arr: 2 },
        { name: n3, csm_id, arr: 3 },
      ])
      .select('name, arr'),
    201,
  );
  assert.deepEqual(rows.sort((x, y) => x.arr - y.arr), [
    { name: n1, arr: 1 },
    { name: n2, arr: 2 },
    { name: n3, arr: 3 },
  ]);
});

test('bulk insert without select(): 201, no body', async () => {
  const n = name('bulkmin');
  const res = await w.from('customers').insert([{ name: n, csm_id }, { name: n, csm_id }]);
  assert.equal(res.error, null);
  assert.equal(res.status, 201);
  assert.equal(res.data, null);
  const rows = ok(await w.from('customers').select('id').eq('name', n));
  assert.equal(rows.length, 2);
});

test('bulk insert: a key missing from one object becomes NULL (columns=)', async () => {
  const [n1, n2] = [name('missing'), name('missing')];
  const rows = ok(
    await w.from('customers').insert([{ name: n1, csm_id, stage: 'active' }, { name: n2, csm_id }]).select('name, stage'),
    201,
  );
  const byName = Object.fromEntries(rows.map((r) => [r.name, r.stage]));
  assert.deepEqual(byName, { [n1]: 'active', [n2]: null });
});

test('bulk insert with defaultToNull: false gives the missing key its DEFAULT', async () => {
  const [n1, n2] = [name('default'), name('default')];
  const rows = ok(
    await w
      .from('customers')
      .insert([{ name: n1, csm_id, stage: 'active' }, { name: n2, csm_id }], { defaultToNull: false })
      .select('name, stage, metadata'),
    201,
  );
  const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
  assert.equal(byName[n1].stage, 'active');
  assert.equal(byName[n2].stage, 'prospect');
  assert.deepEqual(byName[n2].metadata, {});
});

test("insert with count: 'exact' reports the inserted rows", async () => {
  const res = await w.from('customers').insert([{ name: name('count'), csm_id }, { name: name('count'), csm_id }], { count: 'exact' });
  assert.equal(res.error, null);
  assert.equal(res.status, 201);
  assert.equal(res.count, 2);
});

test('update with select(): 200 and the updated rows', async () => {
  const c = await made({ stage: 'prospect', arr: 10 });
  const rows = ok(await w.from('customers').update({ stage: 'active', arr: 20 }).eq('id', c.id).select('id, stage, arr'), 200);
  assert.deepEqual(rows, [{ id: c.id, stage: 'active', arr: 20 }]);
  const after = await fetched(c.id);
  assert.equal(after.name, c.name, 'columns not in the payload keep their values');
});

test('update without select(): 204, no body', async () => {
  const c = await made();
  const res = await w.from('customers').update({ industry: 'Media' }).eq('id', c.id);
  assert.equal(res.error, null);
  assert.equal(res.status, 204);
  assert.equal(res.data, null);
  assert.equal((await fetched(c.id)).industry, 'Media');
});

test('update applies to every row matching the filters', async () => {
  const tag = name('many');
  const [c1, c2, c3] = [await made({ industry: tag }), await made({ industry: tag }), await made()];
  const rows = ok(await w.from('customers').update({ stage: 'churned' }).eq('industry', tag).select('id'));
  assert.deepEqual(sortedIds(rows), [c1.id, c2.id].sort());
  assert.notEqual((await fetched(c3.id)).stage, 'churned');
});

test('update matching no row: 200 and []', async () => {
  const rows = ok(await w.from('customers').update({ stage: 'active' }).eq('name', 'no such customer').select(), 200);
  assert.deepEqual(rows, []);
});

test('update().select().single() returns the object', async () => {
  const c = await made();
  const row = ok(await w.from('customers').update({ arr: 99 }).eq('id', c.id).select('arr').single(), 200);
  assert.deepEqual(row, { arr: 99 });
});

test('update().single() matching no row is 406 PGRST116 and changes nothing', async () => {
  const tag = name('rollback');
  const [c1, c2] = [await made({ industry: tag }), await made({ industry: tag })];
  const res = await w.from('customers').update({ stage: 'churned' }).eq('industry', tag).select('id').single();
  assert.equal(res.status, 406);
  assert.equal(res.error?.code, 'PGRST116');
  assert.notEqual((await fetched(c1.id)).stage, 'churned', 'rolled back');
  assert.notEqual((await fetched(c2.id)).stage, 'churned', 'rolled back');
});

test('update sets jsonb and null values', async () => {
  const c = await made({ arr: 5, metadata: { x: 1 } });
  const row = ok(await w.from('customers').update({ arr: null, metadata: { y: [2] } }).eq('id', c.id).select('arr, metadata').single());
  assert.deepEqual(row, { arr: null, metadata: { y: [2] } });
});

test("update with count: 'exact' reports the updated rows", async () => {
  const tag = name('ucount');
  await made({ industry: tag });
  await made({ industry: tag });
  const res = await w.from('customers').update({ stage: 'active' }, { count: 'exact' }).eq('industry', tag);
  assert.equal(res.error, null);
  assert.equal(res.count, 2);
});

test('upsert of a new row inserts it: 201', async () => {
  const id = '0c0c0c0c-0000-4000-8000-000000000002';
  const rows = ok(await w.from('customers').upsert({ id, name: name('upsert-new'), csm_id }).select('id, stage'), 201);
  assert.deepEqual(rows, [{ id, stage: 'prospect' }]);
});

test('upsert of an existing row merges the payload columns: 200, others kept', async () => {
  const c = await made({ arr: 500, industry: 'Kept' });
  const res = await w.from('customers').upsert({ id: c.id, name: 'Renamed by upsert', csm_id }).select('id, name, arr, industry');
  assert.deepEqual(ok(res), [{ id: c.id, name: 'Renamed by upsert', arr: 500, industry: 'Kept' }]);
  assert.equal(res.status, 200, 'a merge that inserted nothing is 200');
});

test('bulk upsert inserts the new rows and merges the existing ones', async () => {
  const c = await made({ arr: 1 });
  const id = '0c0c0c0c-0000-4000-8000-000000000003';
  const rows = ok(
    await w
      .from('customers')
      .upsert([
        { id: c.id, name: c.name, csm_id, arr: 2 },
        { id, name: name('bulk-upsert'), csm_id, arr: 3 },
      ])
      .select('id, arr'),
    201,
  );
  assert.deepEqual(rows.sort((x, y) => x.arr - y.arr), [
    { id: c.id, arr: 2 },
    { id, arr: 3 },
  ]);
});

test('upsert with onConflict on a unique index', async () => {
  const key = { customer_id: W.main, stakeholder_id: W.stake2, module_id: ID.shared.analytics };
  const first = ok(
    await w.from('training_progress').upsert({ ...key, progress: 10 }, { onConflict: 'customer_id,stakeholder_id,module_id' }).select('id, progress'),
  );
  const second = ok(
    await w.from('training_progress').upsert({ ...key, progress: 20 }, { onConflict: 'customer_id,stakeholder_id,module_id' }).select('id, progress'),
  );
  assert.equal(second.length, 1);
  assert.equal(second[0].id, first[0].id, 'the same row');
  assert.equal(second[0].progress, 20);
  const all = ok(await w.from('training_progress').select('id').match(key));
  assert.equal(all.length, 1);
});

test('upsert with ignoreDuplicates leaves the existing row and does not return it', async () => {
  const c = await made({ arr: 7 });
  const res = await w
    .from('customers')
    .upsert({ id: c.id, name: 'Should be ignored', csm_id, arr: 8 }, { ignoreDuplicates: true })
    .select('id');
  assert.deepEqual(ok(res), []);
  const after = await fetched(c.id);
  assert.equal(after.name, c.name);
  assert.equal(after.arr, 7);
});

test('upsert with ignoreDuplicates still inserts the new rows', async () => {
  const c = await made();
  const id = '0c0c0c0c-0000-4000-8000-000000000004';
  const rows = ok(
    await w
      .from('customers')
      .upsert([{ id: c.id, name: 'ignored', csm_id }, { id, name: name('ignore-new'), csm_id }], { ignoreDuplicates: true })
      .select('id'),
  );
  assert.deepEqual(sortedIds(rows), [id]);
});

test('upsert without select(): no body', async () => {
  const c = await made();
  const res = await w.from('customers').upsert({ id: c.id, name: 'Minimal upsert', csm_id });
  assert.equal(res.error, null);
  assert.equal(res.data, null);
  assert.equal((await fetched(c.id)).name, 'Minimal upsert');
});

test('delete with select(): 200 and the deleted rows', async () => {
  const c = await made();
  const rows = ok(await w.from('customers').delete().eq('id', c.id).select('id, name'), 200);
  assert.deepEqual(rows, [{ id: c.id, name: c.name }]);
  assert.equal(await fetched(c.id), null);
});

test('delete without select(): 204, no body', async () => {
  const c = await made();
  const res = await w.from('customers').delete().eq('id', c.id);
  assert.equal(res.error, null);
  assert.equal(res.status, 204);
  assert.equal(res.data, null);
  assert.equal(await fetched(c.id), null);
});

test('delete matching no row: [] and nothing removed', async () => {
  const rows = ok(await w.from('customers').delete().eq('name', 'no such customer').select());
  assert.deepEqual(rows, []);
});

test('delete with a filter on several rows and a count', async () => {
  const tag = name('delete-many');
  const [c1, c2] = [await made({ industry: tag }), await made({ industry: tag })];
  const res = await w.from('customers').delete({ count: 'exact' }).eq('industry', tag).select('id');
  assert.deepEqual(sortedIds(ok(res)), [c1.id, c2.id].sort());
  assert.equal(res.count, 2);
});

test('delete cascades to children (ON DELETE CASCADE)', async () => {
  const c = await made();
  const s = ok(await w.from('stakeholders').insert({ customer_id: c.id, name: name('child') }).select('id').single());
  ok(await w.from('customers').delete().eq('id', c.id));
  assert.deepEqual(ok(await service.from('stakeholders').select('id').eq('id', s.id)), []);
});

test('writes on every customer-scoped table succeed for the owning CSM', async () => {
  const session = ok(await w.from('agent_sessions').insert({ customer_id: W.main }).select('id').single());
  const meeting = ok(await w.from('meetings').insert({ customer_id: W.main, title: 'Weekly' }).select('id').single());
  const contract = ok(await w.from('contracts').insert({ customer_id: W.main, status: 'draft' }).select('id').single());
  const inserts = {
    stakeholders: { customer_id: W.main, name: 'New Person' },
    entitlements: { contract_id: contract.id, name: 'Seats' },
    agent_messages: { session_id: session.id, role: 'user', content: 'hi' },
    approvals: { session_id: session.id, agent_id: 'renewal', action: 'call' },
    transcripts: { meeting_id: meeting.id, content: 'W: hi' },
    insights: { customer_id: W.main, meeting_id: meeting.id, source: 'meeting', type: 'quote', content: 'good' },
    training_progress: { customer_id: W.main, stakeholder_id: W.stake1, module_id: ID.shared.analytics, progress: 5 },
    activity_log: { customer_id: W.main, user_id: csm_id, action: 'note' },
  };
  for (const [table, row] of Object.entries(inserts)) {
    const made_ = ok(await w.from(table).insert(row).select('id').single(), 201);
    if (table === 'activity_log') continue; // append-only below service_role
    const updated = ok(await w.from(table).update({ created_at: '2024-01-01T00:00:00Z' }).eq('id', made_.id).select('id'));
    assert.equal(updated.length, 1, `${table}: updated`);
    const deleted = ok(await w.from(table).delete().eq('id', made_.id).select('id'));
    assert.equal(deleted.length, 1, `${table}: deleted`);
  }
});
