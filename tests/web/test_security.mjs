// tests/web/test_security.mjs — what an attacker tries, through the server.
//
// Stored XSS and SQL metacharacters in every text field the CLI, the pages'
// forms and the API accept; cross-site request forgery; session fixation,
// sign-out and disabled accounts; the sign-in rate limit; the security
// headers and cookie flags on every response; oversized and malformed
// requests. The server must stay up through all of it and stop cleanly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as L from './lib.mjs';

const XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'onmouseover='x"];
const SQL = ["'; DROP TABLE person; --", '" OR 1=1 --'];
let nTag = 0;
const fieldsWritten = [];   // {tag, where}
// A payload for one field, tagged so the pages that show it can be found.
function payload(where) {
  const tag = `QX${String(++nTag).padStart(3, '0')}Q`;
  fieldsWritten.push({ tag, where });
  return `${tag} ${XSS.join(' ')} ${SQL.join(' ')}`;
}

let w, srv, who;
const crashes = [];
const responses = [];   // every response read: {label, method, url, res}
const sleep = L.sleep;

// Row counts of every table but the ones reading pages may touch.
function tableCounts() {
  const names = L.sqlite(w.db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;")
    .trim().split('\n').filter((n) => !['session', 'audit', 'audit_payload'].includes(n));
  const sql = names.map((n) => `SELECT '${n}', count(*) FROM "${n}";`).join(' ');
  return Object.fromEntries(L.sqlite(w.db, sql).trim().split('\n').map((l) => l.split('|')).map(([n, c]) => [n, Number(c)]));
}

before(async () => {
  const dir = L.tempDir();
  w = L.buildWorld(dir);
  // Through the command line: the fields the web shows but may not write.
  L.duetOk(w.db, 'person', 'add', 'xss.lived', '--name', payload('person display name (CLI)'),
    '--contact', payload('person contact (CLI)'), '--organisation', payload('person organisation (CLI)'));
  L.duetOk(w.db, 'person', 'add', 'xss.system', '--name', 'Sys Temperley');
  L.addUser(w.db, 'xss.lived', 'participant', L.PASSWORDS.participant);
  L.duetOk(w.db, 'partnership', 'add', 'Z77', '--cohort', w.cohort, '--member', 'xss.lived:patient_leader',
    '--member', 'xss.system:system_leader', '--title', payload('partnership title (CLI)'),
    '--aim', payload('partnership aim (CLI)'));
  L.duetOk(w.db, 'module', 'add', '--cohort', w.cohort, '--number', '7', '--theme', payload('module theme (CLI)'));
  L.duetOk(w.db, 'module', 'add', '--cohort', w.cohort, '--number', '8');   // for the API's check-in
  L.duetOk(w.db, 'reflection', 'add', '--person', w.pA, '--partnership', w.own, '--module', '1',
    '--visibility', 'partner', '--text', payload('reflection text (CLI)'));
  L.duetOk(w.db, 'reflection', 'add', '--person', 'xss.lived', '--partnership', 'Z77', '--module', '1',
    '--visibility', 'programme', '--text', payload('programme reflection text (CLI)'));
  L.duetOk(w.db, 'observation', 'add', '--observer', 'fac.demo', '--partnership', w.own, '--module', '1',
    '--text', payload('observation text (CLI)'));
  L.duetOk(w.db, 'partnership', 'log', w.own, '--kind', 'lever', '--date', '2026-05-01', '--text', payload('project log (CLI)'));
  // Not in any partnership: a facilitator's new partnership can take them.
  L.duetOk(w.db, 'person', 'add', 'free.lived', '--name', 'Freya Lived');
  L.duetOk(w.db, 'person', 'add', 'free.system', '--name', 'Fergus System');
  for (const [key, role] of [['dis.abled', 'participant'], ['rate.limited', 'participant']]) {
    L.duetOk(w.db, 'person', 'add', key, '--name', `Test ${key}`);
    L.addUser(w.db, key, role, L.PASSWORDS[role]);
  }
  srv = await L.startServer(w.db, dir);
  who = await L.connectAll(srv, w);
  who.xss = { role: 'participant', key: 'xss.lived', label: 'xss', partnerships: ['Z77'],
    page: await L.signedIn(srv, 'xss.lived', L.PASSWORDS.participant) };
});

after(async () => {
  if (srv && srv.alive()) await srv.stop();
});

/* ---- helpers ---- */

async function guarded(jobs, fn, n = 6) {
  const crashed = await L.runGuarded(srv, jobs, n, fn);
  for (const j of crashed) crashes.push(j.what ?? JSON.stringify(j).slice(0, 200));
}

async function read(p, url, via = 'page') {
  const res = await p[via].get(url);
  responses.push({ label: p.label, method: 'GET', url, res });
  return res;
}

// Breadth-first over the same-site links from /home and the given seeds,
// as principal p: at most max pages.
async function crawl(p, seeds, max = 120) {
  const seen = new Set();
  const queue = ['/home', ...seeds];
  const pages = [];
  while (queue.length && pages.length < max) {
    const batch = queue.splice(0, 6).filter((u) => !seen.has(u) && !u.startsWith('/assets/') && u !== '/sign-out');
    batch.forEach((u) => seen.add(u));
    const jobs = batch.map((url) => ({ url, what: `${p.label} GET ${url}` }));
    await guarded(jobs, async (j) => { j.res = await read(p, j.url); });
    for (const j of jobs) {
      pages.push(j);
      if (j.res.status === 200 && (j.res.headers.get('content-type') || '').includes('text/html'))
        for (const l of L.links(j.res.text)) if (!seen.has(l)) queue.push(l);
    }
  }
  return pages;
}

let routes;
// The page routes filled in with p's own objects (and modules 1, 7 and 8).
function seedsFor(p) {
  const out = [];
  for (const r of routes.filter((x) => x.method === 'GET' && !x.path.startsWith('/api/'))) {
    for (const n of [1, 7, 8]) {
      out.push(L.fillPattern(r.path, (name, i) => {
        if (i === 0 && r.object === 'partnership') return (p.partnerships || [w.own])[0];
        if (i === 0 && r.object === 'cohort') return (p.cohorts || [w.cohort])[0];
        return n;
      }));
    }
  }
  return [...new Set(out)];
}

let formSeq = 0;
// Fills a form: every text field gets a payload; the rest plausible values.
// smart: fields that look like codes, numbers and dates get valid values.
function fillForm(form, where, smart) {
  const fd = new URLSearchParams();
  const radios = new Map();
  for (const f of form.fields) {
    const n = f.name.toLowerCase();
    const a = f.attrs;
    const idx = Number((/(\d+)/.exec(n) || [])[1] || 0);
    if (f.type === 'hidden') fd.append(f.name, f.value);
    else if (f.type === 'radio') {
      if (!radios.has(f.name) || (/visib/.test(n) && f.value === 'programme')) radios.set(f.name, f.value);
    } else if (f.type === 'checkbox') fd.append(f.name, f.value || 'on');
    else if (f.type === 'select') {
      const opts = f.options.filter((o) => o !== '');
      // Members: the first role for member 1, the last (a system role) for member 2, none for 3.
      if (smart && /role/.test(n) && idx >= 3) fd.append(f.name, '');
      else if (smart && /role/.test(n) && idx === 2) fd.append(f.name, opts[opts.length - 1] ?? '');
      else fd.append(f.name, opts[0] ?? f.value);
    } else if (f.type === 'number') fd.append(f.name, a.min ?? '1');
    else if (f.type === 'date') fd.append(f.name, '2026-06-01');
    else if (f.type === 'email') fd.append(f.name, 'x@example.org');
    else if (['submit', 'button', 'image', 'file', 'reset'].includes(f.type)) continue;
    else if (smart && f.type !== 'textarea' && f.value) fd.append(f.name, f.value);   // the page's own suggestion
    else if (smart && /person|member/.test(n)) fd.append(f.name, ['', 'free.lived', 'free.system'][idx] ?? '');
    else if (smart && a.inputmode === 'numeric') fd.append(f.name, /share/.test(n) ? '50' : '1');
    else if (smart && /code/.test(n)) fd.append(f.name, `Z${10 + (++formSeq % 80)}`);
    else if (smart && /(number|ordinal|^n$|module)/.test(n)) fd.append(f.name, String(20 + (++formSeq % 30)));
    else if (smart && /(date|held|starts)/.test(n)) fd.append(f.name, '2026-06-01');
    else if (smart && /(share)/.test(n)) fd.append(f.name, '0.5');
    else if (smart && /(decision|count)/.test(n)) fd.append(f.name, '1');
    else fd.append(f.name, payload(`${where} field '${f.name}'`));
  }
  for (const [k, v] of radios) fd.append(k, v);
  return fd;
}

// Plausible values for the fields that name records rather than hold text.
function hint(key, index) {
  if (key === 'person') return ['free.lived', 'free.system'][index] ?? 'free.lived';
  if (key === 'role') return ['patient_leader', 'system_leader'][index] ?? 'patient_leader';
  if (key === 'password') return 'Correct-Horse-Battery-9';
  if (key === 'module') return 1;
  if (/ordinal|number/.test(key)) return 50 + (++formSeq % 900);
  return undefined;
}

// Builds a JSON value from an OpenAPI schema, with payloads in strings.
function fromSchema(schema, doc, where, depth = 0, key = '', index = 0) {
  if (!schema || depth > 6) return null;
  if (schema.$ref) return fromSchema(schema.$ref.split('/').slice(1).reduce((o, k) => o?.[k], doc), doc, where, depth + 1, key, index);
  if (schema.enum) return schema.enum.includes('programme') ? 'programme' : schema.enum[0];
  const h = hint(key, index);
  if (h !== undefined) return h;
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'object' || schema.properties) {
    const o = {};
    for (const [k, sub] of Object.entries(schema.properties || {})) o[k] = fromSchema(sub, doc, `${where}.${k}`, depth + 1, k, index);
    return o;
  }
  if (type === 'array')
    return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, (_, i) => fromSchema(schema.items, doc, `${where}[${i}]`, depth + 1, key, i));
  if (type === 'integer') return Math.max(schema.minimum ?? 1, Math.min(schema.maximum ?? 1, 1));
  if (type === 'number') return schema.minimum !== undefined && schema.maximum !== undefined ? (schema.minimum + schema.maximum) / 2 : 1;
  if (type === 'boolean') return true;
  if (schema.format === 'date') return '2026-06-01';
  if (schema.pattern) return `Z${100 + (++formSeq % 800)}`;
  return payload(where);
}

