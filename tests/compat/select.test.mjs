// /rest/v1 reads through supabase-js (spec §3 select, §5 embedding): column
// lists, aliases, *, casts and JSON paths, embedded resources both ways,
// !inner, two levels, filters on embedded resources.
import { assert, csmClient, ok, sortedIds, test, USER } from './lib/client.mjs';
import { ID, ids, ROWS, visibleTo } from './lib/fixture.mjs';

const A = ID.a;
const a = await csmClient('a');
const customer = (id) => ROWS.customers.find((c) => c.id === id);

test('select * returns every column of every visible row', async () => {
  const rows = ok(await a.from('customers').select('*'), 200);
  assert.deepEqual(sortedIds(rows), ids(visibleTo('a', 'customers')));
  const acme = rows.find((r) => r.id === A.acme);
  assert.deepEqual(Object.keys(acme).sort(), [
    'arr', 'created_at', 'csm_id', 'health_score', 'hubspot_id', 'id', 'industry', 'metadata', 'name',
    'salesforce_id', 'stage', 'updated_at',
  ]);
  assert.equal(acme.name, 'Acme Corp');
  assert.equal(acme.csm_id, USER.a.id);
  assert.equal(acme.health_score, 80);
  assert.deepEqual(acme.metadata, { tier: 'gold', region: 'emea' });
  assert.equal(acme.salesforce_id, null);
});

test('select() without columns means *', async () => {
  const rows = ok(await a.from('customers').select().eq('id', A.acme));
  assert.equal(rows.length, 1);
  assert.ok('created_at' in rows[0] && 'metadata' in rows[0]);
});

test('a column list returns exactly those keys', async () => {
  const rows = ok(await a.from('customers').select('id, name, stage').eq('id', A.beta));
  assert.deepEqual(rows, [{ id: A.beta, name: 'Beta Labs', stage: 'onboarding' }]);
});

test('JSON types: numeric as number, integer, null, jsonb object, text[] and dates', async () => {
  const [c] = ok(await a.from('customers').select('arr, health_score, metadata').eq('id', A.beta));
  assert.deepEqual(c, { arr: 50000, health_score: null, metadata: { tier: 'silver' } });
  const [s] = ok(await a.from('agent_sessions').select('deployed_agents, context').eq('id', A.session1));
  assert.deepEqual(s, { deployed_agents: ['onboarding', 'renewal'], context: { step: 2 } });
  const [k] = ok(await a.from('contracts').select('start_date, end_date').eq('id', A.contract1));
  assert.deepEqual(k, { start_date: '2024-01-01', end_date: '2025-12-31' });
  const [m] = ok(await a.from('meetings').select('scheduled_at').eq('id', A.kickoff));
  assert.equal(Date.parse(m.scheduled_at), Date.parse('2024-03-01T10:00:00Z'));
});

test('alias:col renames the key', async () => {
  const rows = ok(await a.from('customers').select('customer_name:name, arr').eq('id', A.acme));
  assert.deepEqual(rows, [{ customer_name: 'Acme Corp', arr: 120000 }]);
});

test('col::text casts the value', async () => {
  const rows = ok(await a.from('customers').select('id, arr::text').eq('id', A.acme));
  assert.deepEqual(rows, [{ id: A.acme, arr: '120000' }]);
});

test('JSON path ->> and -> select keys named after the last element', async () => {
  const rows = ok(await a.from('customers').select('id, metadata->>tier, region:metadata->region').eq('id', A.acme));
  assert.deepEqual(rows, [{ id: A.acme, tier: 'gold', region: 'emea' }]);
});

test("embedding child→parent '*, customers(id, name)' gives an object", async () => {
  const rows = ok(await a.from('stakeholders').select('*, customers(id, name)').eq('id', A.alice));
  assert.equal(rows.length, 1);
  assert.equal(rows[0].name, 'Alice Smith');
  assert.equal(rows[0].customer_id, A.acme);
  assert.deepEqual(rows[0].customers, { id: A.acme, name: 'Acme Corp' });
});

