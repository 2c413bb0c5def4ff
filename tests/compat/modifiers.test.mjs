// /rest/v1 modifiers through supabase-js (spec §2, §3 order/limit/offset):
// order (several keys, nulls, embedded and related), limit/range with
// count:'exact' (Content-Range, 200/206/416), single()/maybeSingle().
//
// Tenant a's customers by arr (asc, nulls last): Beta 50000, Echo 90000,
// Acme 120000, Cobalt 250000, delta null. health_score: Acme 80, Beta null,
// Cobalt 30, delta 60, Echo 45.
import { assert, csmClient, lastExchange, ok, test } from './lib/client.mjs';
import { ID } from './lib/fixture.mjs';

const A = ID.a;
const a = await csmClient('a');
const idsOf = (rows) => rows.map((r) => r.id);

test('order ascending by default, nulls last', async () => {
  const rows = ok(await a.from('customers').select('id').order('arr'));
  assert.deepEqual(idsOf(rows), [A.beta, A.echo, A.acme, A.cobalt, A.delta]);
});

test('order descending puts nulls first (PostgreSQL default)', async () => {
  const rows = ok(await a.from('customers').select('id').order('health_score', { ascending: false }));
  assert.deepEqual(idsOf(rows), [A.beta, A.acme, A.delta, A.echo, A.cobalt]);
});

test('order with nullsFirst: true', async () => {
  const rows = ok(await a.from('customers').select('id').order('health_score', { nullsFirst: true }));
  assert.deepEqual(idsOf(rows), [A.beta, A.cobalt, A.echo, A.delta, A.acme]);
});

test('order descending with nullsFirst: false', async () => {
  const rows = ok(await a.from('customers').select('id').order('health_score', { ascending: false, nullsFirst: false }));
  assert.deepEqual(idsOf(rows), [A.acme, A.delta, A.echo, A.cobalt, A.beta]);
});

test('order by several keys', async () => {
  const rows = ok(
    await a.from('customers').select('id').order('industry', { nullsFirst: true }).order('health_score', { ascending: false }),
  );
  // industry: null (delta), Fintech (Beta), Retail (Echo), Software (Acme 80, Cobalt 30)
  assert.deepEqual(idsOf(rows), [A.delta, A.beta, A.echo, A.acme, A.cobalt]);
});

test('order by a JSON path', async () => {
  const rows = ok(
    await a.from('customers').select('id').in('id', [A.acme, A.beta]).order('metadata->>tier', { ascending: false }),
  );
  assert.deepEqual(idsOf(rows), [A.beta, A.acme]); // silver > gold
});

test('order on an embedded resource (referencedTable)', async () => {
  const rows = ok(
    await a
      .from('customers')
      .select('id, stakeholders(name)')
      .eq('id', A.acme)
      .order('name', { referencedTable: 'stakeholders', ascending: false }),
  );
  assert.deepEqual(rows[0].stakeholders.map((s) => s.name), ['Carol White', 'Bob Jones', 'Alice Smith']);
});

test('order on an embedded resource (foreignTable, the older option name)', async () => {
  const rows = ok(
    await a.from('customers').select('id, stakeholders(name)').eq('id', A.acme).order('name', { foreignTable: 'stakeholders' }),
  );
  assert.deepEqual(rows[0].stakeholders.map((s) => s.name), ['Alice Smith', 'Bob Jones', 'Carol White']);
});

test('order on a nested embedded resource (meetings.insights)', async () => {
  const rows = ok(
    await a
      .from('customers')
      .select('id, meetings(title, insights(type))')
      .eq('id', A.acme)
      .order('title', { referencedTable: 'meetings' })
      .order('type', { referencedTable: 'meetings.insights', ascending: false }),
  );
  assert.deepEqual(rows[0].meetings, [
    { title: 'Kickoff', insights: [{ type: 'concern' }, { type: 'action_item' }] },
    { title: 'QBR', insights: [{ type: 'decision' }] },
  ]);
});

test('order by a to-one related column customers(name)', async () => {
  const rows = ok(
    await a.from('stakeholders').select('id, customers(name)').in('id', [A.alice, A.dan, A.eve]).order('customers(name)', { ascending: false }),
  );
  // delta co > Beta Labs > Acme Corp in C and in case-insensitive collations alike.
  assert.deepEqual(idsOf(rows), [A.eve, A.dan, A.alice]);
});

test('limit', async () => {
  const rows = ok(await a.from('customers').select('id').order('arr').limit(2));
  assert.deepEqual(idsOf(rows), [A.beta, A.echo]);
});

test('limit on an embedded resource', async () => {
  const rows = ok(
    await a
      .from('customers')
      .select('id, stakeholders(name)')
      .eq('id', A.acme)
      .order('name', { referencedTable: 'stakeholders' })
      .limit(1, { referencedTable: 'stakeholders' }),
  );
  assert.deepEqual(rows[0].stakeholders, [{ name: 'Alice Smith' }]);
});

test('range (offset + limit)', async () => {
  const rows = ok(await a.from('customers').select('id').order('arr').range(1, 2));
  assert.deepEqual(idsOf(rows), [A.echo, A.acme]);
});

test('range on an embedded resource', async () => {
  const rows = ok(
    await a
      .from('customers')
      .select('id, stakeholders(name)')
      .eq('id', A.acme)
      .order('name', { referencedTable: 'stakeholders' })
      .range(1, 2, { referencedTable: 'stakeholders' }),
  );
  assert.deepEqual(rows[0].stakeholders, [{ name: 'Bob Jones' }, { name: 'Carol White' }]);
});

