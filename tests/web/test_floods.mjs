// tests/web/test_floods.mjs — floods of writes and of rows, through the server.
//
// A participant's API client that fires hundreds of reflections at once gets
// at most its burst (and what the rate refills meanwhile) written and 429
// with Retry-After for the rest, the database holding exactly the writes
// that were acknowledged; the same account's session shares the bucket;
// another account and reads are not affected. List endpoints come in pages
// (?limit=, a cursor in `next`) and a walk through the pages gives every
// row exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as L from './lib.mjs';

// The documented participant rates (docs/web.md, "Limits"): stated here, not
// read from the code, so the test fails if the code drifts from the docs.
const BURST = 20;
const PER_SECOND = 60 / 60;

let w, srv;

before(async () => {
  const dir = L.tempDir();
  w = L.buildWorld(dir);
  srv = await L.startServer(w.db, dir);
});

after(async () => {
  if (srv) {
    const r = await srv.stop();
    assert.equal(r.code, 0, `the server stopped badly: ${srv.stderr()}`);
  }
});

const countOf = (sql) => Number(L.sqlite(w.db, sql).trim());
const reflectionsBy = (key) =>
  countOf(`SELECT count(*) FROM reflection WHERE person_id = (SELECT id FROM person WHERE key = '${key}');`);

test('a flood of reflections from one account: burst and rate, 429 with Retry-After, nothing extra written', async () => {
  const api = new L.Client(srv, w.pA);
  api.bearer = L.tokenFor(w.db, w.pA);
  const before0 = reflectionsBy(w.pA);
  const n = 200;
  const t0 = Date.now();
  const results = await L.pool(Array.from({ length: n }, (_, i) => i), 16, (i) =>
    api.post(`/api/v1/partnerships/${w.own}/reflections`,
      { json: { text: `flood ${i}`, visibility: 'private' } }));
  const elapsed = (Date.now() - t0) / 1000;
  const ok = results.filter((r) => r.status === 201);
  const limited = results.filter((r) => r.status === 429);
  assert.equal(ok.length + limited.length, n,
    `every answer is 201 or 429: ${[...new Set(results.map((r) => r.status))].join(', ')}`);
  const most = BURST + Math.ceil(elapsed * PER_SECOND) + 1;
  assert.ok(ok.length >= BURST, `at least the burst is written (${ok.length})`);
  assert.ok(ok.length <= most, `${ok.length} written in ${elapsed.toFixed(1)} s; at most ${most} may be`);
  for (const r of limited) {
    const ra = r.headers.get('retry-after');
    assert.match(ra ?? '', /^[1-9][0-9]*$/, 'Retry-After is a whole number of seconds');
    assert.ok(Number(ra) <= 60, `Retry-After ${ra} is within a minute`);
    assert.equal(r.json?.error?.status, 429);
    assert.match(r.json.error.message, /too many changes/);
  }
  // Exactly what was acknowledged is in the database, and nothing else.
  assert.equal(reflectionsBy(w.pA) - before0, ok.length);
  const texts = new Set(ok.map((r) => r.json.text));
  const stored = L.sqlite(w.db, `SELECT text FROM reflection WHERE text LIKE 'flood %';`).trim().split('\n');
  assert.deepEqual(new Set(stored), texts);

  // The same account through its session page: the same bucket, a page.
  const page = await L.signedIn(srv, w.pA, L.PASSWORDS.participant);
  await page.get(`/partnerships/${w.own}/reflections`);
  const form = await page.post(`/partnerships/${w.own}/reflections`,
    { form: { text: 'one more from the page', visibility: 'private', module: '' } });
  assert.equal(form.status, 429);
  assert.match(form.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
  assert.match(form.headers.get('content-type'), /text\/html/);
  assert.match(form.text, /a lot of changes in a short time/);
  assert.equal(countOf(`SELECT count(*) FROM reflection WHERE text = 'one more from the page';`), 0);
  // Reads are not limited.
  assert.equal((await api.get(`/api/v1/partnerships/${w.own}/reflections?limit=1`)).status, 200);

  // Another account is not affected, by API or by page.
  const other = new L.Client(srv, w.pA2);
  other.bearer = L.tokenFor(w.db, w.pA2);
  const r2 = await other.post(`/api/v1/partnerships/${w.own}/reflections`, { json: { text: 'partner writes' } });
  assert.equal(r2.status, 201, r2.text);
  const fac = await L.signedIn(srv, L.STAFF.facilitator, L.PASSWORDS.facilitator);
  await fac.get(`/partnerships/${w.own}/observations`);
  const note = await fac.post(`/api/v1/partnerships/${w.own}/observations`,
    { json: { module: 1, text: 'a note while a participant floods' } });
  assert.equal(note.status, 201, note.text);

  // Signing out is never refused, even over the limit.
  const out = await page.post('/sign-out', { form: {} });
  assert.equal(out.status, 303);
});

test('after waiting Retry-After seconds the account can write again', async () => {
  const api = new L.Client(srv, w.pB);
  api.bearer = L.tokenFor(w.db, w.pB);
  let last;
  for (let i = 0; i < BURST + 5; i++) {
    last = await api.post(`/api/v1/partnerships/${w.sameCohortOther}/reflections`, { json: { text: `b ${i}` } });
    if (last.status === 429) break;
  }
  assert.equal(last.status, 429);
  const wait = Number(last.headers.get('retry-after'));
  await L.sleep(wait * 1000 + 100);
  const again = await api.post(`/api/v1/partnerships/${w.sameCohortOther}/reflections`, { json: { text: 'after the wait' } });
  assert.equal(again.status, 201, again.text);
});
