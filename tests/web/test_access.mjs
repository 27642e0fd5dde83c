// tests/web/test_access.mjs — who may see and do what, through the server.
//
// Walks every route the server has (`duet serve --routes --json`) and every
// path of /api/v1/openapi.json, as every kind of principal, against their
// own partnership or cohort and someone else's, and compares each answer with
// the rules as docs/access.md states them — written out again below, on
// purpose not imported from the code. Then reads every GET route as everyone
// and checks that private reflections reach only their authors and that
// researchers never see people's names or contact details.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as L from './lib.mjs';

/* ---- the rules (docs/access.md) ----
** yes: always; no: never (403; anonymous: sign in); member: a member of the
** partnership; staff: on the staff of the (partnership's) cohort. An object
** that is not the principal's is hidden (404), so its existence stays
** private; an object that does not exist is 404 for every role that may
** ever act on such objects. */
const RULES = {
  //                 participant  facilitator  researcher  admin
  public:           ['yes',       'yes',       'yes',      'yes'],
  signed_in:        ['yes',       'yes',       'yes',      'yes'],
  partnership_view: ['member',    'staff',     'yes',      'no'],
  checkin:          ['member',    'no',        'no',       'no'],
  reflect:          ['member',    'no',        'no',       'no'],
  reflections_read: ['member',    'staff',     'no',       'no'],
  observe:          ['no',        'staff',     'no',       'no'],
  cohort_list:      ['no',        'yes',       'yes',      'no'],
  cohort_view:      ['no',        'staff',     'yes',      'no'],
  cohort_manage:    ['no',        'staff',     'no',       'no'],
  analysis:         ['no',        'no',        'yes',      'no'],
  users:            ['no',        'no',        'no',       'yes'],
  code:             ['no',        'no',        'yes',      'no'],
};
const ROLE_INDEX = { participant: 0, facilitator: 1, researcher: 2, admin: 3 };

const NO_PARTNERSHIP = 'NOPE99';
const NO_COHORT = 'No such cohort';

let w, srv, who, routes, openapi, cohortOf;
const crashes = [];   // requests after which the server had died
const privateTexts = [];   // {text, author: principal label or person key}
let partnerMarker, programmeMarker;

before(async () => {
  const dir = L.tempDir();
  w = L.buildWorld(dir);
  const tag = Math.random().toString(36).slice(2, 10);
  const add = (person, code, vis, text) =>
    L.duetOk(w.db, 'reflection', 'add', '--person', person, '--partnership', code, '--module', '1',
      '--visibility', vis, '--text', text);
  const privA = `ZQPRIVA${tag} only Amira may read this ZQPRIVA${tag}`;
  const privB = `ZQPRIVB${tag} only the author in P02 ZQPRIVB${tag}`;
  const privX = `ZQPRIVX${tag} outer cohort secret ZQPRIVX${tag}`;
  partnerMarker = `ZQPARTNER${tag}`;
  programmeMarker = `ZQPROGRAMME${tag}`;
  add(w.pA, w.own, 'private', privA);
  add(w.pB, w.sameCohortOther, 'private', privB);
  add('xena.x1a', w.otherCohortCode, 'private', privX);
  add(w.pA, w.own, 'partner', `${partnerMarker} shared with my partner`);
  add(w.pA, w.own, 'programme', `${programmeMarker} shared with the programme team`);
  privateTexts.push({ text: `ZQPRIVA${tag}`, author: w.pA }, { text: `ZQPRIVB${tag}`, author: w.pB },
    { text: `ZQPRIVX${tag}`, author: 'xena.x1a' });
  // The demo's own private reflections whose text is unique in the table.
  const rows = L.sqlite(w.db, "SELECT p.key, r.text FROM reflection r JOIN person p ON p.id = r.person_id " +
    "WHERE r.visibility = 'private' AND (SELECT count(*) FROM reflection s WHERE s.text = r.text) = 1 " +
    "AND r.text NOT LIKE 'ZQ%';", '-json');
  for (const r of JSON.parse(rows || '[]')) privateTexts.push({ text: r.text, author: r.key });
  cohortOf = Object.fromEntries(L.duetJson(w.db, 'partnership', 'list').map((p) => [p.code, p.cohort]));
  srv = await L.startServer(w.db, dir);
  who = await L.connectAll(srv, w);
  routes = L.routesOf(w.db);
  const r = await who.anonymous.api.get('/api/v1/openapi.json');
  openapi = r.json;
});

