// tests/web/test_errors.mjs — one failure path: every API error comes back in
// the one JSON shape that docs/openapi.json describes (components.schemas.Error),
// worded for the API rather than as a page; a method a path does not take is 405
// with an Allow header listing the methods it does take; pages keep their HTML
// error pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as L from './lib.mjs';

let db, srv, api, page;
const openapi = JSON.parse(fs.readFileSync(path.join(L.TOP, 'docs/openapi.json'), 'utf8'));

// The documented shape, checked by hand from components.schemas.Error.
function assertErrorShape(r, status) {
  assert.equal(r.status, status);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.ok(r.json && typeof r.json.error === 'object', `no error object: ${r.text}`);
  assert.equal(r.json.error.status, status);
  assert.equal(typeof r.json.error.message, 'string');
  assert.ok(r.json.error.message.length > 0);
  const extra = Object.keys(r.json.error).filter((k) => !['status', 'message', 'fields'].includes(k));
  assert.deepEqual(extra, [], 'keys the Error schema does not have');
  assert.deepEqual(Object.keys(r.json), ['error']);
}

before(async () => {
  const dir = L.tempDir();
  db = L.demoDb(dir);
  srv = await L.startServer(db, dir);
  api = new L.Client(srv, 'api');
  api.bearer = L.tokenFor(db, L.STAFF.researcher);
  page = await L.signedIn(srv, L.STAFF.researcher, L.PASSWORDS.researcher);
});
after(async () => { await srv?.stop(); });

test('an API address that does not exist: 404 in the Error shape, not a page\'s words', async () => {
  for (const p of ['/api/v1/no-such-thing', '/api/v1/partnerships/P01/nothing', '/api/v2/cohorts']) {
    const r = await api.get(p);
    assertErrorShape(r, 404);
    assert.doesNotMatch(r.json.error.message, /page/i, `${p}: ${r.json.error.message}`);
  }
});

test('a method an API address does not take: 405 with Allow listing the methods it takes', async () => {
  // /api/v1/cohorts is read-only in the description; check it really is.
  const described = Object.keys(openapi.paths['/api/v1/cohorts'] || {}).map((m) => m.toUpperCase());
  assert.ok(described.includes('GET') && !described.includes('DELETE'), `described: ${described}`);
  const r = await api.request('DELETE', '/api/v1/cohorts');
  assertErrorShape(r, 405);
  const allow = (r.headers.get('allow') || '').split(',').map((s) => s.trim()).sort();
  assert.deepEqual(allow, [...new Set([...described, 'HEAD'])].sort());
});

test('a page address that does not exist keeps the HTML error page', async () => {
  const r = await page.get('/no-such-page');
  assert.equal(r.status, 404);
  assert.match(r.headers.get('content-type') || '', /^text\/html/);
  assert.match(r.text, /Page not found/);
});

test('other API refusals use the same shape (401, 403, 415, 422)', async () => {
  const anon = new L.Client(srv, 'anonymous');
  assertErrorShape(await anon.get('/api/v1/cohorts'), 401);
  const badToken = new L.Client(srv, 'bad');
  badToken.bearer = 'not-a-token';
  assertErrorShape(await badToken.get('/api/v1/cohorts'), 401);
  // A researcher may not manage accounts.
  assertErrorShape(await api.get('/api/v1/users'), 403);
  const admin = new L.Client(srv, 'admin');
  admin.bearer = L.tokenFor(db, L.STAFF.admin);
  assertErrorShape(await admin.post('/api/v1/users', { body: '{}', headers: { 'Content-Type': 'text/plain' } }), 415);
  const bad = await admin.post('/api/v1/users', { json: { person: 'no.such.person', role: 'wizard' } });
  assertErrorShape(bad, 422);
});

test('docs/openapi.json gives every operation 404 and a default response in the Error shape', () => {
  assert.ok(openapi.components?.schemas?.Error, 'no components.schemas.Error');
  const ref = '#/components/schemas/Error';
  for (const [p, item] of Object.entries(openapi.paths)) {
    for (const [m, op] of Object.entries(item)) {
      const rs = op.responses || {};
      assert.ok(rs['404'], `${m} ${p}: no 404`);
      assert.ok(rs.default, `${m} ${p}: no default response`);
      for (const [status, resp] of Object.entries(rs)) {
        if (!/^[45]/.test(status)) continue;
        const schema = resp.$ref ? null : resp.content?.['application/json']?.schema?.$ref;
        assert.ok(resp.$ref || schema === ref, `${m} ${p} ${status}: not the Error shape`);
      }
    }
  }
});
