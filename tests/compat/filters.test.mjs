// /rest/v1 filters through supabase-js (spec §3 filters): every operator,
// not(), or(), and() nested, match(), filter(), JSON paths, and hostile
// values that must stay values.
//
// Tenant a's customers:      arr     stage       health  industry
//   Acme Corp              120000   active        80     Software
//   Beta Labs               50000   onboarding  null     Fintech
//   Cobalt Inc             250000   churned       30     Software
//   delta co                 null   active        60     null
//   Echo (Systems), Ltd     90000   at_risk       45     Retail
import { assert, csmClient, ok, sortedIds, test } from './lib/client.mjs';
import { ID } from './lib/fixture.mjs';

const A = ID.a;
const a = await csmClient('a');
const customers = () => a.from('customers').select('id');
const expect = async (query, expected) => assert.deepEqual(sortedIds(ok(await query)), [...expected].sort());

test('eq', () => expect(customers().eq('stage', 'active'), [A.acme, A.delta]));
test('neq', () => expect(customers().neq('stage', 'active'), [A.beta, A.cobalt, A.echo]));
test('gt', () => expect(customers().gt('arr', 90000), [A.acme, A.cobalt]));
test('gte', () => expect(customers().gte('arr', 90000), [A.acme, A.cobalt, A.echo]));
test('lt', () => expect(customers().lt('arr', 90000), [A.beta]));
test('lte', () => expect(customers().lte('arr', 90000), [A.beta, A.echo]));
test('eq on a uuid column', () => expect(customers().eq('id', A.cobalt), [A.cobalt]));
test('eq on a boolean column', async () => {
  const rows = ok(await a.from('stakeholders').select('id').eq('is_primary', true));
  assert.deepEqual(sortedIds(rows), [A.alice, A.dan].sort());
});
test('gte on a date and lt on a timestamptz column', async () => {
  await expect(a.from('contracts').select('id').gte('start_date', '2024-03-01'), [A.contract2]);
  await expect(a.from('meetings').select('id').lt('scheduled_at', '2024-04-01T00:00:00Z'), [A.kickoff]);
});

test('like with % wildcards', () => expect(customers().like('name', '%Corp'), [A.acme]));
test('like with * wildcards', () => expect(customers().like('name', 'Co*'), [A.cobalt]));
test('like is case-sensitive', () => expect(customers().like('name', 'DELTA%'), []));
test('ilike is case-insensitive', () => expect(customers().ilike('name', 'DELTA%'), [A.delta]));
test('ilike with * wildcards on both sides', () => expect(customers().ilike('name', '*LAB*'), [A.beta]));

test('in', () => expect(customers().in('stage', ['active', 'churned']), [A.acme, A.cobalt, A.delta]));
test('in with values containing commas and parentheses (quoted by supabase-js)', () =>
  expect(customers().in('name', ['Echo (Systems), Ltd', 'Acme Corp']), [A.acme, A.echo]));
test('in with uuids', () => expect(customers().in('id', [A.beta, A.delta, ID.b.bravo]), [A.beta, A.delta]));
test('in with an empty list matches nothing', () => expect(customers().in('stage', []), []));

test('is null', () => expect(customers().is('health_score', null), [A.beta]));
test('not is null', () => expect(customers().not('health_score', 'is', null), [A.acme, A.cobalt, A.delta, A.echo]));
test('is true / is false on a boolean', async () => {
  await expect(a.from('stakeholders').select('id').is('is_primary', true), [A.alice, A.dan]);
  await expect(a.from('stakeholders').select('id').is('is_primary', false), [A.bob, A.carol, A.eve]);
});

test('not eq', () => expect(customers().not('stage', 'eq', 'active'), [A.beta, A.cobalt, A.echo]));
test('not in', () =>
  expect(customers().not('stage', 'in', '(active,churned)'), [A.beta, A.echo]));
test('not ilike', () => expect(customers().not('name', 'ilike', '*co*'), [A.beta, A.echo]));

test('cs on a text[] column (contains)', async () => {
  await expect(a.from('agent_sessions').select('id').contains('deployed_agents', ['renewal']), [A.session1]);
});
test('cd on a text[] column (contained by)', async () => {
  await expect(
    a.from('agent_sessions').select('id').containedBy('deployed_agents', ['onboarding', 'renewal', 'expansion']),
    [A.session1, A.session2],
  );
});
test('ov on a text[] column (overlaps)', async () => {
  await expect(a.from('agent_sessions').select('id').overlaps('deployed_agents', ['renewal', 'expansion']), [A.session1]);
});
test('cs on a jsonb column', () => expect(customers().contains('metadata', { tier: 'gold' }), [A.acme, A.delta]));
test('cd on a jsonb column', () =>
  expect(customers().containedBy('metadata', { tier: 'gold', region: 'emea', extra: 1 }), [A.acme, A.cobalt, A.delta, A.echo]));