// Which principal may write through an API route, and its object.
const WRITER = { reflect: 'participantA', checkin: 'participantA', observe: 'facilitator',
  cohort_manage: 'facilitator', users: 'admin' };

const htmlOf = (r) => (r.res.headers.get('content-type') || '').startsWith('text/html');

/* ---- stored XSS and SQL metacharacters ---- */

let peopleBefore;
test('text fields accept payloads through the forms and the API without errors', async (t) => {
  routes = L.routesOf(w.db);
  peopleBefore = tableCounts().person;
  const submitted = [];
  // The API first (the forms below would fill in its check-in): every
  // documented POST with a JSON body, as a principal allowed to.
  const doc = (await who.anonymous.api.get('/api/v1/openapi.json')).json;
  for (const [path, ops] of Object.entries(doc.paths || {})) {
    const op = ops.post;
    const label = op && WRITER[op['x-duet-access']];
    if (!label || /disable|delete|revoke|withdraw|erase/.test(path)) continue;
    const p = who[label];
    const url = L.fillPattern(path, (name, i) => {
      if (i === 0 && /^\/api\/v1\/partnerships\/\{/.test(path)) return w.own;
      if (i === 0 && /^\/api\/v1\/cohorts\/\{/.test(path)) return w.cohort;
      return /checkin/.test(path) ? 8 : 1;
    });
    const schema = op.requestBody?.content?.['application/json']?.schema;
    const job = { what: `${label} POST ${url}`, url, p };
    let body = fromSchema(schema, doc, `API ${path}`);
    if (/checkin/.test(path)) body = await checkinBody(p, url) ?? body;
    await guarded([job], async (j) => { j.res = await p.api.post(j.url, { json: body }); });
    responses.push({ label, method: 'POST', url, res: job.res });
    submitted.push(job);
  }
  // Then every form on every page a crawl from /home reaches.
  for (const label of ['participantA', 'facilitator', 'admin', 'researcher']) {
    const p = who[label];
    const pages = await crawl(p, seedsFor(p));
    const seenForms = new Set();
    for (const pg of pages) {
      if (pg.res.status !== 200 || !htmlOf(pg)) continue;
      for (const form of L.parseForms(pg.res.text)) {
        const action = form.action || pg.url;
        if (form.method !== 'post' || /sign-(out|in)|disable|delete|revoke|withdraw|erase|password/.test(action)) continue;
        if (form.fields.some((f) => f.type === 'password')) continue;
        if (!form.fields.some((f) => ['text', 'textarea', 'search', 'url', 'tel'].includes(f.type))) continue;
        for (const smart of [false, true]) {
          const key = `${action} ${smart}`;
          if (seenForms.has(key)) continue;
          seenForms.add(key);
          const job = { what: `${label} POST ${action}`, p, action, smart, form, from: pg.url };
          await guarded([job], async (j) => {
            j.res = await p.page.post(j.action, { form: fillForm(j.form, `${label} ${j.action}${j.smart ? ' (smart)' : ''}`, j.smart).toString() });
          });
          responses.push({ label, method: 'POST', url: action, res: job.res });
          submitted.push(job);
        }
      }
    }
  }
  t.diagnostic(`${submitted.length} submissions: ` + submitted.map((s) => `${s.what}${s.smart ? ' (smart)' : ''} → ${s.res.status}`).join('; '));
  const bad = submitted.filter((s) => s.res.status === 0 || s.res.status >= 500).map((s) => `${s.what} → ${s.res.status} ${s.res.error ?? ''}`);
  assert.deepEqual(bad, []);
});

// A check-in for the items GET .../checkin lists: payloads in text items.
async function checkinBody(p, url) {
  const r = await p.api.get(url);
  const items = r.json?.items || r.json?.instrument?.items;
  if (!Array.isArray(items)) return null;
  const answers = {};
  for (const it of items) {
    const name = it.name ?? it.item;
    if (it.type === 'scale' || it.type === 'ladder') answers[name] = it.min ?? 1;
    else if (it.type === 'list') answers[name] = [payload(`check-in list item ${name} (API)`)];
    else answers[name] = payload(`check-in item ${name} (API)`);
  }
  return { answers };
}

let finalPages;
async function readEverything() {
  finalPages ??= (async () => {
    const all = [];
    for (const label of ['participantA', 'participantA2', 'participantB', 'facilitator', 'researcher', 'admin', 'xss']) {
      const p = who[label];
      const seeds = seedsFor(p);
      if (label === 'facilitator' || label === 'researcher') seeds.push(...seedsFor({ partnerships: ['Z77'], cohorts: [w.cohort] }));
      all.push(...await crawl(p, seeds, 200));
    }
    // The API's GETs too (JSON must stay JSON).
    for (const r of routes.filter((x) => x.method === 'GET' && x.path.startsWith('/api/'))) {
      for (const label of ['participantA', 'facilitator', 'researcher', 'admin']) {
        const p = who[label];
        const url = L.fillPattern(r.path, (name, i) => (i === 0 && r.object === 'partnership' ? (label === 'participantA' ? w.own : 'Z77')
          : i === 0 && r.object === 'cohort' ? w.cohort : 1));
        const job = { url, what: `${label} GET ${url}` };
        await guarded([job], async (j) => { j.res = await read(p, j.url, 'api'); });
        all.push(job);
      }
    }
    return all;
  })();
  return finalPages;
}

// Problems with one HTML document: script that is not ours, event-handler
// attributes, injected images, JSON blocks that could end early.
function htmlProblems(html) {
  const bad = [];
  if (html.includes('<script>alert(1)</script>')) bad.push('raw <script>alert(1)</script>');
  for (const t of L.startTags(html)) {
    const names = t.attrs.map(([n]) => n);
    if (names.some((n) => n.startsWith('on'))) bad.push(`event handler attribute in ${t.raw.slice(0, 120)}`);
    if (t.name === 'img' && t.attrs.some(([n, v]) => n === 'src' && v === 'x')) bad.push(`injected <img> ${t.raw.slice(0, 120)}`);
    if (t.name === 'script') {
      const type = t.attrs.find(([n]) => n === 'type')?.[1];
      const src = t.attrs.find(([n]) => n === 'src')?.[1];
      if (!(src && src.startsWith('/assets/')) && type !== 'application/json') bad.push(`inline script ${t.raw.slice(0, 120)}`);
    }
  }
  for (const m of html.matchAll(/<script type="application\/json"[^>]*>([\s\S]*?)<\/script>/g))
    if (m[1].includes('<')) bad.push(`'<' inside a JSON block: ${m[1].slice(0, 80)}`);
  return bad;
}

test('no page shows a payload unescaped (script, event handler, injected tag)', async (t) => {
  const pages = await readEverything();
  // Include what the form posts answered (422 pages echo what was typed).
  const docs = [...pages.map((p) => ({ what: p.what, res: p.res })),
    ...responses.filter((r) => r.method === 'POST').map((r) => ({ what: `${r.label} POST ${r.url}`, res: r.res }))];
  const echo = await new L.Client(srv).signIn(payload('sign-in name echo'), 'wrong-password-1');
  docs.push({ what: 'POST /sign-in echo', res: echo });
  let html = 0;
  const bad = [];
  for (const d of docs) {
    if (!d.res || !(d.res.headers.get('content-type') || '').startsWith('text/html')) continue;
    html++;
    for (const b of htmlProblems(d.res.text)) bad.push(`${d.what} → ${d.res.status}: ${b}`);
  }
  t.diagnostic(`${html} HTML documents checked`);
  assert.ok(html > 20, `only ${html} HTML documents`);
  assert.deepEqual(bad.slice(0, 30), [], `${bad.length} problems`);
});

test('the payloads do reach the pages, escaped (the XSS check is not vacuous)', async (t) => {
  const pages = await readEverything();
  const htmlText = [...pages.filter((p) => p.res && htmlOf(p)), ...responses.filter((r) => r.method === 'POST' && r.res && htmlOf(r))]
    .map((p) => p.res.text).join('\n');
  assert.ok(htmlText.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'no escaped <script> payload on any page');
  const shown = fieldsWritten.filter((f) => htmlText.includes(f.tag));
  const notShown = fieldsWritten.filter((f) => !htmlText.includes(f.tag));
  t.diagnostic(`shown on some page (or echoed by a form that refused it): ${shown.map((f) => f.where).join('; ')}`);
  t.diagnostic(`never shown (no page displays them yet, or they were refused): ${notShown.map((f) => f.where).join('; ')}`);
  const cli = ['person display name (CLI)', 'partnership title (CLI)', 'reflection text (CLI)'];
  const missing = cli.filter((where) => !shown.some((f) => f.where === where));
  if (missing.length === cli.length && !routes.some((r) => r.object === 'partnership' && !r.path.startsWith('/api/')))
    t.diagnostic('no partnership pages yet');
  assert.ok(shown.length >= 2, 'at least two payload fields are displayed somewhere');
});

test('SQL metacharacters are stored and shown literally', async (t) => {
  const pages = await readEverything();
  const full = `${SQL.join(' ')}`;
  let literal = 0;
  const mangled = [];
  for (const p of pages) {
    if (!p.res || p.res.status !== 200) continue;
    const text = L.plainText(p.res.text);
    for (const f of fieldsWritten) {
      const at = text.indexOf(f.tag);
      if (at < 0) continue;
      const piece = text.slice(at, at + 200);
      // Lists may cut long cells ("…"); a complete value must be exact.
      if (piece.includes(full)) literal++;
      else if (!piece.includes('…') && piece.includes('DROP') && !piece.includes("'; DROP TABLE person; --"))
        mangled.push(`${p.what}: ${piece.slice(0, 160)}`);
    }
  }
  t.diagnostic(`${literal} literal occurrences`);
  assert.ok(literal > 0, 'the SQL payload was never shown whole');
  assert.deepEqual(mangled.slice(0, 10), []);
});

test('SQL metacharacters in path captures find nothing (404) and break nothing', async () => {
  const evil = ["' OR 1=1 --", "P01' --", '" OR ""="', "'; DROP TABLE person; --", 'Demo cohort 2026\' OR \'1\'=\'1'];
  const jobs = [];
  for (const r of routes.filter((x) => x.method === 'GET' && x.object)) {
    for (const e of evil)
      for (const pl of ['participantA', 'facilitator', 'researcher']) {
        const url = L.fillPattern(r.path, (name, i) => (i === 0 ? e : 1));
        jobs.push({ p: who[pl], url, what: `${pl} GET ${url}`, via: r.path.startsWith('/api/') ? 'api' : 'page' });
      }
  }
  await guarded(jobs, async (j) => { j.res = await read(j.p, j.url, j.via); });
  const bad = jobs.filter((j) => ![403, 404].includes(j.res.status)).map((j) => `${j.what} → ${j.res.status}`);
  assert.ok(jobs.length > 0);
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} unexpected`);
});

/* ---- cross-site request forgery ---- */

// A fresh session for CSRF attempts (a successful sign-out would end it).
async function victim() {
  return L.signedIn(srv, w.pA2, L.PASSWORDS.participant);
}
async function stillSignedIn(c) {
  const r = await c.get('/home');
  return r.status === 200;
}

test('CSRF: a form POST without the csrf field is refused (403) and changes nothing', async () => {
  const c = await victim();
  const r = await c.post('/sign-out', { form: {}, csrf: false });
  assert.equal(r.status, 403);
  assert.ok(await stillSignedIn(c), 'the session was ended anyway');
  await dataFormRefused((form) => form.delete('csrf'), 'without csrf');
});

test('CSRF: a form POST with a wrong csrf token is refused (403)', async () => {
  const c = await victim();
  const r = await c.post('/sign-out', { form: { csrf: 'A'.repeat(43) } });
  assert.equal(r.status, 403);
  const other = await victim();   // another session's token is wrong here too
  const r2 = await c.post('/sign-out', { form: { csrf: other.csrf } });
  assert.equal(r2.status, 403, "another session's csrf token was accepted");
  assert.ok(await stillSignedIn(c));
  await dataFormRefused((form) => form.set('csrf', 'x'.repeat(43)), 'wrong csrf');
});

test('CSRF: Origin from another site is refused (403), even with the right token', async () => {
  const c = await victim();
  for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${srv.port + 1}`]) {
    const r = await c.post('/sign-out', { form: {}, headers: { Origin: origin } });
    assert.equal(r.status, 403, `Origin: ${origin}`);
  }
  assert.ok(await stillSignedIn(c));
  await dataFormRefused(null, 'evil Origin', { Origin: 'https://evil.example' });
});

