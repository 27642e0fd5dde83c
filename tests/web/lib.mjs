// tests/web/lib.mjs — helpers for the web tests (node:test, no packages).
//
//   DUET          the duet binary (default build/duet in the repository)
//   DUET_ASSETS   the front-end assets (default: the folder next to the binary)
//   DUET_KEEP     set to keep the temporary folders (databases, access logs)
//
// tempDir() / demoDb(dir)      a temporary folder and a demo database with sign-ins
// buildWorld(dir)              the demo plus a second cohort (partnership X01,
//                              facilitator fac.other) that fac.demo does not run
// duet(db, ...args)            runs the CLI synchronously: {rc, out, err}
// startServer(db, dir)         `duet serve` on a free port (a Server: stop() with
//                              SIGTERM, kill(), restart() after a crash)
// new Client(server)           a tiny browser: a cookie jar, sign-in, CSRF token,
//                              or a bearer token for the API
// connectAll(server, world)    every principal the tests act as, signed in
// tokenFor(db, key)            a personal API bearer token from the CLI
// runGuarded(server, jobs...)  runs requests in parallel and survives crashes,
//                              naming the request that killed the server
// rawRequest(port, bytes)      writes bytes to a socket, returns what came back
// parseForms / startTags / links / plainText   reading the HTML that comes back
//
// Nothing here knows the access rules: the tests state those themselves.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DUET = path.resolve(TOP, process.env.DUET || 'build/duet');
// The assets next to the binary; a sanitizer or other build without its own
// (no duet.css there) falls back to build/assets.
export const ASSETS = process.env.DUET_ASSETS ||
  [path.join(path.dirname(DUET), 'assets'), path.join(TOP, 'build/assets')]
    .find((d) => fs.existsSync(path.join(d, 'duet.css'))) ||
  path.join(path.dirname(DUET), 'assets');

export const PASSWORDS = {
  participant: 'harbour-lantern-participant',
  facilitator: 'harbour-lantern-cohorts',
  researcher: 'harbour-lantern-analysis',
  admin: 'harbour-lantern-accounts',
};
export const STAFF = { facilitator: 'fac.demo', researcher: 'res.demo', admin: 'admin.demo' };
export const DEMO_COHORT = 'Demo cohort 2026';

/* ---- files and the command line ---- */

