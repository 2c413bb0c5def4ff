// /auth/v1 through supabase-js's auth client (spec §7): the password flow,
// refresh-token rotation and reuse detection, the user endpoints, sign-out,
// and the errors as supabase-js surfaces them.
import { ANON_KEY, anonClient, assert, JWT_SECRET, jwtPayload, lastExchange, signJwt, test, URL_BASE } from './lib/client.mjs';

const PASSWORD = 'auth-test-password-1';
let serial = 0;
// A fresh address per test: the database is fresh per run.
const freshEmail = (what) => `auth.${what}.${++serial}@example.com`;

async function signedUp(what, data) {
  const client = anonClient();
  const email = freshEmail(what);
  const { data: out, error } = await client.auth.signUp({ email, password: PASSWORD, options: { data } });
  assert.equal(error, null, `signUp: ${error?.message}`);
  return { client, email, user: out.user, session: out.session };
}

// One user for the tests that only read (sign-ups are rate limited per IP:
// 30 per 5 minutes, and this file signs up about 20).
let shared;
const sharedUser = async () => (shared ??= await signedUp('shared', { full_name: 'Shared User', plan: 'pro' }));

function assertUserShape(user, email) {
  assert.match(user.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(user.aud, 'authenticated');
  assert.equal(user.role, 'authenticated');
  assert.equal(user.email, email);
  assert.equal(user.phone, '');
  assert.ok(user.email_confirmed_at, 'email_confirmed_at set (no mail: confirmed at once)');
  assert.ok(user.confirmed_at, 'confirmed_at set');
  assert.deepEqual(user.app_metadata, { provider: 'email', providers: ['email'] });
  assert.ok(Array.isArray(user.identities), 'identities is an array');
  assert.equal(user.is_anonymous, false);
  assert.ok(!Number.isNaN(Date.parse(user.created_at)), `created_at ${user.created_at}`);
  assert.ok(!Number.isNaN(Date.parse(user.updated_at)), `updated_at ${user.updated_at}`);
}

function assertSessionShape(session) {
  assert.equal(typeof session.access_token, 'string');
  assert.equal(session.access_token.split('.').length, 3, 'access_token is a JWT');
  assert.equal(session.token_type, 'bearer');
  assert.equal(session.expires_in, 3600);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Math.abs(session.expires_at - (now + 3600)) < 60, `expires_at ${session.expires_at}`);
  assert.equal(typeof session.refresh_token, 'string');
  assert.ok(session.refresh_token.length >= 12, 'refresh_token is not trivially short');
}

test('signUp returns a confirmed user and a session', async () => {
  const { email, user, session } = await signedUp('signup');
  assertUserShape(user, email);
  assertSessionShape(session);
  assert.equal(session.user.id, user.id);
});

test('signUp stores options.data as user_metadata', async () => {
  const { user } = await signedUp('metadata', { full_name: 'Meta Data', team: 'emea' });
  assert.equal(user.user_metadata.full_name, 'Meta Data');
  assert.equal(user.user_metadata.team, 'emea');
});

test('signUp with a taken email fails with user_already_exists (422)', async () => {
  const { email } = await signedUp('taken');
  const { data, error } = await anonClient().auth.signUp({ email, password: PASSWORD });
  assert.ok(error, 'an error');
  assert.equal(error.name, 'AuthApiError');
  assert.equal(error.status, 422);
  assert.equal(error.code, 'user_already_exists');
  assert.equal(error.message, 'User already registered');
  assert.equal(data.user, null);
  assert.equal(data.session, null);
});

test('signUp with a short password fails with weak_password (422) and its reasons', async () => {
  const { error } = await anonClient().auth.signUp({ email: freshEmail('weak'), password: '12345' });
  assert.ok(error, 'an error');
  assert.equal(error.name, 'AuthWeakPasswordError');
  assert.equal(error.status, 422);
  assert.equal(error.code, 'weak_password');
  assert.deepEqual(error.reasons, ['length']);
});

