// tests/web/test_withdraw.mjs — a participant withdraws from research in the
// browser: the consent page and the page before withdrawing say, in plain
// words, what will be erased, what is kept, that it cannot be undone and
// what their sign-in name becomes; afterwards that is what holds: the words
// and the name are gone from the database files (WAL included) while the
// server runs, the audit log names them nowhere and still verifies, and they
// can sign in under the new name with the same password, not the old one.
// The API does the same for other purposes, and refuses a body without one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as L from './lib.mjs';

const PASSWORD = 'a-long-enough-password-wzq';
const ME = { key: 'wzq.07a', name: 'Wilhelmina Quarrington', org: 'Quarrington Carers Circle',
  contact: 'wilhelmina.q@example.org' };
const MARKERS = ['ZEBRAQUOKKA123', 'PRIVATEOKAPI456', 'WOMBATMEMO321'];
const V = '68570dc7-977f-53a6-a4d3-6d201fd2410a';   // Voice, in the starter codebook

let dir, db, srv, me, pid;

// How many of the database's files (main, WAL, shared memory) hold word.
function onDisk(word) {
  const found = [];
  for (const f of [db, `${db}-wal`, `${db}-shm`]) {
    if (fs.existsSync(f) && fs.readFileSync(f).includes(Buffer.from(word))) found.push(f.slice(db.length) || 'db');
  }
  return found;
}

before(async () => {
  dir = L.tempDir();
  db = L.demoDb(dir, '--pairs', '4', '--modules', '3');
  const cohort = L.duetJson(db, 'cohort', 'list')[0].name;
  L.duetOk(db, 'person', 'add', ME.key, '--name', ME.name, '--organisation', ME.org, '--contact', ME.contact);
  L.duetOk(db, 'person', 'add', 'sol.07b', '--name', 'Solomon Brightwater');
  L.duetOk(db, 'person', 'add', 'ivo.08a', '--name', 'Ivo Quickfall');
  L.duetOk(db, 'person', 'add', 'una.08b', '--name', 'Una Brightwell');
  L.duetOk(db, 'partnership', 'add', 'P77', '--cohort', cohort, '--member', `${ME.key}:patient_leader`,
    '--member', 'sol.07b:clinician');
  L.duetOk(db, 'partnership', 'add', 'P78', '--cohort', cohort, '--member', 'ivo.08a:carer',
    '--member', 'una.08b:gp');
  for (const p of [ME.key, 'sol.07b', 'ivo.08a'])
    for (const purpose of ['research', 'quotes']) L.duetOk(db, 'consent', 'give', '--person', p, '--purpose', purpose);
  for (const p of [ME.key, 'ivo.08a']) L.addUser(db, p, 'participant', PASSWORD);
  pid = JSON.parse(L.sqlite(db, `SELECT id FROM person WHERE key = '${ME.key}';`, '-json'))[0].id;
  srv = await L.startServer(db, dir);
  me = await L.signedIn(srv, ME.key, PASSWORD);
});

after(async () => {
  if (srv && srv.alive()) await srv.stop();
});

test('the home page leads to the consent page, which shows what she agreed to', async () => {
  const home = await me.get('/home');
  assert.match(home.text, /href="\/consent"/);
  const r = await me.get('/consent');
  assert.equal(r.status, 200);
  const text = L.plainText(r.text);
  assert.match(text, /<h1>Your consent<\/h1>/);
  assert.match(text, /Research/);
  assert.match(text, /You agreed on /);
  assert.match(text, /Contact about research/);
  assert.match(text, /You have not agreed to this\./);   // contact: never given
  assert.match(r.text, /href="\/consent\/withdraw\?purpose=research"/);
  assert.match(r.text, /href="\/consent\/withdraw\?purpose=quotes"/);
  assert.doesNotMatch(r.text, /purpose=contact/);
});

test('the page before withdrawing says what is erased, what is kept, and that it is final', async () => {
  const r = await me.get('/consent/withdraw?purpose=research');
  assert.equal(r.status, 200);
  const text = L.plainText(r.text);
  for (const words of [
    '<h1>Withdraw from research</h1>',
    'You can still take part in the programme',
    'What we will erase', 'your name, organisation and contact details',
    'all your reflections, including private ones',
    'what you wrote in your check-ins', 'your sorting of the norm statements',
    "your name in duet's record of changes",
    'What we will keep', 'not used for research and do not appear in any report, chart or download',
    'your account, so you can still sign in',
    `it will change to <strong>withdrawn-${pid}</strong>`, 'Your password stays the same',
    'This cannot be undone', 'you cannot agree to research again later',
  ]) assert.ok(text.includes(words), `the page says "${words}"`);
  const forms = L.parseForms(r.text).filter((f) => f.action === '/consent/withdraw');
  assert.equal(forms.length, 1);
  assert.equal(forms[0].method.toLowerCase(), 'post');
  assert.match(r.text, /<input type="hidden" name="purpose" value="research">/);
  assert.match(r.text, /nhsuk-button--warning[^>]*>Withdraw from research<\/button>/);
  const none = await me.get('/consent/withdraw');
  assert.equal(none.status, 303);
  assert.equal(none.location, '/consent');
});

test('a form without a purpose, or without its token, withdraws nothing', async () => {
  assert.equal((await me.post('/consent/withdraw', { form: {} })).status, 422);
  const forged = await me.post('/consent/withdraw', { form: { purpose: 'research' }, csrf: false });
  assert.equal(forged.status, 403);
  const c = L.duetJson(db, 'consent', 'list', '--person', ME.key);
  assert.equal(c.find((x) => x.purpose === 'research').withdrawn_at, null);
});

