// The conformance fixture: three CSMs (signed up through /auth/v1 by
// setup.mjs) and their rows in every table, with fixed ids so that tests can
// name rows. setup.mjs turns ROWS into SQL run as postgres; the tests read the
// same objects for their expected values. Tenants a and b are read-only for
// the tests; tenant w ("writer") belongs to the write and rpc tests.
// A child row cannot point at another customer's meeting, session or
// stakeholder (the schema's *_tenant_fkey guards); the one parent shared by
// tenants is reference data: training_modules, whose training_progress
// children belong to a and b alike.

export const PASSWORD = 'compat-password-1';

export const USERS = {
  a: { email: 'alice.compat@example.com', data: { full_name: 'Alice Compat' } },
  b: { email: 'bob.compat@example.com', data: { full_name: 'Bob Compat' } },
  w: { email: 'walt.compat@example.com', data: { full_name: 'Walt Compat' } },
};

// A UUID naming the row: tenant digit, table code, serial.
const TENANT_DIGIT = { a: 'a', b: 'b', w: 'c', shared: 'd' };
const TABLE_CODE = {
  customers: '01', stakeholders: '02', contracts: '03', entitlements: '04',
  agent_sessions: '05', agent_messages: '06', approvals: '07', meetings: '08',
  transcripts: '09', insights: '0a', training_progress: '0b', activity_log: '0c',
  training_modules: '0d', knowledge_base: '0e',
};
export function rid(tenant, table, n) {
  return `${TENANT_DIGIT[tenant]}${TABLE_CODE[table]}00000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

// `csm` is replaced by the user id of that tenant when the SQL is made.
const csm = (t) => ({ $user: t });

export const ID = {
  a: {
    acme: rid('a', 'customers', 1), beta: rid('a', 'customers', 2), cobalt: rid('a', 'customers', 3),
    delta: rid('a', 'customers', 4), echo: rid('a', 'customers', 5),
    alice: rid('a', 'stakeholders', 1), bob: rid('a', 'stakeholders', 2), carol: rid('a', 'stakeholders', 3),
    dan: rid('a', 'stakeholders', 4), eve: rid('a', 'stakeholders', 5),
    contract1: rid('a', 'contracts', 1), contract2: rid('a', 'contracts', 2),
    seats: rid('a', 'entitlements', 1), support: rid('a', 'entitlements', 2),
    session1: rid('a', 'agent_sessions', 1), session2: rid('a', 'agent_sessions', 2),
    message1: rid('a', 'agent_messages', 1), message2: rid('a', 'agent_messages', 2),
    approval1: rid('a', 'approvals', 1),
    kickoff: rid('a', 'meetings', 1), qbr: rid('a', 'meetings', 2), intro: rid('a', 'meetings', 3),
    transcript1: rid('a', 'transcripts', 1),
    concern: rid('a', 'insights', 1), action: rid('a', 'insights', 2), decision: rid('a', 'insights', 3),
    slow: rid('a', 'insights', 4),
    progress1: rid('a', 'training_progress', 1), progress2: rid('a', 'training_progress', 2),
    activity1: rid('a', 'activity_log', 1),
  },
  b: {
    bravo: rid('b', 'customers', 1), zulu: rid('b', 'customers', 2),
    zed: rid('b', 'stakeholders', 1),
    contract1: rid('b', 'contracts', 1), seats: rid('b', 'entitlements', 1),
    session1: rid('b', 'agent_sessions', 1), message1: rid('b', 'agent_messages', 1),
    approval1: rid('b', 'approvals', 1), kickoff: rid('b', 'meetings', 1),
    transcript1: rid('b', 'transcripts', 1), concern: rid('b', 'insights', 1),
    progress1: rid('b', 'training_progress', 1), activity1: rid('b', 'activity_log', 1),
  },
  // w.main belongs to writes.test.mjs, w.scored to rpc.test.mjs (files may
  // run in parallel).
  w: {
    main: rid('w', 'customers', 1), stake1: rid('w', 'stakeholders', 1), stake2: rid('w', 'stakeholders', 2),
    session1: rid('w', 'agent_sessions', 1),
    scored: rid('w', 'customers', 2), scored1: rid('w', 'stakeholders', 3), scored2: rid('w', 'stakeholders', 4),
    scoredSession: rid('w', 'agent_sessions', 2),
  },
  shared: {
    onboarding: rid('shared', 'training_modules', 1), analytics: rid('shared', 'training_modules', 2),
    publicArticle: rid('shared', 'knowledge_base', 1), privateArticle: rid('shared', 'knowledge_base', 2),
  },
};

const A = ID.a, B = ID.b, W = ID.w, S = ID.shared;

// Table → rows, in insertion order (parents first).
export const ROWS = {
  training_modules: [
    { id: S.onboarding, title: 'Onboarding 101', category: 'basics', duration: 30 },
    { id: S.analytics, title: 'Advanced Analytics', category: 'analytics', duration: 90, level: 'advanced' },
  ],
  knowledge_base: [
    { id: S.publicArticle, title: 'Getting started', content: 'How to onboard a customer', tags: ['onboarding', 'basics'], is_public: true },
    { id: S.privateArticle, title: 'Internal playbook', content: 'Renewal tactics', tags: ['renewal'], is_public: false },
  ],
  customers: [
    { id: A.acme, name: 'Acme Corp', arr: 120000, industry: 'Software', stage: 'active', health_score: 80, csm_id: csm('a'), metadata: { tier: 'gold', region: 'emea' } },
    { id: A.beta, name: 'Beta Labs', arr: 50000, industry: 'Fintech', stage: 'onboarding', health_score: null, csm_id: csm('a'), metadata: { tier: 'silver' } },
    { id: A.cobalt, name: 'Cobalt Inc', arr: 250000, industry: 'Software', stage: 'churned', health_score: 30, csm_id: csm('a'), metadata: {} },
    { id: A.delta, name: 'delta co', arr: null, industry: null, stage: 'active', health_score: 60, csm_id: csm('a'), metadata: { tier: 'gold' } },
    { id: A.echo, name: 'Echo (Systems), Ltd', arr: 90000, industry: 'Retail', stage: 'at_risk', health_score: 45, csm_id: csm('a'), metadata: {} },
    { id: B.bravo, name: 'Bravo Holdings', arr: 300000, industry: 'Software', stage: 'active', health_score: 70, csm_id: csm('b'), metadata: { tier: 'gold' } },
    { id: B.zulu, name: 'Zulu Ltd', arr: 10000, industry: 'Retail', stage: 'prospect', health_score: 20, csm_id: csm('b'), metadata: {} },
    { id: W.main, name: 'Walt Main', arr: 75000, industry: 'Media', stage: 'active', health_score: null, csm_id: csm('w'), metadata: {} },
    { id: W.scored, name: 'Walt Scored', arr: 5000, industry: 'Media', stage: 'active', health_score: null, csm_id: csm('w'), metadata: {} },
  ],
  stakeholders: [
    { id: A.alice, customer_id: A.acme, name: 'Alice Smith', role: 'CTO', email: 'alice@acme.test', is_primary: true, sentiment: 'positive' },
    { id: A.bob, customer_id: A.acme, name: 'Bob Jones', role: 'VP Sales', email: 'bob@acme.test', is_primary: false, sentiment: 'neutral' },
    { id: A.carol, customer_id: A.acme, name: 'Carol White', role: 'Engineer', email: null, is_primary: false, sentiment: null },
    { id: A.dan, customer_id: A.beta, name: 'Dan Brown', role: 'CEO', email: 'dan@beta.test', is_primary: true, sentiment: 'negative' },
    { id: A.eve, customer_id: A.delta, name: 'Eve Black', role: 'CTO', email: null, is_primary: false, sentiment: null },
    { id: B.zed, customer_id: B.bravo, name: 'Zed Brown', role: 'CTO', email: 'zed@bravo.test', is_primary: true, sentiment: 'positive' },
    { id: W.stake1, customer_id: W.main, name: 'Wanda One', role: 'CTO', is_primary: true },
    { id: W.stake2, customer_id: W.main, name: 'Will Two', role: 'CFO', is_primary: false },
    { id: W.scored1, customer_id: W.scored, name: 'Sam Three', role: 'CTO', is_primary: true },
    { id: W.scored2, customer_id: W.scored, name: 'Sue Four', role: 'CEO', is_primary: false },
  ],
  contracts: [
    { id: A.contract1, customer_id: A.acme, company_name: 'Acme Corp', arr: 120000, status: 'active', start_date: '2024-01-01', end_date: '2025-12-31' },
    { id: A.contract2, customer_id: A.beta, company_name: 'Beta Labs', arr: 50000, status: 'pending', start_date: '2024-06-01', end_date: null },
    { id: B.contract1, customer_id: B.bravo, company_name: 'Bravo Holdings', arr: 300000, status: 'active', start_date: '2023-01-01', end_date: '2026-01-01' },
  ],
  entitlements: [
    { id: A.seats, contract_id: A.contract1, name: 'Seats', quantity: 50, unit: 'seat', price: 100 },
    { id: A.support, contract_id: A.contract1, name: 'Support', quantity: 1, unit: 'plan', price: 5000 },
    { id: B.seats, contract_id: B.contract1, name: 'Bravo seats', quantity: 500, unit: 'seat', price: 90 },
  ],
  agent_sessions: [
    { id: A.session1, customer_id: A.acme, user_id: csm('a'), status: 'active', deployed_agents: ['onboarding', 'renewal'], context: { step: 2 } },
    { id: A.session2, customer_id: A.beta, user_id: csm('a'), status: 'ended', deployed_agents: [], context: {} },
    { id: B.session1, customer_id: B.bravo, user_id: csm('b'), status: 'active', deployed_agents: ['renewal'], context: {} },
    { id: W.session1, customer_id: W.main, user_id: csm('w'), status: 'active', deployed_agents: ['onboarding'], context: {} },
    { id: W.scoredSession, customer_id: W.scored, user_id: csm('w'), status: 'active', deployed_agents: [], context: {} },
  ],
  agent_messages: [
    { id: A.message1, session_id: A.session1, role: 'user', content: 'hello' },
    { id: A.message2, session_id: A.session1, role: 'agent', agent_id: 'onboarding', content: 'hi there' },
    { id: B.message1, session_id: B.session1, role: 'user', content: 'bravo secret message' },
    { id: rid('w', 'agent_messages', 1), session_id: W.scoredSession, role: 'user', content: 'one' },
    { id: rid('w', 'agent_messages', 2), session_id: W.scoredSession, role: 'agent', content: 'two' },
  ],
  approvals: [
    { id: A.approval1, session_id: A.session1, agent_id: 'renewal', action: 'send_email', status: 'pending' },
    { id: B.approval1, session_id: B.session1, agent_id: 'renewal', action: 'bravo_discount', status: 'pending' },
  ],
  meetings: [
    { id: A.kickoff, customer_id: A.acme, session_id: A.session1, title: 'Kickoff', scheduled_at: '2024-03-01T10:00:00Z', duration: 60 },
    { id: A.qbr, customer_id: A.acme, title: 'QBR', scheduled_at: '2024-06-01T10:00:00Z', duration: 90 },
    { id: A.intro, customer_id: A.beta, title: 'Intro', scheduled_at: null, duration: 30 },
    { id: B.kickoff, customer_id: B.bravo, session_id: B.session1, title: 'Bravo kickoff', scheduled_at: '2024-02-01T10:00:00Z', duration: 45 },
  ],
  transcripts: [
    { id: A.transcript1, meeting_id: A.kickoff, content: 'Alice: welcome to the kickoff', word_count: 5 },
    { id: B.transcript1, meeting_id: B.kickoff, content: 'Zed: bravo secrets', word_count: 3 },
  ],
  insights: [
    { id: A.concern, customer_id: A.acme, meeting_id: A.kickoff, source: 'meeting', type: 'concern', content: 'Customer worried about renewal pricing', importance: 'high' },
    { id: A.action, customer_id: A.acme, meeting_id: A.kickoff, source: 'meeting', type: 'action_item', content: 'Send the pricing proposal', importance: 'medium' },
    { id: A.decision, customer_id: A.acme, meeting_id: A.qbr, source: 'meeting', type: 'decision', content: 'Expand to the EMEA team', importance: 'low' },
    { id: A.slow, customer_id: A.beta, meeting_id: null, source: 'email', type: 'concern', content: 'Slow onboarding of new users', importance: 'high' },
    { id: B.concern, customer_id: B.bravo, meeting_id: B.kickoff, source: 'meeting', type: 'concern', content: 'Bravo worried about renewal pricing', importance: 'high' },
  ],
  training_progress: [
    { id: A.progress1, customer_id: A.acme, stakeholder_id: A.alice, module_id: S.onboarding, status: 'in_progress', progress: 50 },
    { id: A.progress2, customer_id: A.acme, stakeholder_id: A.bob, module_id: S.onboarding, status: 'completed', progress: 100 },
    { id: B.progress1, customer_id: B.bravo, stakeholder_id: B.zed, module_id: S.onboarding, status: 'in_progress', progress: 30 },
    { id: rid('w', 'training_progress', 1), customer_id: W.scored, stakeholder_id: W.scored1, module_id: S.onboarding, progress: 50 },
    { id: rid('w', 'training_progress', 2), customer_id: W.scored, stakeholder_id: W.scored2, module_id: S.onboarding, progress: 70 },
  ],
  activity_log: [
    { id: A.activity1, user_id: csm('a'), customer_id: A.acme, action: 'created', entity_type: 'customer', entity_id: A.acme },
    { id: B.activity1, user_id: csm('b'), customer_id: B.bravo, action: 'created', entity_type: 'customer', entity_id: B.bravo },
  ],
};

// Rows of `table` that tenant t's CSM may see under RLS.
export function visibleTo(t, table) {
  const customers = new Set(ROWS.customers.filter((c) => c.csm_id?.$user === t).map((c) => c.id));
  const rowsOf = (name) => ROWS[name];
  const byId = (name) => new Map(rowsOf(name).map((r) => [r.id, r]));
  switch (table) {
    case 'customers':
      return rowsOf(table).filter((r) => customers.has(r.id));
    case 'entitlements': {
      const contracts = byId('contracts');
      return rowsOf(table).filter((r) => customers.has(contracts.get(r.contract_id)?.customer_id));
    }
    case 'agent_messages':
    case 'approvals': {
      const sessions = byId('agent_sessions');
      return rowsOf(table).filter((r) => customers.has(sessions.get(r.session_id)?.customer_id));
    }
    case 'transcripts': {
      const meetings = byId('meetings');
      return rowsOf(table).filter((r) => customers.has(meetings.get(r.meeting_id)?.customer_id));
    }
    case 'training_modules':
      return rowsOf(table);
    case 'knowledge_base':
      return rowsOf(table).filter((r) => r.is_public);
    default:
      return rowsOf(table).filter((r) => customers.has(r.customer_id));
  }
}

// The customer-scoped tables (RLS by CSM).
export const SCOPED_TABLES = [
  'customers', 'stakeholders', 'contracts', 'entitlements', 'agent_sessions', 'agent_messages',
  'approvals', 'meetings', 'transcripts', 'insights', 'training_progress', 'activity_log',
];

export const ids = (rows) => rows.map((r) => r.id).sort();