test('signUp with a malformed email fails with validation_failed (400)', async () => {
  const { error } = await anonClient().auth.signUp({ email: 'not-an-email', password: PASSWORD });
  assert.ok(error, 'an error');
  assert.equal(error.name, 'AuthApiError');
  assert.equal(error.status, 400);
  assert.equal(error.code, 'validation_failed');
});

test('signInWithPassword returns a session for the user', async () => {
  const { email, user } = await signedUp('signin');
  const client = anonClient();
  const { data, error } = await client.auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal(error, null);
  assertSessionShape(data.session);
  assertUserShape(data.user, email);
  assert.equal(data.user.id, user.id);
  assert.ok(data.user.last_sign_in_at, 'last_sign_in_at set');
  const { data: current } = await client.auth.getSession();
  assert.equal(current.session.access_token, data.session.access_token, 'the client keeps the session');
});

test('signInWithPassword with a wrong password fails with invalid_credentials (400)', async () => {
  const { email } = await sharedUser();
  const { data, error } = await anonClient().auth.signInWithPassword({ email, password: 'not-the-password' });
  assert.ok(error, 'an error');
  assert.equal(error.name, 'AuthApiError');
  assert.equal(error.status, 400);
  assert.equal(error.code, 'invalid_credentials');
  assert.equal(error.message, 'Invalid login credentials');
  assert.equal(data.user, null);
  assert.equal(data.session, null);
});

test('signInWithPassword with an unknown email fails like a wrong password', async () => {
  const { error } = await anonClient().auth.signInWithPassword({
    email: freshEmail('nobody'),
    password: PASSWORD,
  });
  assert.ok(error, 'an error');
  assert.equal(error.status, 400);
  assert.equal(error.code, 'invalid_credentials');
  assert.equal(error.message, 'Invalid login credentials');
});

test('the access token carries the GoTrue claims', async () => {
  const { email, user, session } = await sharedUser();
  const claims = jwtPayload(session.access_token);
  const header = JSON.parse(Buffer.from(session.access_token.split('.')[0], 'base64url'));
  assert.equal(header.alg, 'HS256');
  assert.equal(claims.sub, user.id);
  assert.equal(claims.role, 'authenticated');
  assert.equal(claims.aud, 'authenticated');
  assert.equal(claims.email, email);
  assert.equal(claims.phone, '');
  assert.equal(claims.aal, 'aal1');
  assert.equal(claims.is_anonymous, false);
  assert.deepEqual(claims.app_metadata, { provider: 'email', providers: ['email'] });
  assert.equal(claims.user_metadata.plan, 'pro');
  assert.match(claims.session_id, /^[0-9a-f-]{36}$/);
  assert.equal(claims.exp - claims.iat, 3600);
  assert.equal(claims.exp, session.expires_at);
  assert.match(claims.iss, /\/auth\/v1$/);
});

test('the access token issuer is the server base URL + /auth/v1', async () => {
  const { session } = await sharedUser();
  assert.equal(jwtPayload(session.access_token).iss, `${URL_BASE}/auth/v1`);
});

test('refreshSession rotates the refresh token and keeps the session', async () => {
  const { client, session } = await signedUp('rotate');
  const { data, error } = await client.auth.refreshSession({ refresh_token: session.refresh_token });
  assert.equal(error, null);
  assertSessionShape(data.session);
  assert.notEqual(data.session.refresh_token, session.refresh_token, 'a new refresh token');
  assert.equal(
    jwtPayload(data.session.access_token).session_id,
    jwtPayload(session.access_token).session_id,
    'same session_id',
  );
  const { data: current } = await client.auth.getSession();
  assert.equal(current.session.refresh_token, data.session.refresh_token, 'the client keeps the new session');
  // The new token rotates in turn.
  const again = await anonClient().auth.refreshSession({ refresh_token: data.session.refresh_token });
  assert.equal(again.error, null);
  assert.notEqual(again.data.session.refresh_token, data.session.refresh_token);
});