test('CSRF: Sec-Fetch-Site cross-site (or same-site) is refused (403)', async () => {
  const c = await victim();
  for (const site of ['cross-site', 'same-site']) {
    const r = await c.post('/sign-out', { form: {}, headers: { 'Sec-Fetch-Site': site } });
    assert.equal(r.status, 403, `Sec-Fetch-Site: ${site}`);
  }
  assert.ok(await stillSignedIn(c));
  await dataFormRefused(null, 'cross-site', { 'Sec-Fetch-Site': 'cross-site' });
});

test('CSRF: a form sent as text/plain is refused', async () => {
  const c = await victim();
  const r = await c.post('/sign-out', { body: `csrf=${c.csrf}`, headers: { 'Content-Type': 'text/plain' } });
  assert.ok([403, 415].includes(r.status), `got ${r.status}`);
  assert.ok(await stillSignedIn(c));
});

test('CSRF: an API POST with the session cookie needs X-CSRF-Token', async (t) => {
  const api = routes.find((r) => r.method === 'POST' && r.path.startsWith('/api/') && WRITER[r.action]);
  if (!api) return t.skip('no API POST route yet');
  const p = who[WRITER[api.action]];
  const url = L.fillPattern(api.path, (n, i) => (i === 0 ? (api.object === 'cohort' ? w.cohort : w.own) : 1));
  const before = tableCounts();
  const r = await p.page.post(url, { json: {}, csrf: false });
  assert.equal(r.status, 403, `${url} with a cookie and no X-CSRF-Token → ${r.status}`);
  const r2 = await p.page.post(url, { json: {}, headers: { 'X-CSRF-Token': 'nope' } });
  assert.equal(r2.status, 403, `${url} with a wrong X-CSRF-Token → ${r2.status}`);
  const r3 = await p.page.post(url, { json: {}, headers: { Origin: 'https://evil.example' } });
  assert.equal(r3.status, 403, `${url} with a cookie from evil.example → ${r3.status}`);
  assert.deepEqual(tableCounts(), before);
});

