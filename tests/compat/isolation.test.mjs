// Tenant isolation through /rest/v1 (issue 5, spec §1 RLS): CSM a never sees
// or changes CSM b's rows, on every customer-scoped table, through select,
// embedding (an embedded child of a visible parent is still filtered by its
// own policy), update, delete, upsert and insert; anon sees nothing
// customer-scoped; service_role sees everything; customer_health_view obeys
// the same rules.
import { anonClient, assert, csmClient, ok, serviceClient, sortedIds, test, USER } from './lib/client.mjs';
import { ID, ids, ROWS, SCOPED_TABLES, visibleTo } from './lib/fixture.mjs';

const A = ID.a, B = ID.b, S = ID.shared;
const a = await csmClient('a');
const b = await csmClient('b');
const anon = anonClient();
const service = serviceClient();

// Per table: b's row that a attacks, a text column to change, and a new row
// hanging off one of b's parents.
const TARGET = {
  customers: { id: B.bravo, column: 'name', insert: { name: 'Planted', csm_id: USER.b.id } },
  stakeholders: { id: B.zed, column: 'notes', insert: { customer_id: B.bravo, name: 'Planted' } },
  contracts: { id: B.contract1, column: 'raw_text', insert: { customer_id: B.bravo, raw_text: 'Planted' } },
  entitlements: { id: B.seats, column: 'description', insert: { contract_id: B.contract1, name: 'Planted' } },
  agent_sessions: { id: B.session1, column: 'status', insert: { customer_id: B.bravo, status: 'Planted' } },
  agent_messages: { id: B.message1, column: 'content', insert: { session_id: B.session1, role: 'user', content: 'Planted' } },
  approvals: { id: B.approval1, column: 'comment', insert: { session_id: B.session1, agent_id: 'x', action: 'Planted' } },
  meetings: { id: B.kickoff, column: 'description', insert: { customer_id: B.bravo, title: 'Planted' } },
  transcripts: { id: B.transcript1, column: 'content', insert: { meeting_id: B.kickoff, content: 'Planted' } },
  insights: { id: B.concern, column: 'owner', insert: { customer_id: B.bravo, source: 'agent', type: 'quote', content: 'Planted' } },
  training_progress: {
    id: B.progress1,
    column: 'status',
    insert: { customer_id: B.bravo, stakeholder_id: B.zed, module_id: S.analytics, status: 'Planted' },
  },
  activity_log: { id: B.activity1, column: 'action', insert: { customer_id: B.bravo, user_id: USER.a.id, action: 'Planted' } },
};

// A fixture row as stored: tenant placeholders replaced by user ids.
function stored(table, id) {
  const row = ROWS[table].find((r) => r.id === id);
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v && typeof v === 'object' && v.$user ? USER[v.$user].id : v]));
}

async function serviceRow(table, id) {
  return ok(await service.from(table).select('*').eq('id', id).maybeSingle());
}

async function assertUnchanged(table, id, before) {
  assert.deepEqual(await serviceRow(table, id), before, `${table} ${id} unchanged`);
}

function assertRefused(res, what) {
  // RLS refuses (42501): 403 for a signed-in user.
  assert.ok(res.error, `${what}: expected a refusal, got ${JSON.stringify(res.data)}`);
  assert.equal(res.error.code, '42501', `${what}: ${JSON.stringify(res.error)}`);
  assert.equal(res.status, 403, `${what}: status`);
}