test('reusing a rotated refresh token fails and revokes the session', async () => {
  const { session } = await signedUp('reuse');
  const first = await anonClient().auth.refreshSession({ refresh_token: session.refresh_token });
  assert.equal(first.error, null);
  const newest = first.data.session;

  const reuse = await anonClient().auth.refreshSession({ refresh_token: session.refresh_token });
  assert.ok(reuse.error, 'reuse of the rotated token fails');
  assert.equal(reuse.error.name, 'AuthApiError');
  assert.equal(reuse.error.status, 400);
  assert.equal(reuse.error.code, 'refresh_token_already_used');
  assert.equal(reuse.data.session, null);

  // The whole session is gone: its newest refresh token and its access tokens.
  const after = await anonClient().auth.refreshSession({ refresh_token: newest.refresh_token });
  assert.ok(after.error, 'the newest refresh token of the revoked session fails');
  assert.equal(after.error.status, 400);
  const user = await anonClient().auth.getUser(newest.access_token);
  assert.ok(user.error, 'the access token of the revoked session is refused by /user');
  assert.equal(user.error.name, 'AuthSessionMissingError');
  assert.equal(lastExchange().status, 403);
  assert.equal(JSON.parse(lastExchange().body).code, 'session_not_found');
});

test('an unknown refresh token fails with refresh_token_not_found (400)', async () => {
  const { error } = await anonClient().auth.refreshSession({ refresh_token: 'no-such-refresh-token' });
  assert.ok(error, 'an error');
  assert.equal(error.status, 400);
  assert.equal(error.code, 'refresh_token_not_found');
});

test('getUser returns the signed-in user', async () => {
  const { client, email, user } = await sharedUser();
  const { data, error } = await client.auth.getUser();
  assert.equal(error, null);
  assertUserShape(data.user, email);
  assert.equal(data.user.id, user.id);
  assert.equal(data.user.user_metadata.full_name, 'Shared User');
});

test('getUser with a JWT signed by another secret fails with bad_jwt (403)', async () => {
  const { session } = await sharedUser();
  const claims = jwtPayload(session.access_token);
  const forged = signJwt(claims, { secret: `${JWT_SECRET}-not` });
  const { data, error } = await anonClient().auth.getUser(forged);
  assert.ok(error, 'an error');
  assert.equal(error.status, 403);
  assert.equal(error.code, 'bad_jwt');
  assert.equal(data.user, null);
});

test('getUser with an expired JWT fails with bad_jwt (403)', async () => {
  const { session } = await sharedUser();
  const claims = jwtPayload(session.access_token);
  const expired = signJwt({ ...claims, iat: claims.iat - 7200, exp: claims.iat - 3600 });
  const { error } = await anonClient().auth.getUser(expired);
  assert.ok(error, 'an error');
  assert.equal(error.status, 403);
  assert.equal(error.code, 'bad_jwt');
});

test('updateUser merges data into user_metadata and null removes a key', async () => {
  const { client } = await signedUp('update', { full_name: 'Up Date', team: 'emea' });
  const first = await client.auth.updateUser({ data: { title: 'CSM' } });
  assert.equal(first.error, null);
  assert.equal(first.data.user.user_metadata.full_name, 'Up Date');
  assert.equal(first.data.user.user_metadata.team, 'emea');
  assert.equal(first.data.user.user_metadata.title, 'CSM');
  const second = await client.auth.updateUser({ data: { team: null } });
  assert.equal(second.error, null);
  assert.ok(!('team' in second.data.user.user_metadata), 'team removed');
  assert.equal(second.data.user.user_metadata.title, 'CSM');
  const fetched = await client.auth.getUser();
  assert.deepEqual(fetched.data.user.user_metadata, second.data.user.user_metadata);
});