test('textSearch (fts) with a config on a text column', async () => {
  await expect(
    a.from('insights').select('id').textSearch('content', "'renewal' & 'pricing'", { config: 'english' }),
    [A.concern],
  );
});
test('textSearch matches stems (english config)', async () => {
  await expect(a.from('insights').select('id').textSearch('content', 'worry', { config: 'english' }), [A.concern]);
});
test('textSearch type plain (plfts)', async () => {
  await expect(
    a.from('insights').select('id').textSearch('content', 'pricing proposal', { type: 'plain', config: 'english' }),
    [A.action],
  );
});
test('textSearch type phrase (phfts)', async () => {
  await expect(
    a.from('insights').select('id').textSearch('content', 'renewal pricing', { type: 'phrase', config: 'english' }),
    [A.concern],
  );
});
test('textSearch type websearch (wfts)', async () => {
  await expect(
    a.from('insights').select('id').textSearch('content', 'pricing -renewal', { type: 'websearch', config: 'english' }),
    [A.action],
  );
});

test('or()', () => expect(customers().or('stage.eq.churned,arr.lt.60000'), [A.beta, A.cobalt]));
test('or() with a nested and()', () =>
  expect(customers().or('and(stage.eq.active,arr.gt.100000),stage.eq.churned'), [A.acme, A.cobalt]));
test('or() with and() nesting another or()', () =>
  expect(customers().or('and(industry.eq.Software,or(health_score.gt.70,health_score.lt.40)),name.eq.Beta Labs'), [
    A.acme,
    A.cobalt,
    A.beta,
  ]));
test('or() with not. and is.null inside', () =>
  expect(customers().or('health_score.is.null,stage.not.in.(active,churned,at_risk)'), [A.beta]));
test('or() combined with a plain filter ANDs them', () =>
  expect(customers().or('stage.eq.active,stage.eq.churned').gt('arr', 100000), [A.acme, A.cobalt]));
test('or() with a quoted value containing a comma', () =>
  expect(customers().or('name.eq."Echo (Systems), Ltd",name.eq.Acme Corp'), [A.acme, A.echo]));
// supabase-js has no builder for these two keys; they go on its URL.
const withParam = (query, key, value) => {
  query.url.searchParams.append(key, value);
  return query;
};
test('and=(…) at the top level', () =>
  expect(withParam(customers(), 'and', '(stage.eq.active,arr.gt.100000)'), [A.acme]));
test('not.or=(…) at the top level', () =>
  expect(withParam(customers(), 'not.or', '(stage.eq.active,stage.eq.churned)'), [A.beta, A.echo]));
// delta co: active with a null arr, so NOT(true AND NULL) is NULL: excluded.
test('not.and(…) inside or()', () =>
  expect(customers().or('not.and(stage.eq.active,arr.gt.100000),stage.eq.churned'), [A.beta, A.cobalt, A.echo]));
test('or() on an embedded resource (referencedTable)', async () => {
  const rows = ok(
    await a
      .from('customers')
      .select('id, stakeholders(name)')
      .or('is_primary.eq.true,role.eq.Engineer', { referencedTable: 'stakeholders' })
      .eq('id', A.acme),
  );
  assert.deepEqual(rows[0].stakeholders.map((s) => s.name).sort(), ['Alice Smith', 'Carol White']);
});

test('repeated filters on one column AND together', () =>
  expect(customers().gt('arr', 60000).lt('arr', 200000), [A.acme, A.echo]));
test('match() is eq on every key', () =>
  expect(customers().match({ stage: 'active', industry: 'Software' }), [A.acme]));
test('filter(col, op, value)', () => expect(customers().filter('arr', 'gt', '100000'), [A.acme, A.cobalt]));
test('filter on a JSON path metadata->>tier', () => expect(customers().eq('metadata->>tier', 'gold'), [A.acme, A.delta]));
test('match and imatch (regular expressions)', async () => {
  await expect(customers().filter('name', 'match', '^[A-C]'), [A.acme, A.beta, A.cobalt]);
  await expect(customers().filter('name', 'imatch', '^d'), [A.delta]);
});
test('isdistinct', () => expect(customers().filter('health_score', 'isdistinct', '60'), [A.acme, A.beta, A.cobalt, A.echo]));

test("a value that looks like SQL stays a value", async () => {
  await expect(customers().eq('name', "Acme Corp' OR '1'='1"), []);
  await expect(customers().eq('name', 'x); DROP TABLE customers; --'), []);
  await expect(customers().in('name', ["'); DELETE FROM customers; --", 'Acme Corp']), [A.acme]);
  await expect(customers().ilike('name', "%' OR 1=1 --"), []);
  // Still all there.
  await expect(customers(), [A.acme, A.beta, A.cobalt, A.delta, A.echo]);
});