test('after withdrawing, the stated behaviour holds', async () => {
  // She writes (the audit log records her as the actor); a researcher codes
  // her shared reflection and writes a memo on it.
  const page = await me.get('/partnerships/P77/reflections');
  assert.equal(page.status, 200);
  for (const [vis, m] of [['programme', MARKERS[0]], ['private', MARKERS[1]]]) {
    const r = await me.post('/partnerships/P77/reflections', { form: { text: `We ${m} decided`, visibility: vis, module: '1' } });
    assert.equal(r.status, 303, r.text.slice(0, 400));
  }
  const doc = JSON.parse(L.sqlite(db, `SELECT r.id FROM reflection r JOIN person p ON p.id = r.person_id WHERE p.key = '${ME.key}' AND r.visibility = 'programme';`, '-json'))[0].id;
  L.duetOk(db, 'coding', 'add', 'reflection', String(doc), '3', '17', V, '--coder', 'res.demo');
  L.duetOk(db, 'coding', 'memo', 'reflection', String(doc), '--text', `${MARKERS[2]} on her words`);
  assert.deepEqual(onDisk(MARKERS[0]).length > 0, true, 'the marker is on disk before');
  assert.ok(Number(L.sqlite(db, `SELECT count(*) FROM audit WHERE actor = '${ME.key}';`)) >= 2);

  const form = await me.get('/consent/withdraw?purpose=research');
  assert.equal(form.status, 200);
  const r = await me.post('/consent/withdraw', { form: { purpose: 'research' } });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/consent?withdrawn=research');

  // The page after says so, with her new sign-in name; her session goes on.
  const done = await me.get(r.location);
  assert.equal(done.status, 200);
  const text = L.plainText(done.text);
  assert.match(text, /You have withdrawn from research/);
  assert.ok(text.includes(`Your sign-in name is now withdrawn-${pid}`));
  assert.match(text, /You withdrew on /);
  assert.doesNotMatch(done.text, /purpose=research/);
  assert.match(text, /\(withdrawn\)/);   // the header shows who is signed in
  assert.doesNotMatch(text, /Wilhelmina/);

  // Gone from the files on disk while the server runs (its WAL in use).
  for (const w of [...MARKERS, ME.key, 'Wilhelmina', 'Quarrington', 'wilhelmina.q@'])
    assert.deepEqual(onDisk(w), [], `"${w}" is still in the database files`);
  assert.ok(onDisk('Solomon Brightwater').length > 0, 'the partner is still there');

  // The audit log names her nowhere, and verifies.
  assert.equal(Number(L.sqlite(db, `SELECT count(*) FROM audit WHERE actor = 'withdrawn-${pid}';`)), 4);
  const v = L.duetJson(db, 'audit', 'verify');
  assert.equal(v.intact, true);
  assert.equal(v.redacted_actors, 2);

  // Signing in: not with the old name; with the new one and the same password.
  const old = new L.Client(srv);
  assert.notEqual((await old.signIn(ME.key, PASSWORD)).status, 303);
  const again = await L.signedIn(srv, `withdrawn-${pid}`, PASSWORD);
  const api = await again.get('/api/v1/consent');
  assert.equal(api.status, 200);
  assert.equal(api.json.sign_in_name, `withdrawn-${pid}`);
  assert.equal(api.json.withdrawn_from_research, true);
  const home = await again.get('/home');
  assert.match(home.text, /href="\/partnerships\/P77"/);   // still in the programme

  // Withdrawal is final: the page and the form say no.
  assert.equal((await again.get('/consent/withdraw?purpose=research')).status, 409);
  assert.equal((await again.post('/consent/withdraw', { form: { purpose: 'research' } })).status, 409);
});

test('the API withdraws one purpose, and refuses a body without one', async () => {
  const c = new L.Client(srv);
  c.bearer = L.tokenFor(db, 'ivo.08a');
  const before_ = await c.get('/api/v1/consent');
  assert.equal(before_.status, 200);
  assert.equal(before_.json.sign_in_name, 'ivo.08a');
  assert.deepEqual(before_.json.consent.map((x) => [x.purpose, x.in_force]),
    [['research', true], ['quotes', true], ['contact', false]]);
  const bad = await c.post('/api/v1/consent/withdraw', { json: {} });
  assert.equal(bad.status, 422);
  assert.ok(bad.json.error.fields.purpose);
  const odd = await c.post('/api/v1/consent/withdraw', { json: { purpose: 'quotes', extra: 1 } });
  assert.equal(odd.status, 422);
  const q = await c.post('/api/v1/consent/withdraw', { json: { purpose: 'quotes' } });
  assert.equal(q.status, 200);
  assert.equal(q.json.sign_in_name, 'ivo.08a');   // nothing erased
  assert.equal(q.json.consent.find((x) => x.purpose === 'quotes').in_force, false);
  assert.equal((await c.post('/api/v1/consent/withdraw', { json: { purpose: 'contact' } })).status, 409);
  const ivo = JSON.parse(L.sqlite(db, "SELECT id FROM person WHERE key = 'ivo.08a';", '-json'))[0].id;
  const res = await c.post('/api/v1/consent/withdraw', { json: { purpose: 'research' } });
  assert.equal(res.status, 200);
  assert.equal(res.json.sign_in_name, `withdrawn-${ivo}`);
  assert.equal(res.json.withdrawn_from_research, true);
  assert.equal(L.duetJson(db, 'audit', 'verify').intact, true);
});