after(async () => {
  if (srv && srv.alive()) await srv.stop();
});

/* ---- what to expect ---- */

const norm = (p) => p.replace(/\{[^}]+\}/g, '{}');
const isApi = (p) => p.startsWith('/api/');

// The object kind a path names, read from the path itself.
function pathObject(p) {
  if (/\/partnerships\/\{[^}]+\}/.test(p)) return 'partnership';
  if (/\/cohorts\/\{[^}]+\}/.test(p)) return 'cohort';
  return '';
}

// The routes to walk: the server's, plus documented API paths it lacks.
function allRoutes() {
  const seen = new Map();
  for (const r of routes) seen.set(`${r.method} ${norm(r.path)}`, { ...r, source: 'routes' });
  for (const [p, ops] of Object.entries(openapi?.paths || {})) {
    for (const [m, op] of Object.entries(ops)) {
      const k = `${m.toUpperCase()} ${norm(p)}`;
      if (!seen.has(k) && ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        seen.set(k, { method: m.toUpperCase(), path: p, action: op['x-duet-access'], object: pathObject(p), source: 'openapi' });
    }
  }
  return [...seen.values()];
}

// 'allow' | 'sign_in' | 'forbidden' | 'hidden' for principal p.
function expected(action, p, kind, obj) {
  const rule = RULES[action];
  if (!rule) return 'unknown-action';
  if (p.role === 'anonymous') return action === 'public' ? 'allow' : 'sign_in';
  const r = rule[ROLE_INDEX[p.role]];
  if (r === 'no') return 'forbidden';
  if (!kind) return 'allow';
  const exists = kind === 'partnership' ? obj in cohortOf : [w.cohort, w.otherCohort].includes(obj);
  if (!exists) return 'hidden';
  if (r === 'yes') return 'allow';
  if (r === 'member') return kind === 'partnership' && (p.partnerships || []).includes(obj) ? 'allow' : 'hidden';
  if (r === 'staff') {
    const cohort = kind === 'partnership' ? cohortOf[obj] : obj;
    return (p.cohorts || []).includes(cohort) ? 'allow' : 'hidden';
  }
  return 'unknown-rule';
}

// Whether a response matches the expectation; returns a reason when not.
function judge(exp, res, route) {
  const s = res.status;
  if (s === 0) return res.error;
  if (s >= 500) return `server error ${s}`;
  const toSignIn = s === 303 && (res.location || '').startsWith('/sign-in');
  switch (exp) {
    case 'allow': {
      if (s === 401 || s === 403) return `refused (${s})`;
      if (toSignIn && route.action !== 'public') return 'sent to sign-in';
      if (s === 404 && !extraParams(route)) return 'not found (404)';
      if (s === 405) return 'method not allowed (405)';
      return null;
    }
    case 'sign_in':
      if (isApi(route.path)) return s === 401 ? null : `expected 401, got ${s}`;
      return toSignIn ? null : `expected 303 to /sign-in, got ${s} ${res.location ?? ''}`;
    case 'forbidden': return s === 403 ? null : `expected 403, got ${s}`;
    case 'hidden': return s === 404 ? null : `expected 404, got ${s}`;
    default: return `no expectation (${exp}): add action '${route.action}' to the test's RULES`;
  }
}

const MODULE_PARAM = /^(n|number|module|ordinal|module_number)$/;
// Captures other than the object and a module number (ids of records):
// an allowed request may then find nothing (404).
const extraParams = (route) => L.paramNames(route.path).some((n, i) =>
  !(i === 0 && route.object) && !MODULE_PARAM.test(n));

function fill(route, obj) {
  return L.fillPattern(route.path, (name, i) => {
    if (i === 0 && route.object) return obj;
    if (MODULE_PARAM.test(name)) return 1;
    if (/person|key|user|account/.test(name)) return 'nobody.zz';
    return 1;
  });
}

function objectsFor(route) {
  if (route.object === 'partnership') return [w.own, w.sameCohortOther, w.otherCohortCode, NO_PARTNERSHIP];
  if (route.object === 'cohort') return [w.cohort, w.otherCohort, NO_COHORT];
  return [null];
}

// One request as principal p; page routes with the session, API routes with
// the bearer token (via 'bearer') or the session cookie (via 'session').
async function send(p, method, url, via) {
  const client = via === 'bearer' ? p.api : p.page;
  const opts = {};
  if (method !== 'GET') {
    if (isApi(url)) opts.json = {};
    else opts.form = {};
  }
  return client.request(method, url, opts);
}

/* ---- the tests ---- */

test('every route that names a partnership or cohort in its path is checked against it', () => {
  const bad = routes.filter((r) => pathObject(r.path) && pathObject(r.path) !== r.object)
    .map((r) => `${r.method} ${r.path}: object '${r.object}', path names a ${pathObject(r.path)}`);
  assert.deepEqual(bad, []);
});

test('route actions fit what the routes do', () => {
  const bad = [];
  for (const r of routes) {
    const p = r.path.toLowerCase();
    const why = (want) => bad.push(`${r.method} ${r.path}: action '${r.action}', expected ${want}`);
    if (!(r.action in RULES)) why('an action from docs/access.md');
    if (/reflection/.test(p) && !['reflect', 'reflections_read'].includes(r.action)) why('reflect or reflections_read');
    if (/observation/.test(p) && r.action !== 'observe') why('observe');
    if (/checkin/.test(p) && r.method !== 'GET' && r.action !== 'checkin') why('checkin');
    if (/\/(admin|users)(\/|$)/.test(p) && r.action !== 'users') why('users');
    if (/\/(analysis|analyses|export|research)(\/|$)/.test(p) && r.action !== 'analysis') why('analysis');
    if (r.method !== 'GET' && r.action === 'public' && r.path !== '/sign-in') why('not public for a state change');
  }
  assert.deepEqual(bad, []);
});

test('every API route is in /api/v1/openapi.json with the same access action', () => {
  assert.ok(openapi && openapi.paths, 'the served openapi.json has paths');
  const doc = new Map();
  for (const [p, ops] of Object.entries(openapi.paths))
    for (const [m, op] of Object.entries(ops)) doc.set(`${m.toUpperCase()} ${norm(p)}`, op['x-duet-access']);
  const bad = [];
  for (const r of routes.filter((x) => isApi(x.path))) {
    const k = `${r.method} ${norm(r.path)}`;
    if (!doc.has(k)) bad.push(`${k}: not documented`);
    else if (doc.get(k) !== r.action) bad.push(`${k}: documented as '${doc.get(k)}', served as '${r.action}'`);
  }
  assert.deepEqual(bad, []);
});

test('every path documented in /api/v1/openapi.json is served', () => {
  const served = new Set(routes.map((r) => `${r.method} ${norm(r.path)}`));
  const bad = [];
  for (const [p, ops] of Object.entries(openapi.paths))
    for (const m of Object.keys(ops))
      if (['get', 'post', 'put', 'patch', 'delete'].includes(m) && !served.has(`${m.toUpperCase()} ${norm(p)}`))
        bad.push(`${m.toUpperCase()} ${p}`);
  assert.deepEqual(bad, []);
});

test('access matrix: every route × principal × own/other object', async (t) => {
  const cases = [];
  for (const route of allRoutes()) {
    // Signing in and out are checked by test_security.mjs: a POST here would
    // end the session the other cases use, or trip the login rate limit.
    if (route.method === 'POST' && (route.path === '/sign-in' || route.path === '/sign-out')) continue;
    for (const obj of objectsFor(route)) {
      const url = fill(route, obj);
      for (const p of Object.values(who)) {
        const vias = !isApi(route.path) ? ['session'] : route.method === 'GET' ? ['bearer', 'session'] : ['bearer'];
        for (const via of vias)
          cases.push({ route, obj, url, p, via, exp: expected(route.action, p, route.object, obj) });
      }
    }
  }
  // GETs first, state changes after, so a change cannot hide a read.
  cases.sort((a, b) => (a.route.method === 'GET' ? 0 : 1) - (b.route.method === 'GET' ? 0 : 1));
  const crashed = await L.runGuarded(srv, cases, 8, async (c) => {
    c.res = await send(c.p, c.route.method, c.url, c.via);
  });
  for (const c of crashed) crashes.push(`${c.p.label} ${c.route.method} ${c.url}`);
  for (const c of cases) c.why = judge(c.exp, c.res, c.route);
  const byRoute = new Map();
  for (const c of cases) {
    const k = `${c.route.method} ${c.route.path}`;
    if (!byRoute.has(k)) byRoute.set(k, []);
    byRoute.get(k).push(c);
  }
  const tally = {};
  for (const c of cases) tally[c.exp] = (tally[c.exp] || 0) + 1;
  t.diagnostic(`${cases.length} requests over ${byRoute.size} routes: ` +
    Object.entries(tally).map(([k, v]) => `${k} ${v}`).join(', '));
  for (const [k, cs] of byRoute) {
    await t.test(k, () => {
      const bad = cs.filter((c) => c.why).map((c) =>
        `${c.p.label} (${c.via}) ${c.route.method} ${c.url} → ${c.res.status}: ${c.why} [expected ${c.exp}]`);
      assert.deepEqual(bad, [], `${bad.length} of ${cs.length} wrong:\n  ${bad.join('\n  ')}`);
    });
  }
  // The walk is not vacuous: many cases, and each kind of outcome occurred.
  assert.ok(cases.length > 100, `only ${cases.length} cases`);
  for (const kind of ['allow', 'sign_in', 'forbidden'])
    assert.ok(tally[kind] > 0, `no '${kind}' case was checked`);
  if (routes.some((r) => r.object)) assert.ok(tally.hidden > 0, "no 'hidden' case was checked");
});

/* ---- reading everything as everyone ---- */

let scanPromise;
// Every GET route, as every principal, for every partnership and cohort
// (pages with the session; API with the bearer token and the session).
function scan() {
  scanPromise ??= (async () => {
    const jobs = [];
    for (const route of allRoutes().filter((r) => r.method === 'GET')) {
      let objs = [null];
      if (route.object === 'partnership') objs = [...Object.keys(cohortOf), NO_PARTNERSHIP];
      if (route.object === 'cohort') objs = [w.cohort, w.otherCohort];
      for (const obj of objs)
        for (const p of Object.values(who))
          for (const via of isApi(route.path) ? ['bearer', 'session'] : ['session'])
            jobs.push({ route, url: fill(route, obj), p, via });
      // Module pages: every module of the cohort, not just the first.
      if (/\{(n|number|module|ordinal)\}/.test(route.path) && route.object === 'partnership') {
        for (const n of [2, 3, 6])
          for (const p of Object.values(who))
            jobs.push({ route, via: isApi(route.path) ? 'bearer' : 'session', p,
              url: L.fillPattern(route.path, (name, i) => (i === 0 ? w.own : MODULE_PARAM.test(name) ? n : 1)) });
      }
    }
    const crashed = await L.runGuarded(srv, jobs, 8, async (j) => { j.res = await send(j.p, 'GET', j.url, j.via); });
    for (const j of crashed) crashes.push(`${j.p.label} GET ${j.url}`);
    return jobs;
  })();
  return scanPromise;
}

// The text as a reader sees it: HTML entities and JSON \u escapes undone.
const plain = L.plainText;

test('private reflections appear only in responses to their author', async (t) => {
  const jobs = await scan();
  t.diagnostic(`${jobs.length} GET responses read; ${privateTexts.length} private reflections looked for`);
  const leaks = [];
  for (const j of jobs) {
    const body = plain(j.res.text);
    for (const pr of privateTexts)
      if (body.includes(pr.text) && j.p.key !== pr.author)
        leaks.push(`${j.p.label} (${j.via}) GET ${j.url} → ${j.res.status} shows ${pr.author}'s private reflection "${pr.text.slice(0, 40)}…"`);
  }
  assert.deepEqual(leaks.slice(0, 40), [], `${leaks.length} leaks`);
});

// docs/access.md: partner → the author and partners; programme → also the
// cohort's facilitators; researchers read none here (coding: the next test).
test('shared reflections reach exactly their audience', async (t) => {
  const jobs = await scan();
  const readersOf = (m) => new Set(jobs.filter((j) => plain(j.res.text).includes(m)).map((j) => j.p.label));
  const partner = readersOf(partnerMarker);
  const programme = readersOf(programmeMarker);
  t.diagnostic(`'partner' reflection shown to: ${[...partner].join(', ') || 'nobody'}; ` +
    `'programme' reflection shown to: ${[...programme].join(', ') || 'nobody'}`);
  assert.deepEqual([...partner].filter((l) => !['participantA', 'participantA2'].includes(l)), [],
    "a 'partner' reflection reached someone outside the partnership");
  assert.deepEqual([...programme].filter((l) => !['participantA', 'participantA2', 'facilitator'].includes(l)), [],
    "a 'programme' reflection reached someone outside the partnership and its cohort's staff");
});

// Coding (docs/coding.md, "What may be coded"): a researcher reads every
// codable document, page and API, and finds the 'programme' reflection
// (its author consents to research) but no private or partner-only one, and
// no participant's name.
test('coders see reflections shared with the programme team, never private or partner-only ones', async () => {
  const r = who.researcher;
  const list = await r.api.get('/api/v1/coding/documents');
  assert.equal(list.status, 200);
  const docs = list.json.documents;
  assert.ok(docs.length > 0, 'no codable documents');
  const seen = [];
  await L.pool(docs, 8, async (d) => {
    for (const [client, url] of [[r.api, `/api/v1/coding/documents/${d.kind}/${d.id}`],
      [r.page, `/coding/${d.kind}/${d.id}`]]) {
      const res = await client.get(url);
      assert.equal(res.status, 200, `${url}: ${res.status}`);
      seen.push(plain(res.text));
    }
  });
  const all = seen.join('\n');
  assert.ok(all.includes(programmeMarker), "the coder never saw the 'programme' reflection");
  assert.ok(!all.includes(partnerMarker), "a coder saw a partner-only reflection");
  for (const pr of privateTexts) assert.ok(!all.includes(pr.text), `a coder saw ${pr.author}'s private reflection`);
  const named = people().filter((p) => p.codes && p.name && p.name.length >= 5 && all.includes(p.name));
  assert.deepEqual(named.map((p) => p.name), [], 'a coding page names a participant');
  // A private reflection is not found for coding, whatever its id.
  const priv = JSON.parse(L.sqlite(w.db, "SELECT id FROM reflection WHERE visibility <> 'programme' LIMIT 3;", '-json'));
  for (const { id } of priv) {
    const res = await r.api.get(`/api/v1/coding/documents/reflection/${id}`);
    assert.equal(res.status, 404, `a private or partner-only reflection (${id}) answered ${res.status}`);
  }
});

test('the reflection checks are not vacuous: authors, partners and staff do see reflections', async (t) => {
  const readRoutes = allRoutes().filter((r) => r.method === 'GET' && r.action === 'reflections_read');
  if (readRoutes.length === 0) {
    t.skip('no route reads reflections yet');
    return;
  }
  const jobs = await scan();
  const seenBy = (text, label) => jobs.some((j) => j.p.label === label && plain(j.res.text).includes(text));
  assert.ok(seenBy(privateTexts[0].text, 'participantA'), 'the author never saw her own private reflection');
  assert.ok(seenBy(partnerMarker, 'participantA2'), "the partner never saw the 'partner' reflection");
  assert.ok(seenBy(programmeMarker, 'participantA2'), "the partner never saw the 'programme' reflection");
  assert.ok(seenBy(programmeMarker, 'facilitator'), "the cohort's facilitator never saw the 'programme' reflection");
});

// People's names and contact details, from the database.
function people() {
  return JSON.parse(L.sqlite(w.db, 'SELECT p.key, p.display_name AS name, p.contact, ' +
    '(SELECT group_concat(pa.code) FROM membership m JOIN partnership pa ON pa.id = m.partnership_id ' +
    ' WHERE m.person_id = p.id) AS codes FROM person p;', '-json'));
}

// Word-bounded, so a random token cannot contain it by chance.
const mentions = (body, s) => new RegExp(`(?<![A-Za-z0-9_.-])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_-])`).test(body);

// docs/access.md: "Researchers never see names, sign-in names or contact details".
test('researchers never see names, sign-in names or contact details', async (t) => {
  const jobs = await scan();
  const mine = jobs.filter((j) => j.p.role === 'researcher');
  const ok200 = mine.filter((j) => j.res.status === 200).length;
  t.diagnostic(`${mine.length} researcher responses (${ok200} with 200)`);
  const secrets = [];
  for (const pe of people().filter((x) => x.key !== 'res.demo')) {
    secrets.push({ what: `name of ${pe.key}`, s: pe.name.replace(/ \(.*\)$/, '') });
    secrets.push({ what: `sign-in name of ${pe.key}`, s: pe.key, word: true });
    if (pe.contact) secrets.push({ what: `contact of ${pe.key}`, s: pe.contact });
  }
  const leaks = [];
  for (const j of mine) {
    const body = plain(j.res.text);
    for (const x of secrets)
      if (x.word ? mentions(body, x.s) : body.includes(x.s))
        leaks.push(`researcher (${j.via}) GET ${j.url} → ${j.res.status} shows the ${x.what} ("${x.s}")`);
  }
  assert.ok(ok200 > 0, 'the researcher was never shown anything');
  // Not vacuous: some page the researcher read shows names to the facilitator.
  const names = people().filter((x) => x.codes).map((x) => x.name);
  const urls = new Set(mine.filter((j) => j.res.status === 200).map((j) => j.url));
  const control = jobs.filter((j) => j.p.label === 'facilitator' && urls.has(j.url) &&
    names.some((n) => plain(j.res.text).includes(n))).map((j) => j.url);
  t.diagnostic(`pages the researcher read that show names to the facilitator: ${[...new Set(control)].slice(0, 5).join(', ')}`);
  if (routes.some((r) => r.action === 'partnership_view')) assert.ok(control.length > 0, 'no control page shows names');
  assert.deepEqual(leaks.slice(0, 40), [], `${leaks.length} leaks`);
});


test("participants never see other partnerships' codes or members' names", async () => {
  const jobs = await scan();
  const everyone = people().filter((x) => x.codes);
  const leaks = [];
  for (const j of jobs.filter((x) => x.p.role === 'participant' && x.res.status < 400)) {
    const body = plain(j.res.text);
    const mine = j.p.partnerships;
    for (const code of Object.keys(cohortOf))
      if (!mine.includes(code) && mentions(body, code)) leaks.push(`${j.p.label} GET ${j.url}: partnership ${code}`);
    for (const pe of everyone)
      if (!pe.codes.split(',').some((c) => mine.includes(c)) && body.includes(pe.name))
        leaks.push(`${j.p.label} GET ${j.url}: name of ${pe.key}`);
  }
  assert.deepEqual(leaks.slice(0, 40), [], `${leaks.length} leaks`);
});

test("facilitators never see another cohort's partnerships or people", async () => {
  const jobs = await scan();
  const everyone = people().filter((x) => x.codes);
  const leaks = [];
  for (const j of jobs.filter((x) => x.p.role === 'facilitator' && x.res.status < 400)) {
    const body = plain(j.res.text);
    for (const code of Object.keys(cohortOf)) {
      if (j.p.cohorts.includes(cohortOf[code])) continue;
      if (mentions(body, code)) leaks.push(`${j.p.label} GET ${j.url}: partnership ${code}`);
    }
    for (const pe of everyone)
      if (!pe.codes.split(',').some((c) => j.p.cohorts.includes(cohortOf[c])) && body.includes(pe.name))
        leaks.push(`${j.p.label} GET ${j.url}: name of ${pe.key}`);
  }
  assert.deepEqual(leaks.slice(0, 40), [], `${leaks.length} leaks`);
});

test('no GET answered with a server error', async () => {
  const jobs = await scan();
  const bad = jobs.filter((j) => j.res.status >= 500).map((j) => `${j.p.label} GET ${j.url} → ${j.res.status}`);
  assert.deepEqual(bad.slice(0, 40), [], `${bad.length} server errors`);
});

test('the server never crashed', async () => {
  await scan();
  assert.deepEqual({ crashes: srv.crashes.length, requests: crashes }, { crashes: 0, requests: [] },
    `the server died ${srv.crashes.length} times (${JSON.stringify(srv.crashes)}); ` +
    `requests that killed it when sent alone: ${crashes.join('; ')}\n${srv.stderr().slice(-800)}`);
});

test('the server stops cleanly on SIGTERM (exit 0)', async () => {
  const r = await srv.stop();
  assert.deepEqual(r, { code: 0, signal: null }, srv.stderr().slice(-500));
});
