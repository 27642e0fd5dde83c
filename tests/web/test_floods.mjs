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
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
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
  // (Signing in takes a while, and the bucket refills meanwhile: drain it
  // again through the API, then post the form a few times at once.)
  const page = await L.signedIn(srv, w.pA, L.PASSWORDS.participant);
  await page.get(`/partnerships/${w.own}/reflections`);
  for (let i = 0; i < 100; i++) {
    const r = await api.post(`/api/v1/partnerships/${w.own}/reflections`, { json: { text: `drain ${i}` } });
    if (r.status === 429) break;
    assert.equal(r.status, 201);
  }
  const forms = await Promise.all(Array.from({ length: 5 }, (_, i) => page.post(`/partnerships/${w.own}/reflections`,
    { form: { text: `one more from the page ${i}`, visibility: 'private', module: '' } })));
  const formOk = forms.filter((f) => f.status === 303).length;
  assert.ok(formOk <= 1, `${formOk} of 5 form posts went through`);
  for (const form of forms.filter((f) => f.status !== 303)) {
    assert.equal(form.status, 429);
    assert.match(form.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
    assert.match(form.headers.get('content-type'), /text\/html/);
    assert.match(form.text, /a lot of changes in a short time/);
  }
  assert.equal(countOf(`SELECT count(*) FROM reflection WHERE text LIKE 'one more from the page %';`), formOk);
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

/* ---- list endpoints in pages ---- */

// Follows `next` from first until null; returns the pages' JSON bodies.
async function walk(client, first, key) {
  const pages = [];
  let url = first;
  while (url) {
    const r = await client.get(url);
    assert.equal(r.status, 200, `${url}: ${r.text.slice(0, 300)}`);
    assert.ok(Array.isArray(r.json[key]), `${url} answers ${key}`);
    pages.push(r.json);
    assert.ok('next' in r.json, `${url} says whether there is a next page`);
    url = r.json.next;
    assert.ok(pages.length < 1000, 'the walk ends');
  }
  return pages;
}

const idOf = (key) => Number(L.sqlite(w.db, `SELECT id FROM person WHERE key = '${key}';`).trim());

test('reflections come in pages: each readable one exactly once, newest first, none that may not be read', async () => {
  // 260 more reflections on P01, behind the server's back, a third of the
  // partner's private (which pA may not read): chunks must skip them.
  const tid = Number(L.sqlite(w.db, `SELECT id FROM partnership WHERE code = '${w.own}';`).trim());
  const a = idOf(w.pA), b = idOf(w.pA2);
  L.sqlite(w.db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 260)
    INSERT INTO reflection (person_id, partnership_id, module_id, visibility, text, created_at)
    SELECT CASE WHEN i % 2 = 0 THEN ${a} ELSE ${b} END, ${tid}, NULL,
           CASE i % 3 WHEN 0 THEN 'private' WHEN 1 THEN 'partner' ELSE 'programme' END,
           'paged ' || i, '2026-04-01T10:00:00Z' FROM n;`);
  // What pA may read, worked out here from the rules in docs/access.md:
  // their own (any visibility) and the partner's shared ones.
  const expected = L.sqlite(w.db, `SELECT id FROM reflection WHERE partnership_id = ${tid}
    AND (person_id = ${a} OR visibility IN ('partner', 'programme')) ORDER BY id DESC;`)
    .trim().split('\n').map(Number);
  assert.ok(expected.length > 200, `${expected.length} readable`);

  const api = new L.Client(srv, w.pA);
  api.bearer = L.tokenFor(w.db, w.pA);
  const pages = await walk(api, `/api/v1/partnerships/${w.own}/reflections?limit=7`, 'reflections');
  const got = pages.flatMap((p) => p.reflections.map((r) => r.id));
  assert.deepEqual(got, expected, 'every readable reflection once, newest first');
  for (const p of pages.slice(0, -1)) assert.equal(p.reflections.length, 7);
  assert.ok(pages.at(-1).reflections.length >= 1 && pages.at(-1).reflections.length <= 7);
  assert.match(pages[0].next, new RegExp(`^/api/v1/partnerships/${w.own}/reflections\\?limit=7&cursor=`));

  // The default page is 100; the most is 500.
  const d = await api.get(`/api/v1/partnerships/${w.own}/reflections`);
  assert.equal(d.json.reflections.length, 100);
  assert.deepEqual(d.json.reflections.map((r) => r.id), expected.slice(0, 100));
  const big = await api.get(`/api/v1/partnerships/${w.own}/reflections?limit=500`);
  assert.deepEqual(big.json.reflections.map((r) => r.id), expected.slice(0, 500));
  assert.equal(big.json.next, expected.length > 500 ? big.json.next : null);

  // The page shows the newest 100 and links to older ones.
  const page = await L.signedIn(srv, w.pA2, L.PASSWORDS.participant);
  const html = await page.get(`/partnerships/${w.own}/reflections`);
  assert.equal(html.status, 200);
  const older = /<a href="([^"]*)">Older reflections<\/a>/.exec(html.text);
  assert.ok(older, 'a link to older reflections');
  const next = await page.get(older[1].replaceAll('&amp;', '&'));
  assert.equal(next.status, 200);
  // The 101st reflection pA2 may read is on the second page, not the first.
  const texts = L.sqlite(w.db, `SELECT text FROM reflection WHERE partnership_id = ${tid}
    AND (person_id = ${b} OR visibility IN ('partner', 'programme')) ORDER BY id DESC;`).trim().split('\n');
  assert.ok(texts.length > 101);
  assert.ok(html.text.includes(`${texts[99]}<`) && !html.text.includes(`${texts[100]}<`));
  assert.ok(next.text.includes(`${texts[100]}<`) && !next.text.includes(`${texts[99]}<`));
});

test('bad paging parameters are refused with 400 and a message naming them', async () => {
  const api = new L.Client(srv, w.pA);
  api.bearer = L.tokenFor(w.db, w.pA);
  const base = `/api/v1/partnerships/${w.own}/reflections`;
  for (const [q, re] of [['limit=0', /limit '0'/], ['limit=501', /limit '501'/], ['limit=ten', /limit 'ten'/],
    ['limit=-3', /limit '-3'/], ['cursor=abc', /cursor 'abc'/], ['cursor=1.2', /cursor '1.2'/],
    ['cursor=%3Cx%3E', /cursor/]]) {
    const r = await api.get(`${base}?${q}`);
    assert.equal(r.status, 400, `${q}: ${r.text}`);
    assert.match(r.json.error.message, re);
  }
  const fac = new L.Client(srv, L.STAFF.facilitator);
  fac.bearer = L.tokenFor(w.db, L.STAFF.facilitator);
  const r = await fac.get(`/api/v1/partnerships/${w.own}/observations?cursor=7`);
  assert.equal(r.status, 400);
  const admin = new L.Client(srv, L.STAFF.admin);
  admin.bearer = L.tokenFor(w.db, L.STAFF.admin);
  assert.equal((await admin.get('/api/v1/users?limit=9999')).status, 400);
  const res = new L.Client(srv, L.STAFF.researcher);
  res.bearer = L.tokenFor(w.db, L.STAFF.researcher);
  assert.equal((await res.get('/api/v1/coding/documents?cursor=x')).status, 400);
});

test('observations, accounts and coding documents come in pages, each row once', async () => {
  const tid = Number(L.sqlite(w.db, `SELECT id FROM partnership WHERE code = '${w.own}';`).trim());
  const fid = idOf(L.STAFF.facilitator);
  const mods = L.sqlite(w.db, `SELECT m.id FROM module m JOIN partnership t ON t.cohort_id = m.cohort_id
    WHERE t.id = ${tid} ORDER BY m.ordinal;`).trim().split('\n').map(Number);
  L.sqlite(w.db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 130)
    INSERT INTO observation (observer_id, partnership_id, module_id, text, created_at)
    SELECT ${fid}, ${tid}, CASE i % 3 WHEN 0 THEN ${mods[0]} WHEN 1 THEN ${mods[1]} ELSE ${mods.at(-1)} END,
           'note ' || i, '2026-04-02T10:00:00Z' FROM n;`);
  const expected = L.sqlite(w.db, `SELECT o.id FROM observation o JOIN module m ON m.id = o.module_id
    WHERE o.partnership_id = ${tid} ORDER BY m.ordinal, o.id;`).trim().split('\n').map(Number);
  const fac = new L.Client(srv, L.STAFF.facilitator);
  fac.bearer = L.tokenFor(w.db, L.STAFF.facilitator);
  const notes = await walk(fac, `/api/v1/partnerships/${w.own}/observations?limit=11`, 'observations');
  assert.deepEqual(notes.flatMap((p) => p.observations.map((o) => o.id)), expected);
  for (const p of notes.slice(0, -1)) assert.equal(p.observations.length, 11);

  const admin = new L.Client(srv, L.STAFF.admin);
  admin.bearer = L.tokenFor(w.db, L.STAFF.admin);
  const accounts = L.sqlite(w.db, `SELECT p.key FROM account a JOIN person p ON p.id = a.person_id ORDER BY p.key;`)
    .trim().split('\n');
  assert.ok(accounts.length > 6);
  const users = await walk(admin, '/api/v1/users?limit=3', 'users');
  assert.deepEqual(users.flatMap((p) => p.users.map((u) => u.person)), accounts);

  const res = new L.Client(srv, L.STAFF.researcher);
  res.bearer = L.tokenFor(w.db, L.STAFF.researcher);
  const all = L.duetJson(w.db, 'coding', 'documents').map((d) => `${d.kind}:${d.id}`);
  assert.ok(all.length > 20, `${all.length} documents`);
  const docs = await walk(res, '/api/v1/coding/documents?limit=8', 'documents');
  assert.deepEqual(docs.flatMap((p) => p.documents.map((d) => `${d.kind}:${d.id}`)), all);
  // Other query parameters stay in the next link.
  const one = await res.get(`/api/v1/coding/documents?cohort=${encodeURIComponent(L.DEMO_COHORT)}&limit=2`);
  assert.equal(one.status, 200);
  assert.ok(one.json.next.includes(`cohort=${encodeURIComponent(L.DEMO_COHORT).replaceAll('%20', '%20')}`), one.json.next);
  const inCohort = L.duetJson(w.db, 'coding', 'documents', '--cohort', L.DEMO_COHORT).map((d) => `${d.kind}:${d.id}`);
  const walked = await walk(res, `/api/v1/coding/documents?cohort=${encodeURIComponent(L.DEMO_COHORT)}&limit=9`, 'documents');
  assert.deepEqual(walked.flatMap((p) => p.documents.map((d) => `${d.kind}:${d.id}`)), inCohort);
});