test('CSRF: sign-in needs its double-submit token and our Origin (no login CSRF)', async () => {
  const c = new L.Client(srv);
  const page = await c.get('/sign-in');
  const token = L.hiddenOf(page.text, 'signin_token');
  assert.ok(token && c.jar.has('duet_signin'), 'the sign-in page sets a token');
  const base = { person: 'fac.demo', password: L.PASSWORDS.facilitator, next: '/home' };
  const r1 = await c.post('/sign-in', { form: base, csrf: false });
  assert.equal(r1.status, 403, 'without signin_token');
  const r2 = await c.post('/sign-in', { form: { ...base, signin_token: token }, headers: { Origin: 'https://evil.example' } });
  assert.equal(r2.status, 403, 'from evil.example');
  const bare = new L.Client(srv);
  const r3 = await bare.post('/sign-in', { form: { ...base, signin_token: token } });
  assert.equal(r3.status, 403, 'the token without its cookie');
  assert.ok(!c.jar.has('duet_session') && !bare.jar.has('duet_session'), 'no session was opened');
});

// Submits a data-changing form found on the pages with a broken CSRF
// defence; it must be refused with 403 and no table may change.
let dataForm;
async function dataFormRefused(mutate, what, headers = {}) {
  if (dataForm === undefined) {
    dataForm = null;
    for (const label of ['participantA', 'facilitator']) {
      const p = who[label];
      for (const url of seedsFor(p)) {
        const r = await p.page.get(url);
        if (r.status !== 200) continue;
        const f = L.parseForms(r.text).find((x) => x.method === 'post' && !/sign-out/.test(x.action) &&
          x.fields.some((y) => y.type === 'textarea' || y.type === 'text'));
        if (f) { dataForm = { p, form: f, url }; break; }
      }
      if (dataForm) break;
    }
  }
  if (!dataForm) return;   // no data form yet: the sign-out checks stand alone
  const { p, form, url } = dataForm;
  const fd = fillForm(form, `csrf ${what}`, true);
  if (mutate) mutate(fd);
  const before = tableCounts();
  const r = await p.page.post(form.action || url, { form: fd.toString(), csrf: false, headers });
  assert.equal(r.status, 403, `POST ${form.action} (${what}) → ${r.status}`);
  assert.deepEqual(tableCounts(), before, `POST ${form.action} (${what}) changed the database`);
}

