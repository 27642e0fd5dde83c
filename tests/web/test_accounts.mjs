// tests/web/test_accounts.mjs — accounts in the admin pages, passwords, and
// whom a facilitator may put into a partnership, through the server.
//
// The admin's Disable asks first ("Are you sure ...?", then Yes) and says
// it is done; a disabled account has an Enable button; both are audited.
// The admin's add form refuses a password with the person's name in it.
// A facilitator's new partnership takes only participants they may see:
// people in none of another cohort's partnerships, and no staff or
// accounts of other roles; a person of another cohort gets the very same
// answer as a key that does not exist, and no one's name comes back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as L from './lib.mjs';

let w, srv, admin, adminApi, fac, facApi;
const COHORT = L.DEMO_COHORT;
const cohortPath = `/cohorts/${encodeURIComponent(COHORT)}/partnerships`;
const apiPath = `/api/v1/cohorts/${encodeURIComponent(COHORT)}/partnerships`;

// Display names written here by hand (lib.mjs's buildWorld and the demo).
const XENA_NAME = 'Xanthe Quartermaine';
const OTHER_NAMES = ['Xanthe', 'Quartermaine', 'Yusuf Oyelaran-Tremblay', 'Olwen', 'Fairweather',
  'Dana Whitfield', 'Sam Okafor (researcher)', 'Stafford Only', 'contact.example'];

before(async () => {
  const dir = L.tempDir();
  w = L.buildWorld(dir);
  // Not in any partnership: a facilitator's new partnership can take them.
  L.duetOk(w.db, 'person', 'add', 'free.lived', '--name', 'Freya Lived');
  L.duetOk(w.db, 'person', 'add', 'free.system', '--name', 'Fergus System');
  L.duetOk(w.db, 'person', 'add', 'free.acct', '--name', 'Felix Account');
  L.addUser(w.db, 'free.acct', 'participant', L.PASSWORDS.participant);
  // Staff of the demo cohort without an account of their own.
  L.duetOk(w.db, 'person', 'add', 'staff.only', '--name', 'Stafford Only');
  L.duetOk(w.db, 'cohort', 'staff', 'add', COHORT, 'staff.only');
  srv = await L.startServer(w.db, dir);
  admin = await L.signedIn(srv, L.STAFF.admin, L.PASSWORDS.admin);
  adminApi = new L.Client(srv, 'admin api');
  adminApi.bearer = L.tokenFor(w.db, L.STAFF.admin);
  fac = await L.signedIn(srv, L.STAFF.facilitator, L.PASSWORDS.facilitator);
  facApi = new L.Client(srv, 'facilitator api');
  facApi.bearer = L.tokenFor(w.db, L.STAFF.facilitator);
});

after(async () => {
  if (srv && srv.alive()) await srv.stop();
});

const account = (key) => L.duetJson(w.db, 'user', 'list').find((u) => u.person === key);
const audits = (n = 20) => L.duetJson(w.db, 'audit', 'list', '--limit', String(n));

/* ---- the admin's Disable and Enable ---- */

test('the admin confirms before an account is disabled, and is told it is done', async () => {
  const home = await admin.get('/home');
  assert.equal(home.status, 200);
  const confirmUrl = '/admin/users/xena.x1a/disable';
  assert.ok(L.links(home.text).includes(confirmUrl), 'Disable is a link to a confirmation page');

  const ask = await admin.get(confirmUrl);
  assert.equal(ask.status, 200);
  const text = L.plainText(ask.text);
  assert.match(text, new RegExp(`Are you sure you want to disable ${XENA_NAME}'s account\\?`));
  const form = L.parseForms(ask.text).find((f) => f.method === 'post' && f.action === confirmUrl);
  assert.ok(form, 'the confirmation page has a form posting to the same address');
  assert.match(ask.text, /<button[^>]*type="submit"[^>]*>\s*Yes/, 'with a Yes button');
  assert.equal(account('xena.x1a').disabled_at, null, 'asking changes nothing');

  // A POST without the confirmation (as the old one-click form sent) only asks.
  const early = await admin.post(confirmUrl, { form: {} });
  assert.equal(early.status, 200);
  assert.match(L.plainText(early.text), /Are you sure you want to disable/);
  assert.equal(account('xena.x1a').disabled_at, null, 'not disabled without the Yes');

  const fields = Object.fromEntries(form.fields.map((f) => [f.name, f.value]));
  const yes = await admin.post(confirmUrl, { form: fields });
  assert.equal(yes.status, 303);
  const done = await admin.get(yes.location);
  assert.equal(done.status, 200);
  assert.match(L.plainText(done.text), new RegExp(`${XENA_NAME}'s account has been disabled`));
  assert.notEqual(account('xena.x1a').disabled_at, null);
  const who = new L.Client(srv);
  assert.equal((await who.signIn('xena.x1a', L.PASSWORDS.participant)).status, 401);

  const again = await admin.post(confirmUrl, { form: fields });
  assert.equal(again.status, 409, 'disabling twice is refused');
});