const dirs = [];
export function tempDir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'duet-web-'));
  dirs.push(d);
  return d;
}
process.on('exit', () => {
  if (process.env.DUET_KEEP) return;
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

// Runs `duet --db DB ARGS...`; never throws.
export function duet(db, ...args) {
  const r = spawnSync(DUET, ['--db', db, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DUET_ACTOR: 'web-tests', DUET_ASSETS: ASSETS },
    maxBuffer: 64 << 20,
  });
  return { rc: r.status, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

// Runs a command that must succeed; throws with its stderr otherwise.
export function duetOk(db, ...args) {
  const r = duet(db, ...args);
  if (r.rc !== 0) throw new Error(`duet ${args.join(' ')} failed (rc ${r.rc}): ${r.err.trim()}`);
  return r.out;
}

export function duetJson(db, ...args) {
  return JSON.parse(duetOk(db, ...args, '--json'));
}

// Runs the Debian sqlite3 CLI (read-only use), returning its stdout.
export function sqlite(db, sql, ...flags) {
  const r = spawnSync('sqlite3', ['-batch', ...flags, db, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
  return r.stdout;
}

// A new demo database (with accounts) in dir.
export function demoDb(dir, ...extra) {
  const db = path.join(dir, 'demo.db');
  duetOk(db, 'demo', '--sign-ins', ...extra);
  return db;
}

// The members of a partnership: [{key, role, side?...}] whatever the JSON calls them.
export function members(db, code) {
  const p = duetJson(db, 'partnership', 'show', code);
  return (p.members || []).map((m) => ({ ...m, key: m.key ?? m.person ?? m.person_key }));
}

// A personal API token for the person's account.
export function tokenFor(db, key) {
  const out = duetOk(db, 'token', 'create', '--person', key, '--json');
  const j = JSON.parse(out);
  if (typeof j === 'string') return j;
  if (typeof j.token === 'string') return j.token;
  for (const v of Object.values(j)) if (typeof v === 'string' && /^[A-Za-z0-9_-]{40,}$/.test(v)) return v;
  throw new Error(`no token in: ${out}`);
}

/* ---- the server ---- */

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// `duet serve` on a free port with an access log in dir. Clients hold this
// object, so after restart() (a new process, maybe a new port) they follow.
export class Server {
  constructor(db, dir, extra = []) {
    Object.assign(this, { db, dir, extra, crashes: [], errText: '' });
  }

  // Starts the process and waits until GET /sign-in answers.
  async start() {
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      this.port = port;
      this.host = `127.0.0.1:${port}`;
      this.origin = this.url = `http://${this.host}`;
      this.log = path.join(this.dir, 'access.log');
      const proc = spawn(DUET, ['--db', this.db, 'serve', '--listen', this.host, '--assets', ASSETS,
        '--access-log', this.log, ...this.extra],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DUET_ACTOR: 'web-tests' } });
      this.proc = proc;
      this.stopping = false;
      let done = false;
      proc.stdout.on('data', () => {});
      proc.stderr.on('data', (d) => { this.errText += d; });
      this.exited = new Promise((resolve) => proc.on('exit', (code, signal) => {
        done = true;
        if (!this.stopping) this.crashes.push({ code, signal, at: new Date().toISOString() });
        resolve({ code, signal });
      }));
      this.alive = () => !done;
      const t0 = Date.now();
      while (!done && Date.now() - t0 < 15000) {
        try {
          const r = await fetch(this.url + '/sign-in', { redirect: 'manual' });
          await r.arrayBuffer();
          return this;
        } catch {
          await sleep(50);
        }
      }
      if (!done) {
        await this.kill();
        throw new Error(`duet serve did not answer on port ${port}: ${this.errText}`);
      }
      this.crashes.pop();
      if (!/cannot listen/.test(this.errText)) throw new Error(`duet serve exited: ${this.errText}`);
    }
    throw new Error('no free port for duet serve');
  }

  stderr() { return this.errText; }

  // SIGTERM, then waits (SIGKILL after timeoutMs); resolves to {code, signal}.
  async stop(timeoutMs = 10000) {
    this.stopping = true;
    if (!this.alive()) return this.exited;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    const res = await this.exited;
    clearTimeout(t);
    return res;
  }

  kill() {
    this.stopping = true;
    if (this.alive()) this.proc.kill('SIGKILL');
    return this.exited;
  }

  // After a crash: a new process on the same database.
  restart() {
    this.restarting ??= (async () => {
      if (this.alive()) await this.stop();
      await this.start();
      this.restarting = null;
    })();
    return this.restarting;
  }
}

export async function startServer(db, dir, extra = []) {
  return new Server(db, dir, extra).start();
}

/* ---- a tiny browser ---- */

export function csrfOf(html) {
  const m = /<input[^>]*name="csrf"[^>]*value="([^"]*)"/.exec(html) ||
    /<input[^>]*value="([^"]*)"[^>]*name="csrf"/.exec(html);
  return m ? m[1] : null;
}

