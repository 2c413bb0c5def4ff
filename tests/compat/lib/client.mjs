// What every test file uses: supabase-js clients for the server run.sh
// started (anon, service_role, a signed-in CSM), a `test` that prints the
// HTTP exchanges of a failing test (method, URL, request body, status,
// response body), and assertions on supabase-js results.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { test as nodeTest } from 'node:test';
import { createClient } from '@supabase/supabase-js';
import { KNOWN_FAILURES } from './known_failures.mjs';

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite through tests/compat/run.sh`);
  return v;
}

export const URL_BASE = required('CSCX_COMPAT_URL');
export const ANON_KEY = required('CSCX_COMPAT_ANON_KEY');
export const SERVICE_KEY = required('CSCX_COMPAT_SERVICE_KEY');
export const JWT_SECRET = required('CSCX_COMPAT_JWT_SECRET');
// { users: { a|b|w: { id, email, password, access_token, refresh_token } } }
export const FIXTURE = JSON.parse(fs.readFileSync(required('CSCX_COMPAT_FIXTURE'), 'utf8'));
export const USER = FIXTURE.users;

// --- HTTP exchanges of the running test ------------------------------------
const exchanges = [];

function decoded(url) {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

async function recordingFetch(input, init = {}) {
  const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
  const entry = {
    method: init.method ?? 'GET',
    url: decoded(String(input instanceof Request ? input.url : input)),
    prefer: headers.get('prefer'),
    accept: headers.get('accept'),
    requestBody: typeof init.body === 'string' ? init.body : undefined,
  };
  exchanges.push(entry);
  const res = await fetch(input, init);
  entry.status = res.status;
  entry.contentRange = res.headers.get('content-range');
  entry.body = await res.clone().text().catch((e) => `<unreadable: ${e.message}>`);
  return res;
}

// The HTTP exchanges of the running test so far: { method, url, status,
// body, contentRange, prefer, accept, requestBody }.
export const lastExchange = () => exchanges[exchanges.length - 1];

export function formatExchanges() {
  if (exchanges.length === 0) return '(no HTTP requests)';
  return exchanges
    .slice(-6)
    .map((e) => {
      const lines = [`${e.method} ${e.url}`];
      if (e.prefer) lines.push(`  Prefer: ${e.prefer}`);
      if (e.accept) lines.push(`  Accept: ${e.accept}`);
      if (e.requestBody !== undefined) lines.push(`  body: ${e.requestBody.slice(0, 500)}`);
      lines.push(`  → ${e.status ?? 'no response'}${e.contentRange ? ` Content-Range: ${e.contentRange}` : ''}`);
      if (e.body !== undefined) lines.push(`  ${e.body.slice(0, 1500)}`);
      return lines.join('\n');
    })
    .join('\n');
}

// node:test's test, but a failure carries the test's HTTP exchanges. Names
// listed in known_failures.mjs run as TODO: reported, not failing the run.
export function test(name, fn) {
  const todo = KNOWN_FAILURES[name];
  nodeTest(name, todo ? { todo } : {}, async (t) => {
    exchanges.length = 0;
    try {
      await fn(t);
    } catch (err) {
      const trail = `\n--- HTTP exchanges (last 6) ---\n${formatExchanges()}`;
      if (err instanceof Error) {
        err.message += trail;
        if (typeof err.stack === 'string') err.stack += trail;
      }
      throw err;
    }
  });
}

// --- clients ---------------------------------------------------------------
const clientOptions = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  global: { fetch: recordingFetch },
};

export function anonClient() {
  return createClient(URL_BASE, ANON_KEY, clientOptions);
}

export function serviceClient() {
  return createClient(URL_BASE, SERVICE_KEY, clientOptions);
}

// A client signed in as fixture CSM `tenant` (a, b or w), through the
// session setup.mjs obtained at sign-up (no sign-in per file: /auth/v1 rate
// limits sign-ins per IP).
export async function csmClient(tenant) {
  const client = anonClient();
  const { access_token, refresh_token } = USER[tenant];
  const { error } = await client.auth.setSession({ access_token, refresh_token });
  if (error) throw new Error(`setSession for ${tenant} failed: ${error.message}`);
  return client;
}

// A client whose requests carry `token` as the Bearer (e.g. a forged JWT).
export function tokenClient(token) {
  return createClient(URL_BASE, ANON_KEY, {
    ...clientOptions,
    global: { ...clientOptions.global, headers: { Authorization: `Bearer ${token}` } },
  });
}

// --- JWTs ------------------------------------------------------------------
const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export function signJwt(payload, { secret = JWT_SECRET, header = { alg: 'HS256', typ: 'JWT' } } = {}) {
  const head = `${b64url(header)}.${b64url(payload)}`;
  const sig = crypto.createHmac('sha256', secret).update(head).digest('base64url');
  return `${head}.${sig}`;
}

export function jwtPayload(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

// --- assertions ------------------------------------------------------------
// The result of a supabase-js call that must have succeeded; returns data.
export function ok(result, status) {
  assert.equal(result.error, null, `unexpected error: ${JSON.stringify(result.error)}`);
  if (status !== undefined) assert.equal(result.status, status, 'HTTP status');
  return result.data;
}

// A PostgREST error: status and code, and the four-key body.
export function fails(result, { status, code, message, details, hint }) {
  assert.ok(result.error, `expected an error ${code}, got data ${JSON.stringify(result.data)?.slice(0, 300)}`);
  assert.equal(result.error.code, code, `error code (error: ${JSON.stringify(result.error)})`);
  if (status !== undefined) assert.equal(result.status, status, 'HTTP status');
  for (const key of ['code', 'details', 'hint', 'message']) {
    assert.ok(key in result.error, `error body lacks "${key}": ${JSON.stringify(result.error)}`);
  }
  if (message !== undefined) {
    if (message instanceof RegExp) assert.match(result.error.message, message);
    else assert.equal(result.error.message, message);
  }
  if (details !== undefined) assert.equal(result.error.details, details);
  if (hint !== undefined) assert.equal(result.error.hint, hint);
  assert.equal(result.data, null, 'data of a failed request');
  return result.error;
}

export const sortedIds = (rows) => rows.map((r) => r.id).sort();

export { assert };