for (const table of SCOPED_TABLES) {
  const target = TARGET[table];

  test(`${table}: each CSM's select returns exactly their rows`, async () => {
    for (const [tenant, client, other] of [['a', a, 'b'], ['b', b, 'a']]) {
      const rows = ok(await client.from(table).select('*'), 200);
      const expected = ids(visibleTo(tenant, table));
      const forbidden = new Set(ids(visibleTo(other, table)).filter((id) => !expected.includes(id)));
      if (table === 'activity_log') {
        // Audit triggers may add rows; the fixture's must be there, the other's not.
        for (const id of expected) assert.ok(rows.some((r) => r.id === id), `${tenant} sees ${id}`);
        const own = new Set(ids(visibleTo(tenant, 'customers')));
        for (const r of rows) assert.ok(own.has(r.customer_id), `${tenant} sees only own customers' log: ${JSON.stringify(r)}`);
      } else {
        assert.deepEqual(sortedIds(rows), expected, `${tenant} sees exactly their ${table}`);
      }
      for (const r of rows) assert.ok(!forbidden.has(r.id), `${tenant} must not see ${r.id}`);
    }
  });

  test(`${table}: selecting the other CSM's row by id returns nothing, count 0`, async () => {
    const res = await a.from(table).select('*', { count: 'exact' }).eq('id', target.id);
    assert.deepEqual(ok(res, 200), []);
    assert.equal(res.count, 0);
  });

  test(`${table}: update of the other CSM's row changes nothing`, async () => {
    const before = await serviceRow(table, target.id);
    const res = await a.from(table).update({ [target.column]: 'hacked' }).eq('id', target.id).select();
    if (table === 'activity_log') {
      // Append-only: no UPDATE privilege at all.
      assertRefused(res, 'update activity_log');
    } else {
      assert.deepEqual(ok(res, 200), [], 'nothing updated');
    }
    await assertUnchanged(table, target.id, before);
  });

  test(`${table}: delete of the other CSM's row removes nothing`, async () => {
    const before = await serviceRow(table, target.id);
    const res = await a.from(table).delete().eq('id', target.id).select();
    if (table === 'activity_log') assertRefused(res, 'delete activity_log');
    else assert.deepEqual(ok(res, 200), [], 'nothing deleted');
    await assertUnchanged(table, target.id, before);
  });

  test(`${table}: upsert over the other CSM's row is refused (42501)`, async () => {
    const before = await serviceRow(table, target.id);
    const payload = { ...stored(table, target.id), [target.column]: 'hacked' };
    assertRefused(await a.from(table).upsert(payload).select(), `upsert ${table}`);
    await assertUnchanged(table, target.id, before);
  });

  test(`${table}: upsert with ignoreDuplicates over the other CSM's row changes nothing`, async () => {
    const before = await serviceRow(table, target.id);
    const payload = { ...stored(table, target.id), [target.column]: 'hacked' };
    const res = await a.from(table).upsert(payload, { ignoreDuplicates: true }).select();
    // Either INSERT's WITH CHECK refuses the proposed row (42501) or the
    // conflict makes it a no-op ([]): never a change, never b's row back.
    if (res.error) assertRefused(res, `upsert ignoreDuplicates ${table}`);
    else assert.deepEqual(res.data, [], 'nothing returned');
    await assertUnchanged(table, target.id, before);
  });

  test(`${table}: insert under the other CSM's parent is refused (42501)`, async () => {
    assertRefused(await a.from(table).insert(target.insert).select(), `insert ${table}`);
    const column = Object.keys(target.insert).find((k) => target.insert[k] === 'Planted');
    const planted = ok(await service.from(table).select('id').eq(column, 'Planted'));
    assert.deepEqual(planted, [], 'nothing planted');
  });

  test(`${table}: anon sees no rows`, async () => {
    const res = await anon.from(table).select('*', { count: 'exact' });
    assert.deepEqual(ok(res, 200), []);
    assert.equal(res.count, 0);
  });

  test(`${table}: service_role sees every tenant's rows`, async () => {
    const rows = ok(await service.from(table).select('id'), 200);
    const all = new Set(rows.map((r) => r.id));
    for (const r of ROWS[table]) assert.ok(all.has(r.id), `service_role sees ${r.id}`);
  });
}

test('filters cannot widen what a CSM sees', async () => {
  assert.deepEqual(ok(await a.from('customers').select('id').eq('csm_id', USER.b.id)), []);
  assert.deepEqual(ok(await a.from('customers').select('id').or(`csm_id.eq.${USER.b.id},id.eq.${B.bravo}`)), []);
  assert.deepEqual(ok(await a.from('stakeholders').select('id').in('customer_id', [B.bravo, B.zulu])), []);
});

// training_modules is the one parent both tenants' rows hang off (the
// *_tenant_fkey guards keep every other child with its parent's customer).
test("embedding: a shared parent's children are filtered by their own policy (training_modules → training_progress)", async () => {
  const forA = ok(await a.from('training_modules').select('id, training_progress(id)').eq('id', S.onboarding));
  assert.deepEqual(sortedIds(forA[0].training_progress), [A.progress1, A.progress2].sort());
  const forB = ok(await b.from('training_modules').select('id, training_progress(id)').eq('id', S.onboarding));
  assert.deepEqual(sortedIds(forB[0].training_progress), [B.progress1]);
});

test('embedding: a shared parent embeds [] when all its children are the other CSM\'s', async () => {
  const rows = ok(await b.from('training_modules').select('id, training_progress(id)').eq('id', S.analytics));
  assert.deepEqual(rows, [{ id: S.analytics, training_progress: [] }]);
});

test('embedding: !inner does not reveal parents through hidden children', async () => {
  const rows = ok(
    await a.from('training_modules').select('id, training_progress!inner(id)').eq('training_progress.customer_id', B.bravo),
  );
  assert.deepEqual(rows, []);
});