test('a disabled account has an Enable button, and enabling it lets the person sign in again', async () => {
  if (account('xena.x1a').disabled_at === null)
    L.duetOk(w.db, 'user', 'disable', '--person', 'xena.x1a');
  const home = await admin.get('/home');
  const enableUrl = '/admin/users/xena.x1a/enable';
  const form = L.parseForms(home.text).find((f) => f.method === 'post' && f.action === enableUrl);
  assert.ok(form, 'an Enable form for the disabled account');
  assert.match(home.text, new RegExp(`action="${enableUrl}"[\\s\\S]*?Enable`));
  // Enabled accounts have no Enable button.
  assert.ok(!L.parseForms(home.text).some((f) => f.action === '/admin/users/yusuf.x1b/enable'));

  const fields = Object.fromEntries(form.fields.map((f) => [f.name, f.value]));
  const r = await admin.post(enableUrl, { form: fields });
  assert.equal(r.status, 303);
  const done = await admin.get(r.location);
  assert.match(L.plainText(done.text), new RegExp(`${XENA_NAME}'s account has been enabled`));
  assert.equal(account('xena.x1a').disabled_at, null);
  const who = new L.Client(srv);
  assert.equal((await who.signIn('xena.x1a', L.PASSWORDS.participant)).status, 303);

  const again = await admin.post(enableUrl, { form: fields });
  assert.equal(again.status, 409, 'enabling an account that is not disabled is refused');
  assert.match(L.plainText(again.text), /not disabled/);

  const log = audits();
  const upd = log.filter((a) => a.table === 'account' && a.action === 'update');
  assert.deepEqual(upd[0].new_value, { disabled_at: null }, 'enabling is audited');
  assert.equal(upd[0].actor, L.STAFF.admin, 'as the admin who did it');
  assert.ok(typeof upd[1].new_value.disabled_at === 'string', 'and so is disabling');
  assert.ok(!/argon2|token_hash|digest/i.test(JSON.stringify(log)), 'no secret in the audit log');
});

test('the API disables and enables at once (no confirmation step for scripts)', async () => {
  const d = await adminApi.post('/api/v1/users/yusuf.x1b/disable', { json: {} });
  assert.equal(d.status, 200);
  assert.notEqual(account('yusuf.x1b').disabled_at, null);
  const en = await adminApi.post('/api/v1/users/yusuf.x1b/enable', { json: {} });
  assert.equal(en.status, 200);
  assert.deepEqual(en.json, { person: 'yusuf.x1b', disabled: false });
  assert.equal(account('yusuf.x1b').disabled_at, null);
  const again = await adminApi.post('/api/v1/users/yusuf.x1b/enable', { json: {} });
  assert.equal(again.status, 409);
  const none = await adminApi.post('/api/v1/users/no.such.key/enable', { json: {} });
  assert.equal(none.status, 404);
  // Not for anyone but an admin.
  const byFac = await facApi.post('/api/v1/users/yusuf.x1b/enable', { json: {} });
  assert.equal(byFac.status, 403);
});