/* ---- a backup of a database a server is writing to ---- */

// Runs the CLI without blocking the event loop (the writers go on meanwhile).
function duetAsync(db, ...args) {
  return new Promise((resolve) => {
    const p = spawn(L.DUET, ['--db', db, ...args], { env: { ...process.env, DUET_ACTOR: 'web-tests' } });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (rc) => resolve({ rc, out, err }));
  });
}

test('duet backup while the server takes writes; the restore holds every write acknowledged before it began', async () => {
  const dir = L.tempDir();
  const db = L.demoDb(dir);
  // Enough rows that the copy takes a while.
  L.sqlite(db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
    INSERT INTO reflection (person_id, partnership_id, module_id, visibility, text, created_at)
    SELECT m.person_id, m.partnership_id, NULL, 'private', 'bulk ' || i || ' ' || hex(randomblob(300)),
           '2026-01-01T00:00:00Z' FROM n JOIN (SELECT person_id, partnership_id FROM membership LIMIT 1) m;`);
  const live = await L.startServer(db, dir);
  try {
    // Eight participants write reflections to their partnerships, each as
    // fast as its write limit allows; every 201 is an acknowledged write.
    const rows = L.sqlite(db, `SELECT p.key, t.code FROM membership m JOIN person p ON p.id = m.person_id
      JOIN partnership t ON t.id = m.partnership_id JOIN account a ON a.person_id = p.id
      WHERE a.role = 'participant' ORDER BY p.key LIMIT 8;`).trim().split('\n').map((l) => l.split('|'));
    assert.equal(rows.length, 8);
    const acked = [];
    let stop = false, refused = 0;
    const writers = rows.map(async ([key, code], k) => {
      const c = new L.Client(live, key);
      c.bearer = L.tokenFor(db, key);
      for (let i = 0; !stop; i++) {
        const text = `live ${k} ${i}`;
        const r = await c.post(`/api/v1/partnerships/${code}/reflections`, { json: { text, visibility: 'partner' } });
        if (r.status === 201) acked.push({ text, at: Date.now() });
        else if (r.status === 429) { refused++; await L.sleep(200); }
        else throw new Error(`${key}: ${r.status} ${r.text}`);
      }
    });
    while (acked.length < 40) await L.sleep(20);
    const before = acked.map((a) => a.text);
    const t0 = Date.now();
    const b = await duetAsync(db, 'backup', path.join(dir, 'live.bak'), '--json');
    const t1 = Date.now();
    const during = acked.filter((a) => a.at > t0 && a.at < t1).length;
    stop = true;
    await Promise.all(writers);
    assert.equal(b.rc, 0, b.err);
    const rep = JSON.parse(b.out);
    assert.equal(rep.audit_intact, true);
    assert.ok(rep.steps > 1, `${rep.steps} steps`);
    assert.ok(during > 0, `writes were acknowledged while the backup ran (${t1 - t0} ms): ${during}`);
    assert.equal((fs.statSync(path.join(dir, 'live.bak')).mode & 0o777), 0o600);

    // Restore into a fresh folder: every write acknowledged before the backup began is there.
    const fresh = path.join(L.tempDir(), 'restored.db');
    const r = L.duet(fresh, 'restore', path.join(dir, 'live.bak'), '--json');
    assert.equal(r.rc, 0, r.err);
    const got = new Set(L.sqlite(fresh, `SELECT text FROM reflection WHERE text LIKE 'live %';`).trim().split('\n'));
    const lost = before.filter((t) => !got.has(t));
    assert.deepEqual(lost, [], 'acknowledged writes missing from the backup');
    assert.equal(L.duet(fresh, 'audit', 'verify').rc, 0);

    // The server's database cannot be replaced while it runs; it keeps serving.
    const count = L.sqlite(db, 'SELECT count(*) FROM reflection;').trim();
    const refusedRestore = L.duet(db, 'restore', '--force', path.join(dir, 'live.bak'));
    assert.equal(refusedRestore.rc, 1);
    assert.match(refusedRestore.err, /is in use by another program/);
    assert.equal(L.sqlite(db, 'SELECT count(*) FROM reflection;').trim(), count);
    const c = new L.Client(live, rows[0][0]);
    c.bearer = L.tokenFor(db, rows[0][0]);
    assert.equal((await c.get(`/api/v1/partnerships/${rows[0][1]}/reflections?limit=1`)).status, 200);
  } finally {
    const s = await live.stop();
    assert.equal(s.code, 0, live.stderr());
  }
});