test('embedding: filters on hidden children match nothing', async () => {
  const rows = ok(
    await a.from('training_modules').select('id, training_progress(id, progress)').eq('id', S.onboarding).eq('training_progress.progress', 30),
  );
  assert.deepEqual(rows, [{ id: S.onboarding, training_progress: [] }]); // 30 is b's row
});

test('embedding two levels through a shared parent: training_modules → training_progress → stakeholders', async () => {
  const rows = ok(await a.from('training_modules').select('training_progress(stakeholders(name))').eq('id', S.onboarding));
  const names = rows[0].training_progress.map((p) => p.stakeholders.name).sort();
  assert.deepEqual(names, ['Alice Smith', 'Bob Jones']);
});

test('embedding child→parent: each child embeds its (visible) parent', async () => {
  const rows = ok(await a.from('training_progress').select('id, training_modules(title), customers(name)'));
  assert.deepEqual(sortedIds(rows), ids(visibleTo('a', 'training_progress')));
  for (const r of rows) {
    assert.equal(r.training_modules.title, 'Onboarding 101');
    assert.equal(r.customers.name, 'Acme Corp');
  }
});

test('a deep embedding from customers shows none of the other CSM\'s rows', async () => {
  const rows = ok(
    await a
      .from('customers')
      .select('id, stakeholders(id, training_progress(id)), contracts(id, entitlements(id)), agent_sessions(id, agent_messages(id), approvals(id), meetings(id)), meetings(id, transcripts(id), insights(id)), insights(id), activity_log(id)'),
  );
  const seen = JSON.stringify(rows);
  const bIds = Object.values(B);
  for (const id of bIds) assert.ok(!seen.includes(id), `a must not see ${id}`);
  assert.ok(seen.includes(A.seats) && seen.includes(A.transcript1) && seen.includes(A.approval1), 'a sees own deep rows');
});

test('anon sees no shared reference rows either (no anon policy)', async () => {
  assert.deepEqual(ok(await anon.from('training_modules').select('*')), []);
  assert.deepEqual(ok(await anon.from('knowledge_base').select('*')), []);
});

test('a CSM reads the shared tables; knowledge_base only its public articles', async () => {
  assert.deepEqual(sortedIds(ok(await a.from('training_modules').select('id'))), [S.onboarding, S.analytics].sort());
  assert.deepEqual(sortedIds(ok(await a.from('knowledge_base').select('id'))), [S.publicArticle]);
});

test("a CSM cannot change the shared tables", async () => {
  const res = await a.from('training_modules').update({ title: 'hacked' }).eq('id', S.onboarding).select();
  assert.deepEqual(ok(res), []);
  assert.equal((await serviceRow('training_modules', S.onboarding)).title, 'Onboarding 101');
  assert.deepEqual(ok(await a.from('knowledge_base').delete().eq('id', S.publicArticle).select()), []);
});

test('service_role sees the private knowledge_base article', async () => {
  assert.ok(ok(await service.from('knowledge_base').select('id')).some((r) => r.id === S.privateArticle));
});

test('customer_health_view: each CSM sees only their customers', async () => {
  assert.deepEqual(sortedIds(ok(await a.from('customer_health_view').select('id'))), ids(visibleTo('a', 'customers')));
  assert.deepEqual(sortedIds(ok(await b.from('customer_health_view').select('id'))), ids(visibleTo('b', 'customers')));
  assert.deepEqual(ok(await a.from('customer_health_view').select('id').eq('id', B.bravo)), []);
});

test('customer_health_view: the aggregates count only rows the CSM may see', async () => {
  const [bravo] = ok(await b.from('customer_health_view').select('*').eq('id', B.bravo));
  assert.equal(Number(bravo.stakeholder_count), 1);
  assert.equal(Number(bravo.meeting_count), 1);
  assert.equal(Number(bravo.concern_count), 1);
});

test('customer_health_view: anon sees nothing, service_role sees everyone', async () => {
  assert.deepEqual(ok(await anon.from('customer_health_view').select('id')), []);
  const all = new Set(ok(await service.from('customer_health_view').select('id')).map((r) => r.id));
  for (const c of ROWS.customers) assert.ok(all.has(c.id), `service_role sees ${c.name}`);
});

test('customer_health_view is read-only', async () => {
  const res = await service.from('customer_health_view').update({ name: 'Acme Corp' }).eq('id', A.acme);
  assert.ok(res.error, 'refused');
  assert.equal(res.error.code, '42501');
});