/* ---- sessions ---- */

test('session fixation: the session after sign-in is new, never one set before', async () => {
  const c = new L.Client(srv);
  const planted = 'AttackerChosenSessionValue0123456789abcdefg';
  c.jar.set('duet_session', planted);
  const r = await c.signIn('fac.demo', L.PASSWORDS.facilitator);
  assert.equal(r.status, 303);
  assert.ok(c.jar.get('duet_session') && c.jar.get('duet_session') !== planted, 'the planted value was kept');
  const first = c.jar.get('duet_session');
  // Signing in from a browser that still holds a valid session (with that
  // session's csrf token, which a signed-in POST needs) gives a new one.
  const c2 = new L.Client(srv);
  const page = await c2.get('/sign-in');
  c2.jar.set('duet_session', first);
  const r2 = await c2.post('/sign-in', { csrf: false, form: { csrf: c.csrf, signin_token: L.hiddenOf(page.text, 'signin_token'),
    person: 'fac.demo', password: L.PASSWORDS.facilitator, next: '/home' } });
  assert.equal(r2.status, 303);
  assert.notEqual(c2.jar.get('duet_session'), first, 'signing in again kept the old session token');
});

test('a made-up session cookie or bearer token is not accepted', async () => {
  const c = new L.Client(srv);
  for (const v of ['AttackerChosenSessionValue0123456789abcdefg', 'x', "' OR 1=1 --", 'A'.repeat(43)]) {
    c.jar.set('duet_session', encodeURIComponent(v));
    const r = await c.get('/home');
    assert.equal(r.status, 303, `cookie ${v}`);
    assert.match(r.location, /^\/sign-in/);
    const a = await c.get('/api/v1/me');
    assert.equal(a.status, 401, `cookie ${v} on the API`);
  }
  const b = new L.Client(srv);
  b.bearer = 'A'.repeat(43);
  assert.equal((await b.get('/api/v1/me')).status, 401);
  const r = await fetch(srv.url + '/api/v1/me', { headers: { Authorization: 'Basic YWRtaW46YWRtaW4=' } });
  assert.equal(r.status, 401, 'a Basic Authorization header');
});