export function hiddenOf(html, name) {
  const re = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`);
  const m = re.exec(html);
  return m ? m[1] : null;
}

const formBody = (fields) => new URLSearchParams(fields).toString();

export class Client {
  constructor(server, label = 'anonymous') {
    this.server = server;
    this.label = label;
    this.jar = new Map();
    this.csrf = null;
    this.bearer = null;
    this.setCookies = [];   // every Set-Cookie value seen, for the flags checks
  }

  cookieHeader() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  keepCookies(res) {
    for (const c of res.headers.getSetCookie()) {
      this.setCookies.push(c);
      const [pair, ...attrs] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a)) || value === '';
      if (gone) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  // One request, never following redirects. opts: form (object or string),
  // json (value or raw string via jsonText), headers, csrf (add the form/
  // header token: default true for POST), bearer (false to leave it off),
  // cookies (false to send none).
  async request(method, p, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    if (opts.cookies !== false && this.jar.size) headers.Cookie = this.cookieHeader();
    const useBearer = opts.bearer !== false && this.bearer && p.startsWith('/api/');
    if (useBearer) headers.Authorization = `Bearer ${this.bearer}`;
    let body;
    const addCsrf = opts.csrf ?? (method !== 'GET' && method !== 'HEAD');
    if (opts.form !== undefined) {
      let f = opts.form;
      if (typeof f !== 'string') {
        f = { ...f };
        if (addCsrf && this.csrf && !('csrf' in f)) f.csrf = this.csrf;
        f = formBody(f);
      }
      body = f;
      headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
    } else if (opts.json !== undefined || opts.jsonText !== undefined) {
      body = opts.jsonText ?? JSON.stringify(opts.json);
      headers['Content-Type'] ??= 'application/json';
    } else if (opts.body !== undefined) {
      body = opts.body;
    }
    if (addCsrf && p.startsWith('/api/') && this.csrf && !useBearer) headers['X-CSRF-Token'] ??= this.csrf;
    if (method !== 'GET' && method !== 'HEAD') headers.Origin ??= this.server.origin;
    for (const k of Object.keys(headers)) if (headers[k] === null) delete headers[k];
    const res = await fetch(this.server.url + p, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    this.keepCookies(res);
    const c = csrfOf(text);
    if (c) this.csrf = c;
    let json;
    if ((res.headers.get('content-type') || '').startsWith('application/json')) {
      try { json = JSON.parse(text); } catch { json = undefined; }
    }
    return { status: res.status, headers: res.headers, text, json, location: res.headers.get('location') };
  }

  get(p, opts) { return this.request('GET', p, opts); }
  post(p, opts) { return this.request('POST', p, opts); }

  // Signs in through the form; returns the POST response (303 on success).
  async signIn(person, password, extra = {}) {
    const page = await this.get('/sign-in');
    const token = hiddenOf(page.text, 'signin_token');
    const r = await this.post('/sign-in', {
      form: { signin_token: token ?? '', next: '/home', person, password, ...extra }, csrf: false,
    });
    if (r.status === 303 && this.jar.has('duet_session')) {
      this.label = person;
      await this.get('/home');   // picks up the csrf token
    }
    return r;
  }
}

// A client signed in as person; throws if sign-in fails.
export async function signedIn(server, person, password) {
  const c = new Client(server, person);
  const r = await c.signIn(person, password);
  if (r.status !== 303 || !c.jar.has('duet_session'))
    throw new Error(`sign-in as ${person} failed: ${r.status} ${r.text.slice(0, 300)}`);
  return c;
}

/* ---- raw HTTP ---- */

// Writes data to a new connection and collects what comes back until the
// server closes it or timeoutMs passes. Returns {text, closed, error}.
export function rawRequest(port, data, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const chunks = [];
    let error = null;
    const s = net.connect(port, '127.0.0.1');
    const finish = (closed) => {
      clearTimeout(t);
      s.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed, error });
    };
    const t = setTimeout(() => finish(false), timeoutMs);
    s.on('data', (d) => chunks.push(d));
    s.on('error', (e) => { error = e.code || String(e); });
    s.on('close', () => finish(true));
    s.on('connect', () => {
      s.write(data, () => {});
    });
  });
}

// The status of a raw HTTP response ("HTTP/1.1 400 Bad Request" → 400), or 0.
export function rawStatus(text) {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return m ? Number(m[1]) : 0;
}

/* ---- routes ---- */

export function routesOf(db) {
  return JSON.parse(duetOk(db, 'serve', '--routes', '--json'));
}

// The {names} in a route pattern, in order.
export function paramNames(pattern) {
  return [...pattern.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
}

// Fills a pattern's captures: fill(name, index) returns the raw value.
export function fillPattern(pattern, fill) {
  let i = 0;
  return pattern.replace(/\{([^}]+)\}/g, (_, name) => encodeURIComponent(String(fill(name, i++))));
}

// Runs fn over items with at most n in flight; results in order.
export async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/* ---- the world the tests run in ---- */

export const OTHER_COHORT = 'Outer cohort 2027';
export const OTHER_CODE = 'X01';

// A demo database plus a second cohort (with its own partnership X01,
// participants and facilitator fac.other) that fac.demo is not staff of.
// Returns the database and the people the tests act as.
export function buildWorld(dir, opts = {}) {
  const db = demoDb(dir, ...(opts.demo || []));
  const programme = duetJson(db, 'programme', 'list')[0].name;
  duetOk(db, 'cohort', 'add', OTHER_COHORT, '--programme', programme, '--starts', '2027-01-10');
  for (const n of [1, 2])
    duetOk(db, 'module', 'add', '--cohort', OTHER_COHORT, '--number', String(n), '--theme', `Outer theme ${n}`);
  const people = [
    ['xena.x1a', 'Xanthe Quartermaine', 'participant'],
    ['yusuf.x1b', 'Yusuf Oyelaran-Tremblay', 'participant'],
    ['fac.other', 'Olwen Fairweather', 'facilitator'],
  ];
  for (const [key, name, role] of people) {
    duetOk(db, 'person', 'add', key, '--name', name, '--contact', `${key}@contact.example`);
    addUser(db, key, role, PASSWORDS[role]);
  }
  duetOk(db, 'partnership', 'add', OTHER_CODE, '--cohort', OTHER_COHORT,
    '--member', 'xena.x1a:patient_leader', '--member', 'yusuf.x1b:system_leader',
    '--title', 'Outer title', '--aim', 'Outer aim');
  duetOk(db, 'cohort', 'staff', 'add', OTHER_COHORT, 'fac.other');
  const p1 = members(db, 'P01');
  const p2 = members(db, 'P02');
  return {
    db, dir, programme,
    own: 'P01', sameCohortOther: 'P02', otherCohortCode: OTHER_CODE,
    cohort: DEMO_COHORT, otherCohort: OTHER_COHORT,
    pA: p1[0].key, pA2: p1[1].key, pB: p2[0].key,
    codes: duetJson(db, 'partnership', 'list').map((p) => p.code),
  };
}

export function addUser(db, key, role, password) {
  const r = spawnSync(DUET, ['--db', db, 'user', 'add', '--person', key, '--role', role, '--password-stdin'],
    { input: password + '\n', encoding: 'utf8', env: { ...process.env, DUET_ACTOR: 'web-tests' } });
  if (r.status !== 0) throw new Error(`user add ${key}: ${r.stderr}`);
}

// The principals every matrix runs as: label → {role, key, password, own}.
export function principals(w) {
  return {
    anonymous: { role: 'anonymous' },
    participantA: { role: 'participant', key: w.pA, partnerships: [w.own] },
    participantA2: { role: 'participant', key: w.pA2, partnerships: [w.own] },
    participantB: { role: 'participant', key: w.pB, partnerships: [w.sameCohortOther] },
    facilitator: { role: 'facilitator', key: STAFF.facilitator, cohorts: [DEMO_COHORT] },
    facilitatorOther: { role: 'facilitator', key: 'fac.other', cohorts: [OTHER_COHORT] },
    researcher: { role: 'researcher', key: STAFF.researcher },
    admin: { role: 'admin', key: STAFF.admin },
  };
}

// Signs in every principal (a session) and gives each a bearer token.
export async function connectAll(server, w) {
  const out = {};
  for (const [label, p] of Object.entries(principals(w))) {
    if (p.role === 'anonymous') {
      out[label] = { ...p, label, page: new Client(server, label), api: new Client(server, label) };
      continue;
    }
    const page = await signedIn(server, p.key, PASSWORDS[p.role]);
    page.label = label;
    const api = new Client(server, label);
    api.bearer = tokenFor(w.db, p.key);
    out[label] = { ...p, label, page, api };
  }
  return out;
}

// Runs fn(job) over jobs, n at a time, surviving server crashes: a job whose
// request fails is retried alone after the server is restarted; if it fails
// again it gets job.res = {status: 0, error} (error names a crash when the
// server died under it). Returns the jobs that crashed the server.
export async function runGuarded(server, jobs, n, fn) {
  const failed = [];
  const crashed = [];
  await pool(jobs, n, async (j) => {
    if (!server.alive()) await server.restart();
    try {
      await fn(j);
    } catch {
      failed.push(j);
    }
  });
  for (const j of failed) {
    if (!server.alive()) await server.restart();
    try {
      await fn(j);
    } catch (e) {
      await sleep(300);
      const died = !server.alive();
      if (died) crashed.push(j);
      j.res = { status: 0, text: '', headers: new Headers(), location: null,
        error: died ? 'the server crashed' : `no answer (${e.cause?.code ?? e.message})` };
    }
  }
  if (!server.alive()) await server.restart();
  return crashed;
}

/* ---- reading HTML ---- */

// Undoes HTML character references and JSON \u escapes: the text as read.
export function plainText(s) {
  return s.replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

// The attributes of a start tag's inside ('a href="/x" class=y') as
// [[name, value]] (value decoded; null when absent), the way a browser reads them.
export function parseAttrs(s) {
  const out = [];
  const re = /([^\s"'<>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of s.matchAll(re)) {
    const v = m[2] ?? m[3] ?? m[4];
    out.push([m[1].toLowerCase(), v === undefined ? null : plainText(v)]);
  }
  return out;
}

// Every start tag: [{name, attrs, raw}].
export function startTags(html) {
  const tags = [];
  for (const m of html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g))
    tags.push({ name: m[1].toLowerCase(), attrs: parseAttrs(m[2]), raw: m[0] });
  return tags;
}

// The forms of a page: [{action, method, fields: [{tag, type, name, value,
// options, attrs}]}].
export function parseForms(html) {
  const forms = [];
  for (const m of html.matchAll(/<form\b((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/form>/gi)) {
    const fa = Object.fromEntries(parseAttrs(m[1]));
    const body = m[2];
    const fields = [];
    for (const i of body.matchAll(/<input\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi)) {
      const a = Object.fromEntries(parseAttrs(i[1]));
      fields.push({ tag: 'input', type: (a.type || 'text').toLowerCase(), name: a.name, value: a.value ?? '', attrs: a });
    }
    for (const t of body.matchAll(/<textarea\b((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/textarea>/gi)) {
      const a = Object.fromEntries(parseAttrs(t[1]));
      fields.push({ tag: 'textarea', type: 'textarea', name: a.name, value: plainText(t[2]), attrs: a });
    }
    for (const s of body.matchAll(/<select\b((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/select>/gi)) {
      const a = Object.fromEntries(parseAttrs(s[1]));
      const options = [...s[2].matchAll(/<option\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi)]
        .map((o) => Object.fromEntries(parseAttrs(o[1])).value).filter((v) => v !== undefined && v !== null);
      fields.push({ tag: 'select', type: 'select', name: a.name, value: options[0] ?? '', options, attrs: a });
    }
    forms.push({ action: fa.action ?? '', method: (fa.method || 'get').toLowerCase(), fields: fields.filter((f) => f.name) });
  }
  return forms;
}

// Same-site links of a page (paths, without fragments).
export function links(html) {
  const out = new Set();
  for (const t of startTags(html)) {
    if (t.name !== 'a') continue;
    const href = t.attrs.find(([n]) => n === 'href')?.[1];
    if (href && href.startsWith('/') && !href.startsWith('//')) out.add(href.replace(/#.*$/, ''));
  }
  return [...out];
}
