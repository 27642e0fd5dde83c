// tests/web/test_kill.mjs — no acknowledged write is lost when the server
// is killed.
//
// Sixteen clients submit check-ins through the API as fast as they can; the
// server is SIGKILLed while requests are in flight. Every check-in the
// server acknowledged (201) must then be in the database, whole (all its
// answers), and the database must pass its integrity check and audit
// verification; a restarted server serves the acknowledged check-ins.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as L from './lib.mjs';

const CLIENTS = 16;
const FIRST_MODULE = 7;
// 20 check-ins per participant (modules 7 to 26): a participant's burst of
// writes (RATELIMIT_PARTICIPANT_BURST in src/app/ratelimit.h), so the write
// limit never answers 429 here however fast or slow the build is.
const LAST_MODULE = 26;
const KILL_AFTER_MS = 500;

let w, srv, items, workers;
const acked = [];        // {key, code, module}
const other = {};        // status → count, for everything but 201
let inFlightAtKill = 0;
let sent = 0;
let killedAt = null;

before(async () => {
  const dir = L.tempDir();
  w = L.buildWorld(dir);
  for (let n = FIRST_MODULE; n <= LAST_MODULE; n++)
    L.duetOk(w.db, 'module', 'add', '--cohort', w.cohort, '--number', String(n));
  // Every participant of the demo cohort, up to CLIENTS of them.
  const people = [];
  for (const code of w.codes.filter((c) => c !== w.otherCohortCode))
    for (const m of L.members(w.db, code)) people.push({ key: m.key, code });
  workers = people.slice(0, CLIENTS);
  srv = await L.startServer(w.db, dir);
  for (const p of workers) {
    p.client = new L.Client(srv, p.key);
    p.client.bearer = L.tokenFor(w.db, p.key);
  }
});

after(async () => {
  if (srv && srv.alive()) await srv.kill();
});

// Full, valid answers for the items GET .../checkin lists.
function answersFor(list, seed) {
  const a = {};
  list.forEach((it, i) => {
    const name = it.name;
    if (it.type === 'scale' || it.type === 'ladder') a[name] = it.min + ((seed + i) % (it.max - it.min + 1));
    else if (it.type === 'list') a[name] = [`entry ${seed}`];
    else a[name] = `answer ${seed} to ${name}`;
  });
  return a;
}

test('the check-in API lists the items to answer', async () => {
  const p = workers[0];
  const r = await p.client.get(`/api/v1/partnerships/${p.code}/modules/${FIRST_MODULE}/checkin`);
  assert.equal(r.status, 200, `GET checkin → ${r.status} ${r.text.slice(0, 200)}`);
  items = r.json?.items;
  assert.ok(Array.isArray(items) && items.length > 0, 'no items');
  // One submission must work before the race means anything.
  const ok = await p.client.post(`/api/v1/partnerships/${p.code}/modules/${FIRST_MODULE}/checkin`,
    { json: { answers: answersFor(items, 1) } });
  assert.equal(ok.status, 201, `POST checkin → ${ok.status} ${ok.text.slice(0, 300)}`);
  acked.push({ key: p.key, code: p.code, module: FIRST_MODULE });
});

test('SIGKILL while check-ins are in flight', async (t) => {
  assert.ok(items, 'no items: the previous test failed');
  const total = workers.length * (LAST_MODULE - FIRST_MODULE + 1) - 1;
  let stop = false;
  let inFlight = 0;
  const run = async (p, wi) => {
    for (let n = FIRST_MODULE; n <= LAST_MODULE && !stop; n++) {
      if (wi === 0 && n === FIRST_MODULE) continue;   // done above
      inFlight++;
      sent++;
      try {
        const r = await p.client.post(`/api/v1/partnerships/${p.code}/modules/${n}/checkin`,
          { json: { answers: answersFor(items, n * 31 + wi) } });
        if (r.status === 201) acked.push({ key: p.key, code: p.code, module: n });
        else other[r.status] = (other[r.status] || 0) + 1;
      } catch {
        other.connection_failed = (other.connection_failed || 0) + 1;
      } finally {
        inFlight--;
      }
    }
  };
  const t0 = Date.now();
  const all = Promise.all(workers.map(run));
  // Kill after KILL_AFTER_MS, or earlier once 40% is done, so that requests
  // are certainly still in flight.
  while (Date.now() - t0 < KILL_AFTER_MS && acked.length < total * 0.4) await L.sleep(5);
  inFlightAtKill = inFlight;
  killedAt = Date.now() - t0;
  const exit = await srv.kill();
  stop = true;
  await all;
  t.diagnostic(`killed after ${killedAt} ms with ${inFlightAtKill} requests in flight; sent ${sent}, ` +
    `acknowledged ${acked.length} of ${total + 1}; other answers: ${JSON.stringify(other)}`);
  assert.equal(exit.signal, 'SIGKILL');
  assert.ok(inFlightAtKill > 0, 'nothing was in flight when the server was killed');
  assert.ok(acked.length > 1, 'nothing was acknowledged before the kill');
  const unexpected = Object.keys(other).filter((s) => s !== 'connection_failed');
  assert.deepEqual(unexpected, [], 'answers other than 201 before the kill');
});

// The check-ins in the database for the test's modules: "key|code|module" → answers.
function stored() {
  const rows = L.sqlite(w.db, 'SELECT p.key, pa.code, m.ordinal, ' +
    '(SELECT count(*) FROM response r WHERE r.checkin_id = c.id) FROM checkin c ' +
    'JOIN person p ON p.id = c.person_id JOIN partnership pa ON pa.id = c.partnership_id ' +
    `JOIN module m ON m.id = c.module_id WHERE m.ordinal >= ${FIRST_MODULE};`);
  return new Map(rows.trim().split('\n').filter(Boolean).map((l) => {
    const [key, code, n, answers] = l.split('|');
    return [`${key}|${code}|${n}`, Number(answers)];
  }));
}

test('every acknowledged check-in is in the database, with all its answers', (t) => {
  const db = stored();
  const missing = acked.filter((a) => !db.has(`${a.key}|${a.code}|${a.module}`));
  const found = acked.length - missing.length;
  t.diagnostic(`acknowledged ${acked.length}, found ${found}; ${db.size} stored in all ` +
    `(${db.size - found} more were written but their answer was lost with the connection)`);
  assert.deepEqual(missing, []);
  const partial = [...db].filter(([, n]) => n !== items.length).map(([k, n]) => `${k}: ${n} of ${items.length} answers`);
  assert.deepEqual(partial, [], 'a check-in was stored in part');
});

test('the database passes integrity_check and the audit chain verifies', () => {
  assert.equal(L.sqlite(w.db, 'PRAGMA integrity_check;').trim(), 'ok');
  const v = L.duet(w.db, 'audit', 'verify');
  assert.equal(v.rc, 0, v.err);
});

test('a restarted server serves the acknowledged check-ins', async () => {
  await srv.start();
  const sample = acked.filter((_, i) => i % Math.max(1, Math.floor(acked.length / 20)) === 0);
  const bad = [];
  for (const a of sample) {
    const p = workers.find((x) => x.key === a.key);
    const r = await p.client.get(`/api/v1/partnerships/${a.code}/modules/${a.module}/checkin`);
    if (r.status !== 200 || r.json?.status !== 'done') bad.push(`${a.key} ${a.code} module ${a.module}: ${r.status} ${r.json?.status}`);
  }
  assert.deepEqual(bad, []);
  const exit = await srv.stop();
  assert.deepEqual(exit, { code: 0, signal: null });
});