test("count: 'exact' over all rows: 200, count, Content-Range 0-4/5", async () => {
  const res = await a.from('customers').select('id', { count: 'exact' });
  ok(res, 200);
  assert.equal(res.count, 5);
  assert.equal(res.data.length, 5);
  assert.equal(lastExchange().contentRange, '0-4/5');
});

test("count: 'exact' with range: 206, count of all, Content-Range 1-2/5", async () => {
  const res = await a.from('customers').select('id', { count: 'exact' }).order('arr').range(1, 2);
  ok(res, 206);
  assert.equal(res.count, 5);
  assert.deepEqual(idsOf(res.data), [A.echo, A.acme]);
  assert.equal(lastExchange().contentRange, '1-2/5');
});

test("count: 'exact' with a filter counts the filtered rows", async () => {
  const res = await a.from('customers').select('id', { count: 'exact' }).eq('stage', 'active');
  ok(res, 200);
  assert.equal(res.count, 2);
});

test("count: 'exact' with head: true returns the count and no rows", async () => {
  const res = await a.from('customers').select('*', { count: 'exact', head: true });
  ok(res, 200);
  assert.equal(res.count, 5);
  assert.equal(res.data, null);
});

test("count: 'exact' with no rows: 200, count 0, Content-Range */0", async () => {
  const res = await a.from('customers').select('id', { count: 'exact' }).eq('stage', 'nonexistent');
  ok(res, 200);
  assert.equal(res.count, 0);
  assert.deepEqual(res.data, []);
  assert.equal(lastExchange().contentRange, '*/0');
});

test('without count the Content-Range total is *', async () => {
  const res = await a.from('customers').select('id').order('arr').range(0, 1);
  ok(res, 200);
  assert.equal(res.count, null);
  assert.equal(lastExchange().contentRange, '0-1/*');
});

test("range past the last row with count: 'exact' is 416 PGRST103", async () => {
  const res = await a.from('customers').select('id', { count: 'exact' }).range(10, 12);
  assert.equal(res.status, 416);
  assert.equal(res.error?.code, 'PGRST103');
  assert.equal(res.error.message, 'Requested range not satisfiable');
});

test("range starting at the row count with count: 'exact': 206, [], Content-Range */5", async () => {
  const res = await a.from('customers').select('id', { count: 'exact' }).range(5, 9);
  assert.deepEqual(ok(res, 206), []);
  assert.equal(res.count, 5);
  assert.equal(lastExchange().contentRange, '*/5');
});

test('range past the last row without a count is an empty 200', async () => {
  const res = await a.from('customers').select('id').range(10, 12);
  assert.deepEqual(ok(res, 200), []);
});

test('single() returns one object', async () => {
  const res = await a.from('customers').select('id, name').eq('id', A.acme).single();
  assert.deepEqual(ok(res, 200), { id: A.acme, name: 'Acme Corp' });
});

test('single() with no row is 406 PGRST116', async () => {
  const res = await a.from('customers').select('id').eq('stage', 'nonexistent').single();
  assert.equal(res.status, 406);
  assert.deepEqual(res.error, {
    code: 'PGRST116',
    details: 'The result contains 0 rows',
    hint: null,
    message: 'Cannot coerce the result to a single JSON object',
  });
  assert.equal(res.data, null);
});

test('single() with several rows is 406 PGRST116', async () => {
  const res = await a.from('customers').select('id').eq('stage', 'active').single();
  assert.equal(res.status, 406);
  assert.equal(res.error?.code, 'PGRST116');
  assert.equal(res.error.details, 'The result contains 2 rows');
  assert.equal(res.error.message, 'Cannot coerce the result to a single JSON object');
});

test("single() on another CSM's row is 406 PGRST116 (not visible)", async () => {
  const res = await a.from('customers').select('id').eq('id', ID.b.bravo).single();
  assert.equal(res.status, 406);
  assert.equal(res.error?.code, 'PGRST116');
});

test('maybeSingle() with one row returns the object', async () => {
  const res = await a.from('customers').select('id, stage').eq('id', A.beta).maybeSingle();
  assert.deepEqual(ok(res, 200), { id: A.beta, stage: 'onboarding' });
});

test('maybeSingle() with no row returns null without error', async () => {
  const res = await a.from('customers').select('id').eq('stage', 'nonexistent').maybeSingle();
  assert.equal(ok(res, 200), null);
});

test('maybeSingle() with several rows is PGRST116', async () => {
  const res = await a.from('customers').select('id').eq('stage', 'active').maybeSingle();
  assert.equal(res.status, 406);
  assert.equal(res.error?.code, 'PGRST116');
});

// RFC 4180 fields: quoted ("" inside quotes is one ") or bare.
function parseCsv(text) {
  const rows = [];
  for (const line of text.split('\n')) {
    const fields = [];
    for (let i = 0; i <= line.length; ) {
      if (line[i] === '"') {
        let v = '';
        for (i++; i < line.length; i++) {
          if (line[i] === '"' && line[i + 1] === '"') v += line[i++];
          else if (line[i] === '"') break;
          else v += line[i];
        }
        fields.push(v);
        i += 2; // closing quote and comma
      } else {
        const end = line.indexOf(',', i) === -1 ? line.length : line.indexOf(',', i);
        fields.push(line.slice(i, end));
        i = end + 1;
      }
    }
    rows.push(fields);
  }
  return rows;
}

test('csv() returns text/csv: a header line, then one line per row', async () => {
  const res = await a.from('customers').select('name, stage, arr').in('id', [A.acme, A.echo]).order('arr').csv();
  const text = ok(res, 200);
  assert.equal(typeof text, 'string');
  assert.deepEqual(parseCsv(text.replace(/\n$/, '')), [
    ['name', 'stage', 'arr'],
    ['Echo (Systems), Ltd', 'at_risk', '90000'],
    ['Acme Corp', 'active', '120000'],
  ]);
});