test("the admin's add form refuses a password with the person's name or key in it", async () => {
  await admin.get('/home');
  const tries = [
    ['freya-lived-here-7', "The password contains 'Freya' from the person's name"],
    ['my free.lived pass', "The password contains the sign-in name 'free.lived'"],
    ['duet-sign-in-2026', "The password contains the name of this service ('duet')"],
    ['abcabcabcabc', 'The password is a short sequence repeated'],
  ];
  for (const [password, message] of tries) {
    const r = await admin.post('/admin/users', { form: { person: 'free.lived', role: 'participant', password, confirm: password } });
    assert.equal(r.status, 422, password);
    assert.ok(L.plainText(r.text).includes(message), `${password}: ${message}`);
    assert.ok(!r.text.includes(password), 'the password is not written back into the page');
  }
  assert.equal(account('free.lived'), undefined, 'no account was made');
  const api = await adminApi.post('/api/v1/users', { json: { person: 'free.lived', role: 'participant', password: 'Freya-2026-river' } });
  assert.equal(api.status, 422);
  assert.match(JSON.stringify(api.json), /from the person's name/);
});

/* ---- whom a facilitator may enrol ---- */

let nCode = 0;
// Asks for a partnership of key (lived experience) and free.system, through
// the page's form (kind 'page') or the API; the same code each time unless told.
async function enrol(kind, key, code = 'Q90') {
  if (kind === 'page') {
    await fac.get(cohortPath);   // the form, and its CSRF token
    return fac.post(cohortPath, { form: { code, project_title: 'Probe', project_aim: '',
      member1_person: key, member1_role: 'patient_leader', member2_person: 'free.system',
      member2_role: 'system_leader', member3_person: '', member3_role: '' } });
  }
  return facApi.post(apiPath, { json: { code, project_title: 'Probe', project_aim: '',
    members: [{ person: key, role: 'patient_leader' }, { person: 'free.system', role: 'system_leader' }] } });
}
const codes = () => L.duetJson(w.db, 'partnership', 'list').map((p) => p.code);

test('a facilitator cannot put staff, other roles or people of other cohorts into a partnership', async () => {
  const refused = {
    'fac.other': 'a facilitator (staff of the other cohort)',
    'fac.demo': 'the facilitator themself',
    'staff.only': "staff of the facilitator's own cohort, without an account",
    'res.demo': 'a researcher',
    'admin.demo': 'an admin',
    'xena.x1a': "a participant of another cohort's partnership",
    'nobody.zz9': 'a key that does not exist',
  };
  for (const kind of ['page', 'api']) {
    for (const [key, what] of Object.entries(refused)) {
      const r = await enrol(kind, key);
      assert.equal(r.status, 422, `${kind}: ${what} (${key}) is refused`);
      for (const name of OTHER_NAMES)
        assert.ok(!L.plainText(r.text).includes(name), `${kind}: ${key}: the answer names no one (${name})`);
    }
  }
  assert.ok(!codes().includes('Q90'), 'no partnership was made');
});

test('a person of another cohort and a key that does not exist get the same answer', async () => {
  for (const kind of ['page', 'api']) {
    const other = await enrol(kind, 'xena.x1a');
    const none = await enrol(kind, 'nobody.zz9');
    assert.equal(other.status, none.status, kind);
    assert.equal(other.text.replaceAll('xena.x1a', 'KEY'), none.text.replaceAll('nobody.zz9', 'KEY'),
      `${kind}: byte for byte, but for the key`);
    assert.ok(!other.text.includes(XENA_NAME));
    // Staff and accounts of other roles read the same too.
    const admin1 = await enrol(kind, 'admin.demo');
    assert.equal(admin1.text.replaceAll('admin.demo', 'KEY'), none.text.replaceAll('nobody.zz9', 'KEY'));
  }
});

test('participants not in another cohort stay enrollable', async () => {
  const ok1 = await enrol('page', 'free.lived', `Q${50 + ++nCode}`);
  assert.equal(ok1.status, 303, 'a person in no partnership, without an account');
  const ok2 = await enrol('api', 'free.acct', `Q${50 + ++nCode}`);
  assert.equal(ok2.status, 201, 'a person in no partnership, with a participant account');
  const ok3 = await enrol('api', w.pB, `Q${50 + ++nCode}`);
  assert.equal(ok3.status, 201, "a member of another partnership of the facilitator's own cohort");
  assert.ok(['Q51', 'Q52', 'Q53'].every((c) => codes().includes(c)));
  // The partnerships made are audited as any other.
  assert.ok(audits(40).some((a) => a.table === 'partnership' && a.new_value?.code === 'Q53'));
});