test('updateUser changes the password', async () => {
  const { client, email } = await signedUp('password');
  const { error } = await client.auth.updateUser({ password: 'a-new-password-2' });
  assert.equal(error, null);
  const old = await anonClient().auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal(old.error?.code, 'invalid_credentials', 'the old password no longer works');
  const fresh = await anonClient().auth.signInWithPassword({ email, password: 'a-new-password-2' });
  assert.equal(fresh.error, null, 'the new password works');
});

test('updateUser with a short password fails with weak_password (422)', async () => {
  const { client } = await signedUp('weakupdate');
  const { error } = await client.auth.updateUser({ password: '123' });
  assert.ok(error, 'an error');
  assert.equal(error.status, 422);
  assert.equal(error.code, 'weak_password');
});

test('signOut ends the session: refresh fails and the access token is refused', async () => {
  const { client, session } = await signedUp('signout');
  const { error } = await client.auth.signOut();
  assert.equal(error, null);
  const { data: local } = await client.auth.getSession();
  assert.equal(local.session, null, 'the client dropped its session');
  const refresh = await anonClient().auth.refreshSession({ refresh_token: session.refresh_token });
  assert.ok(refresh.error, 'the refresh token is dead');
  assert.equal(refresh.error.status, 400);
  const user = await anonClient().auth.getUser(session.access_token);
  assert.equal(user.error?.name, 'AuthSessionMissingError', 'the access token is refused by /user');
});

test("signOut with scope local keeps the user's other sessions", async () => {
  const { email, session: first } = await signedUp('local');
  const second = anonClient();
  const signIn = await second.auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal(signIn.error, null);
  const { error } = await second.auth.signOut({ scope: 'local' });
  assert.equal(error, null);
  const gone = await anonClient().auth.getUser(signIn.data.session.access_token);
  assert.equal(gone.error?.name, 'AuthSessionMissingError', 'the signed-out session is gone');
  const kept = await anonClient().auth.getUser(first.access_token);
  assert.equal(kept.error, null, 'the other session is live');
});

test("signOut with scope others ends every session but the caller's", async () => {
  const { email, session: first } = await signedUp('others');
  const second = anonClient();
  const signIn = await second.auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal(signIn.error, null);
  const { error } = await second.auth.signOut({ scope: 'others' });
  assert.equal(error, null);
  const gone = await anonClient().auth.getUser(first.access_token);
  assert.equal(gone.error?.name, 'AuthSessionMissingError', 'the other session is gone');
  const kept = await second.auth.getUser();
  assert.equal(kept.error, null, "the caller's session is live");
});

test('auth errors: {code, message} with X-Supabase-Api-Version, {code, error_code, msg} without', async () => {
  const body = JSON.stringify({ email: freshEmail('raw'), password: 'whatever-password' });
  const url = `${URL_BASE}/auth/v1/token?grant_type=password`;
  const headers = { apikey: ANON_KEY, 'Content-Type': 'application/json' };

  const versioned = await fetch(url, { method: 'POST', body, headers: { ...headers, 'X-Supabase-Api-Version': '2024-01-01' } });
  assert.equal(versioned.status, 400);
  assert.equal(versioned.headers.get('x-supabase-api-version'), '2024-01-01');
  assert.deepEqual(await versioned.json(), { code: 'invalid_credentials', message: 'Invalid login credentials' });

  const legacy = await fetch(url, { method: 'POST', body, headers });
  assert.equal(legacy.status, 400);
  assert.equal(legacy.headers.get('x-supabase-api-version'), null);
  const legacyBody = await legacy.json();
  assert.equal(legacyBody.code, 400);
  assert.equal(legacyBody.error_code, 'invalid_credentials');
  assert.equal(legacyBody.msg, 'Invalid login credentials');
});

test('/auth/v1 refuses a request without an API key (401)', async () => {
  const res = await fetch(`${URL_BASE}/auth/v1/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: freshEmail('nokey'), password: PASSWORD }),
  });
  assert.equal(res.status, 401);
});