test('spec example: stakeholders?select=name,customers(id,name)&is_primary=eq.true', async () => {
  const rows = ok(await a.from('stakeholders').select('name, customers(id, name)').eq('is_primary', true).order('name'));
  assert.deepEqual(rows, [
    { name: 'Alice Smith', customers: { id: A.acme, name: 'Acme Corp' } },
    { name: 'Dan Brown', customers: { id: A.beta, name: 'Beta Labs' } },
  ]);
});

test('embedding a to-one parent through a null foreign key gives null', async () => {
  const rows = ok(await a.from('insights').select('id, meetings(title)').eq('id', A.slow));
  assert.deepEqual(rows, [{ id: A.slow, meetings: null }]);
});

test("embedding parent→children '*, stakeholders(*)' gives an array", async () => {
  const rows = ok(await a.from('customers').select('*, stakeholders(*)').eq('id', A.acme));
  assert.equal(rows.length, 1);
  assert.equal(rows[0].name, 'Acme Corp');
  assert.ok(Array.isArray(rows[0].stakeholders));
  assert.deepEqual(sortedIds(rows[0].stakeholders), [A.alice, A.bob, A.carol].sort());
  const alice = rows[0].stakeholders.find((s) => s.id === A.alice);
  assert.equal(alice.role, 'CTO');
  assert.equal(alice.customer_id, A.acme);
});

test('a parent without children embeds an empty array', async () => {
  const rows = ok(await a.from('customers').select('id, stakeholders(id)').eq('id', A.cobalt));
  assert.deepEqual(rows, [{ id: A.cobalt, stakeholders: [] }]);
});

test('an aliased embedding alias:rel(cols) renames the key', async () => {
  const rows = ok(await a.from('stakeholders').select('name, company:customers(name)').eq('id', A.dan));
  assert.deepEqual(rows, [{ name: 'Dan Brown', company: { name: 'Beta Labs' } }]);
});

test('several embeddings side by side', async () => {
  const rows = ok(
    await a.from('customers').select('id, stakeholders(id), contracts(id), agent_sessions(id)').eq('id', A.acme),
  );
  assert.equal(rows[0].stakeholders.length, 3);
  assert.deepEqual(rows[0].contracts, [{ id: A.contract1 }]);
  assert.deepEqual(rows[0].agent_sessions, [{ id: A.session1 }]);
});

test('embedding two levels meetings(title, insights(type))', async () => {
  const rows = ok(await a.from('customers').select('id, meetings(title, insights(type))').eq('id', A.acme));
  assert.equal(rows.length, 1);
  const meetings = rows[0].meetings
    .map((m) => ({ title: m.title, insights: m.insights.map((i) => i.type).sort() }))
    .sort((x, y) => x.title.localeCompare(y.title));
  assert.deepEqual(meetings, [
    { title: 'Kickoff', insights: ['action_item', 'concern'] },
    { title: 'QBR', insights: ['decision'] },
  ]);
});

test('embedding two levels upwards: entitlement → contract → customer', async () => {
  const rows = ok(await a.from('entitlements').select('name, contracts(status, customers(name))').eq('id', A.seats));
  assert.deepEqual(rows, [{ name: 'Seats', contracts: { status: 'active', customers: { name: 'Acme Corp' } } }]);
});

test('a filter on an embedded resource filters only the embedded array', async () => {
  const rows = ok(
    await a.from('customers').select('id, stakeholders(name)').eq('stakeholders.is_primary', true).in('id', [A.acme, A.cobalt]),
  );
  const byId = Object.fromEntries(rows.map((r) => [r.id, r.stakeholders.map((s) => s.name)]));
  assert.deepEqual(byId, { [A.acme]: ['Alice Smith'], [A.cobalt]: [] });
});

test('!inner drops parents without a matching child', async () => {
  const rows = ok(await a.from('customers').select('id, stakeholders!inner(id)'));
  assert.deepEqual(sortedIds(rows), [A.acme, A.beta, A.delta].sort());
});