test('after sign-out the old session cookie no longer works', async () => {
  const c = await L.signedIn(srv, w.pB, L.PASSWORDS.participant);
  const cookie = c.jar.get('duet_session');
  const r = await c.post('/sign-out', { form: {} });
  assert.equal(r.status, 303);
  assert.match(r.location, /^\/sign-in/);
  assert.ok(!c.jar.has('duet_session'), 'the cookie was not cleared');
  const replay = new L.Client(srv);
  replay.jar.set('duet_session', cookie);
  const h = await replay.get('/home');
  assert.equal(h.status, 303, 'the old cookie still opens /home');
  assert.match(h.location, /^\/sign-in/);
  assert.equal((await replay.get('/api/v1/me')).status, 401, 'the old cookie still opens the API');
});

test("a disabled account's session and API token stop working", async () => {
  const c = await L.signedIn(srv, 'dis.abled', L.PASSWORDS.participant);
  const api = new L.Client(srv);
  api.bearer = L.tokenFor(w.db, 'dis.abled');
  assert.equal((await c.get('/home')).status, 200);
  assert.equal((await api.get('/api/v1/me')).status, 200);
  L.duetOk(w.db, 'user', 'disable', '--person', 'dis.abled');
  const h = await c.get('/home');
  assert.equal(h.status, 303, 'the session still works');
  assert.match(h.location, /^\/sign-in/);
  assert.equal((await api.get('/api/v1/me')).status, 401, 'the token still works');
  const again = new L.Client(srv);
  const s = await again.signIn('dis.abled', L.PASSWORDS.participant);
  assert.notEqual(s.status, 303, 'a disabled account can sign in');
});

test('sign-in rate limit: after 5 wrong passwords even the right one gets 429', async () => {
  const c = new L.Client(srv);
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push((await c.signIn('rate.limited', `wrong-password-${i}`)).status);
  assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
  const right = await c.signIn('rate.limited', L.PASSWORDS.participant);
  assert.equal(right.status, 429, 'the 6th attempt (right password)');
  assert.ok(!c.jar.has('duet_session'));
  assert.equal((await c.signIn('rate.limited', 'wrong-again')).status, 429);
  // Another account from the same address is not locked out.
  const other = await c.signIn('admin.demo', L.PASSWORDS.admin);
  assert.equal(other.status, 303, 'another account was locked out too');
});

/* ---- headers ---- */

function cspProblems(csp) {
  if (!csp) return ['no Content-Security-Policy'];
  const d = Object.fromEntries(csp.split(';').map((x) => x.trim()).filter(Boolean)
    .map((x) => { const [k, ...v] = x.split(/\s+/); return [k.toLowerCase(), v]; }));
  const bad = [];
  const script = d['script-src'] ?? d['default-src'];
  if (!script) bad.push('no script-src or default-src');
  else if (script.some((v) => ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'http:', 'https:'].includes(v)))
    bad.push(`script-src ${script.join(' ')}`);
  const style = d['style-src'] ?? d['default-src'];
  if (style && style.includes("'unsafe-inline'")) bad.push(`style-src ${style.join(' ')}`);
  if (!d['frame-ancestors'] || d['frame-ancestors'].join(' ') !== "'none'") bad.push(`frame-ancestors ${d['frame-ancestors']}`);
  return bad;
}

test('every response has the security headers (CSP, nosniff, frame-ancestors, Referrer-Policy)', async (t) => {
  const pages = await readEverything();
  const extra = [];
  for (const u of ['/sign-in', '/no-such-page', '/assets/duet.css', '/api/v1/openapi.json', '/api/v1/me', '/'])
    extra.push({ what: `anonymous GET ${u}`, res: await who.anonymous.page.get(u) });
  const all = [...pages, ...extra, ...responses.map((r) => ({ what: `${r.label} ${r.method} ${r.url}`, res: r.res }))]
    .filter((x) => x.res && x.res.status);
  const bad = [];
  for (const x of all) {
    const h = x.res.headers;
    const probs = cspProblems(h.get('content-security-policy'));
    if (h.get('x-content-type-options') !== 'nosniff') probs.push('no nosniff');
    const rp = h.get('referrer-policy');
    if (!rp || !/^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/.test(rp)) probs.push(`Referrer-Policy ${rp}`);
    const ct = h.get('content-type') || '';
    if (x.res.status !== 303 && !ct) probs.push('no Content-Type');
    if (/\/api\//.test(x.what) && x.res.status !== 303 && !ct.startsWith('application/json')) probs.push(`API answered ${ct}`);
    if (!/\/assets\//.test(x.what) && !/no-store/.test(h.get('cache-control') || '')) probs.push(`Cache-Control ${h.get('cache-control')}`);
    if (probs.length) bad.push(`${x.what} → ${x.res.status}: ${probs.join(', ')}`);
  }
  t.diagnostic(`${all.length} responses checked`);
  assert.ok(all.length > 30);
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} responses lack headers`);
});

test('cookies are HttpOnly, SameSite=Strict and Path=/', async (t) => {
  const cookies = [];
  for (const p of Object.values(who)) for (const c of [p.page, p.api]) if (c) cookies.push(...c.setCookies);
  t.diagnostic(`${cookies.length} Set-Cookie headers`);
  assert.ok(cookies.some((c) => c.startsWith('duet_session=')) && cookies.some((c) => c.startsWith('duet_signin=')));
  const bad = cookies.filter((c) => !/;\s*HttpOnly/i.test(c) || !/;\s*SameSite=Strict/i.test(c) || !/;\s*Path=\//i.test(c));
  assert.deepEqual(bad, []);
});

/* ---- oversized and malformed requests ---- */

test('a 100 KB form body is refused with 413', async () => {
  const c = new L.Client(srv);
  const page = await c.get('/sign-in');
  const form = { signin_token: L.hiddenOf(page.text, 'signin_token'), person: 'x', password: 'y'.repeat(100 * 1024) };
  const r = await c.post('/sign-in', { form });
  assert.equal(r.status, 413);
  const p = who.facilitator;
  const r2 = await p.page.post('/sign-out', { form: { pad: 'z'.repeat(100 * 1024) } });
  assert.equal(r2.status, 413, 'a signed-in form');
  const r3 = await p.api.post('/api/v1/me', { jsonText: JSON.stringify({ pad: 'z'.repeat(100 * 1024) }) });
  assert.equal(r3.status, 413, 'an API body');
});

test('a 100 KB header is refused (4xx or closed) and the server answers the next request', async () => {
  const big = `GET /sign-in HTTP/1.1\r\nHost: ${srv.host}\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`;
  const r = await L.rawRequest(srv.port, big);
  const s = L.rawStatus(r.text);
  assert.ok((s >= 400 && s < 500) || (s === 0 && r.closed), `got ${s || r.text.slice(0, 80)}`);
  const many = `GET /sign-in HTTP/1.1\r\nHost: ${srv.host}\r\n${Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`;
  const r2 = await L.rawRequest(srv.port, many);
  const s2 = L.rawStatus(r2.text);
  assert.ok((s2 >= 400 && s2 < 500) || (s2 === 0 && r2.closed), `2000 headers: got ${s2}`);
  const after = await fetch(srv.url + '/sign-in');
  assert.equal(after.status, 200);
});

test('bad percent escapes in a form are refused with 400', async () => {
  const c = new L.Client(srv);
  const page = await c.get('/sign-in');
  const tok = L.hiddenOf(page.text, 'signin_token');
  const f = await c.post('/sign-in', { form: `signin_token=${tok}&person=%ZZ&password=x`, csrf: false });
  assert.equal(f.status, 400, 'form with %ZZ');
  const f2 = await c.post('/sign-in', { form: `signin_token=${tok}&person=x&password=%4`, csrf: false });
  assert.equal(f2.status, 400, 'form with a cut escape');
});

test('bad percent escapes in a query string are refused with 400', async () => {
  const c = new L.Client(srv);
  const q = await c.get('/sign-in?next=%ZZ');
  assert.equal(q.status, 400, 'GET /sign-in?next=%ZZ');
  const q2 = await c.get('/sign-in?next=%2');
  assert.equal(q2.status, 400, 'GET /sign-in?next=%2 (a cut escape)');
});

test('invalid UTF-8 in a form or query is refused with 400', async () => {
  const c = new L.Client(srv);
  const page = await c.get('/sign-in');
  const tok = L.hiddenOf(page.text, 'signin_token');
  const f = await c.post('/sign-in', { form: `signin_token=${tok}&person=%FF%FE&password=x`, csrf: false });
  assert.equal(f.status, 400, 'form');
  const q = await c.get('/sign-in?next=%C3%28');
  assert.equal(q.status, 400, 'query');
  const ctl = await c.post('/sign-in', { form: `signin_token=${tok}&person=a%00b&password=x`, csrf: false });
  assert.equal(ctl.status, 400, 'a NUL byte');
  const p = await who.participantA.page.get('/partnerships/%FF%FE');
  assert.ok([400, 404].includes(p.status), `invalid UTF-8 in a path → ${p.status}`);
});

test('an unknown method is refused (405/501), not served', async () => {
  for (const m of ['BREW', 'PROPFIND', 'TRACE']) {
    const r = await L.rawRequest(srv.port, `${m} /sign-in HTTP/1.1\r\nHost: ${srv.host}\r\nConnection: close\r\n\r\n`);
    const s = L.rawStatus(r.text);
    assert.ok([400, 405, 501].includes(s), `${m} → ${s}`);
  }
  for (const [m, u] of [['PUT', '/home'], ['DELETE', '/api/v1/me'], ['PATCH', '/sign-in']]) {
    const r = await fetch(srv.url + u, { method: m, headers: { Origin: srv.origin } });
    assert.equal(r.status, 405, `${m} ${u} → ${r.status}`);
  }
  const put = await fetch(srv.url + '/home', { method: 'PUT', body: 'x', headers: { Origin: srv.origin } });
  assert.ok(put.status >= 400 && put.status < 500, `PUT /home with a body → ${put.status}`);
});

test('broken JSON to an API POST is refused (400/422)', async (t) => {
  const api = routes.find((r) => r.method === 'POST' && r.path.startsWith('/api/') && WRITER[r.action]);
  if (!api) return t.skip('no API POST route yet');
  const p = who[WRITER[api.action]];
  const url = L.fillPattern(api.path, (n, i) => (i === 0 ? (api.object === 'cohort' ? w.cohort : w.own) : 1));
  const before = tableCounts();
  for (const body of ['{"text": "unterminated', '{,}', '[1,2', 'null', '"x"', '{"text": "\\ud800"}', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]) {
    const r = await p.api.post(url, { jsonText: body });
    assert.ok([400, 422].includes(r.status), `POST ${url} with ${JSON.stringify(body)} → ${r.status}`);
    assert.ok(r.json?.error, 'a JSON error body');
  }
  assert.deepEqual(tableCounts(), before);
});

test('the access log holds no query strings, passwords or tokens', async () => {
  await who.anonymous.page.get('/sign-in?next=/secret-query-marker');
  await sleep(100);
  const fs = await import('node:fs');
  const log = fs.readFileSync(srv.log, 'utf8');
  const lines = log.trim().split('\n');
  assert.ok(lines.length > 50);
  for (const l of lines) JSON.parse(l);
  assert.ok(!log.includes('secret-query-marker'), 'a query string');
  for (const pw of Object.values(L.PASSWORDS)) assert.ok(!log.includes(pw), 'a password');
  for (const p of Object.values(who)) {
    if (p.api?.bearer) assert.ok(!log.includes(p.api.bearer), 'a bearer token');
    const s = p.page?.jar.get('duet_session');
    if (s) assert.ok(!log.includes(s), 'a session token');
  }
});

/* ---- and still standing ---- */

test('the database is intact: audit chain verifies, tables and people remain', () => {
  const v = L.duet(w.db, 'audit', 'verify');
  assert.equal(v.rc, 0, v.err);
  assert.equal(L.sqlite(w.db, 'PRAGMA integrity_check;').trim(), 'ok');
  const counts = tableCounts();
  for (const t of ['person', 'partnership', 'cohort', 'module', 'reflection', 'account', 'checkin'])
    assert.ok(counts[t] > 0, `table ${t} is empty or gone`);
  assert.equal(counts.person, peopleBefore, 'the number of people changed');
});

test('the server still serves /sign-in after all that', async () => {
  const r = await fetch(srv.url + '/sign-in');
  assert.equal(r.status, 200);
});

test('the server never crashed', () => {
  assert.deepEqual({ crashes: srv.crashes.length, requests: crashes }, { crashes: 0, requests: [] },
    `the server died ${srv.crashes.length} times (${JSON.stringify(srv.crashes)}); requests that killed it alone: ` +
    `${crashes.join('; ')}\n${srv.stderr().slice(-600)}`);
});

test('the server stops cleanly on SIGTERM (exit 0)', async () => {
  const r = await srv.stop();
  assert.deepEqual(r, { code: 0, signal: null }, srv.stderr().slice(-500));
});