test('!inner with a filter on the embedded resource filters the parents', async () => {
  const rows = ok(
    await a.from('customers').select('name, stakeholders!inner(name)').eq('stakeholders.role', 'CTO').order('name'),
  );
  assert.deepEqual(rows, [
    { name: 'Acme Corp', stakeholders: [{ name: 'Alice Smith' }] },
    { name: 'delta co', stakeholders: [{ name: 'Eve Black' }] },
  ].sort((x, y) => (x.name < y.name ? -1 : 1)));
});

test('!inner on a to-one embedding filters children by their parent', async () => {
  const rows = ok(await a.from('stakeholders').select('name, customers!inner(name)').eq('customers.stage', 'onboarding'));
  assert.deepEqual(rows, [{ name: 'Dan Brown', customers: { name: 'Beta Labs' } }]);
});

test('rel!hint(cols) picks the relationship by foreign key column', async () => {
  const rows = ok(await a.from('stakeholders').select('name, customers!customer_id(name)').eq('id', A.eve));
  assert.deepEqual(rows, [{ name: 'Eve Black', customers: { name: 'delta co' } }]);
});

test('rel!hint(cols) picks the relationship by foreign key constraint name', async () => {
  const rows = ok(
    await a.from('stakeholders').select('name, customers!stakeholders_customer_id_fkey(name)').eq('id', A.eve),
  );
  assert.deepEqual(rows, [{ name: 'Eve Black', customers: { name: 'delta co' } }]);
});

test('every table and the view answer select * for a CSM', async () => {
  for (const table of Object.keys(ROWS)) {
    const rows = ok(await a.from(table).select('*'), 200);
    assert.ok(Array.isArray(rows), `${table}: an array`);
    const expected = ids(visibleTo('a', table));
    for (const id of expected) assert.ok(rows.some((r) => r.id === id), `${table}: row ${id} visible`);
  }
  const view = ok(await a.from('customer_health_view').select('*'), 200);
  assert.deepEqual(sortedIds(view), ids(visibleTo('a', 'customers')));
});

test('customer_health_view returns its aggregates for the CSM', async () => {
  const rows = ok(await a.from('customer_health_view').select('*').eq('id', A.acme));
  assert.equal(rows.length, 1);
  const v = rows[0];
  assert.equal(v.name, 'Acme Corp');
  assert.equal(v.arr, 120000);
  assert.equal(v.health_score, 80);
  assert.equal(v.stage, 'active');
  assert.equal(Number(v.stakeholder_count), 3);
  assert.equal(Number(v.meeting_count), 2);
  assert.equal(Number(v.concern_count), 1);
  assert.equal(Date.parse(v.last_meeting), Date.parse('2024-06-01T10:00:00Z'));
  assert.ok(v.last_interaction, 'last_interaction from the messages');
  assert.equal(customer(A.acme).name, v.name);
});

test('HEAD (select with head:true) returns no body', async () => {
  const res = await a.from('customers').select('*', { head: true });
  assert.equal(res.error, null);
  assert.equal(res.status, 200);
  assert.equal(res.data, null);
});

test('the *_tenant_fkey integrity guards do not make embeddings ambiguous', async () => {
  const insight = ok(await a.from('insights').select('id, meetings(title)').eq('id', A.concern));
  assert.deepEqual(insight, [{ id: A.concern, meetings: { title: 'Kickoff' } }]);
  const meeting = ok(await a.from('meetings').select('id, agent_sessions(status), insights(id)').eq('id', A.qbr));
  assert.deepEqual(meeting, [{ id: A.qbr, agent_sessions: null, insights: [{ id: A.decision }] }]);
  const progress = ok(await a.from('training_progress').select('id, stakeholders(name)').eq('id', A.progress1));
  assert.deepEqual(progress, [{ id: A.progress1, stakeholders: { name: 'Alice Smith' } }]);
  const stakeholder = ok(await a.from('stakeholders').select('id, training_progress(id)').eq('id', A.bob));
  assert.deepEqual(stakeholder, [{ id: A.bob, training_progress: [{ id: A.progress2 }] }]);
});
