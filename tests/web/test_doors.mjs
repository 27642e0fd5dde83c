// tests/web/test_doors.mjs — doors that were found open, each shut and kept shut:
//
//   * the redirect after sign-in (next=) never leads to another origin: every
//     Location is resolved with the WHATWG URL parser (Node's URL), the same
//     rules a browser follows;
//   * a client that trickles its request head a byte at a time is cut off at
//     the head deadline (not kept alive by each byte), and others are served
//     meanwhile;
//   * a second `duet serve` on an address in use refuses to start, and a
//     restart on the same port right after a stop still works;
//   * odd requests: two Content-Length headers, Content-Length with
//     Transfer-Encoding, an Origin of the other scheme (plain HTTP and TLS),
//     a JSON body with another Content-Type, a field sent twice;
//   * cohort names that could not appear in a URL are refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import * as L from './lib.mjs';

let dir, db, srv, pA, token;
let defaultTrickle;   // one slow client against the default deadline, started in before()

before(async () => {
  dir = L.tempDir();
  db = L.demoDb(dir);
  srv = await L.startServer(db, dir);
  pA = L.members(db, 'P01')[0].key;
  token = L.tokenFor(db, pA);
  // Runs alongside the other tests: the default head deadline is 10 s.
  defaultTrickle = trickle(srv.port, '127.0.0.7', 500, 200);
});

after(async () => {
  if (srv && srv.alive()) await srv.stop();
});

/* ---- helpers ---- */

// One raw request on its own connection; returns {text, closed}.
const raw = (data, ms) => L.rawRequest(srv.port, data, ms);

// Every status line in a raw reply (a second one would be a smuggled request answered).
const statusLines = (text) => [...text.matchAll(/HTTP\/1\.[01] \d{3}/g)].map((m) => m[0]);

// A header of a raw reply, its bytes as sent (latin1), or null.
function rawHeader(text, name) {
  const head = text.split('\r\n\r\n')[0];
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i).toLowerCase() === name.toLowerCase()) return line.slice(i + 1).trim();
  }
  return null;
}

// Opens a connection from localAddress and writes a request head one byte
// every `every` ms; never sends the blank line that would end the head unless
// the bytes run out (headBytes in all). Resolves to {closedAfterMs, sent,
// total, byServer} once the connection closes (or after the bytes ran out
// plus a second).
function trickle(port, localAddress, every, headBytes) {
  const line = `GET /sign-in HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `;
  const head = Buffer.from(line + 'a'.repeat(Math.max(0, headBytes - line.length - 4)) + '\r\n\r\n', 'latin1');
  return new Promise((resolve) => {
    const t0 = Date.now();
    let sent = 0, done = false, timer = null, endTimer = null;
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    const finish = (byServer) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(endTimer);
      s.destroy();
      resolve({ closedAfterMs: Date.now() - t0, sent, total: head.length, byServer });
    };
    s.on('error', () => {});
    s.on('data', () => {});
    s.on('end', () => finish(true));
    s.on('close', () => finish(true));
    s.on('connect', () => {
      timer = setInterval(() => {
        if (sent < head.length && !s.destroyed) s.write(head.subarray(sent, ++sent));
        if (sent >= head.length && !endTimer) endTimer = setTimeout(() => finish(false), 1000);
      }, every);
    });
  });
}

// GET /sign-in's double-submit token and cookie, for a sign-in form POST.
async function signinForm(query = '') {
  const c = new L.Client(srv);
  const page = await c.get('/sign-in' + query);
  return { c, page, token: L.hiddenOf(page.text, 'signin_token'), cookie: c.cookieHeader() };
}

// POSTs the sign-in form with next = target over a raw socket; returns the
// raw reply (so that whatever bytes the Location holds are seen as sent).
async function signInWithNext(target) {
  const { token: t, cookie } = await signinForm();
  const body = new URLSearchParams({ signin_token: t, person: pA, password: L.PASSWORDS.participant, next: target }).toString();
  const req = `POST /sign-in HTTP/1.1\r\nHost: ${srv.host}\r\nOrigin: ${srv.origin}\r\nCookie: ${cookie}\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`;
  return raw(req, 10000);
}

/* ---- 1. the redirect after sign-in ---- */

// Refused: each must come back as the default home.
const HOSTILE = [
  '//evil.com', '///evil.com', '////evil.com', '/\\evil.com', '\\/evil.com', '\\\\evil.com', '/\\/evil.com',
  '/\t/evil.com', '\t//evil.com', ' //evil.com', '/ /evil.com', '/\n/evil.com', '/\r/evil.com',
  '/\r\nLocation: //evil.com', '/\x0b/evil.com', '/\x0c/evil.com', '/\x1f/evil.com', '/\x7f/evil.com',
  '/\u0085/evil.com', '/\u2028/evil.com', '/\u2029/evil.com', '/\u00a0/evil.com', '/\u3000/evil.com',
  '/\ufeff/evil.com', '\uff0f\uff0fevil.com', '/\uff0fevil.com', '/\uff3cevil.com',
  '/%2F%2Fevil.com', '/%2f%2fevil.com', '/%2F/evil.com', '/%5Cevil.com', '/%5cevil.com', '/%5C%5Cevil.com',
  '/%09/evil.com', '/%0a/evil.com', '/%0D%0A/evil.com', '/%00/evil.com', '/%7F/evil.com', '/%C2%85/evil.com',
  '/%E2%80%A8/evil.com', '/.%2F%2Fevil.com', '/%2e%2e/%2fevil.com', '/%2E%2E%2F%2Fevil.com',
  '/..//evil.com', '/.//evil.com', '/./\\evil.com', '/../evil.com', '/a/../..//evil.com',
  'https://evil.com', 'http://evil.com', 'https:/evil.com', 'https:evil.com', 'HTTPS://evil.com',
  'javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>',
  'evil.com', '%2F%2Fevil.com', '@evil.com', '/@evil.com', '', '/%', '/%2', '/%zz',
  '/' + 'a'.repeat(500),
];
// Kept as they are.
const PLAIN = [
  '/', '/home', '/partnerships/P01', '/cohorts/Demo%20cohort%202026', '/reflections?x=1',
  '/partnerships/P01/modules/1/checkin', '/coding/reflection/1', '/a-b_c.d~e', '/cohorts/Caf%C3%A9',
  '/x?a=1&b=2', "/x!$'()*+,;=",
];
// Either kept or refused; in both cases the origin must be ours.
const EITHER = ['/x#//evil.com', '/%252F%252Fevil.com', '/x?u=%2F%2Fevil.com', '/\u00e9', '/a//b'];

test('next= after sign-in: every Location resolves to our own origin (WHATWG URL)', async () => {
  const targets = [...HOSTILE, ...PLAIN, ...EITHER];
  assert.ok(targets.length >= 50);
  const problems = [];
  await L.pool(targets, 4, async (target) => {
    const r = await signInWithNext(target);
    const status = L.rawStatus(r.text);
    if (status !== 303) {
      // A form value with a control character other than tab, CR and LF is
      // refused outright (400): not followed either.
      if (!(status === 400 && /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(target)))
        problems.push(`${JSON.stringify(target)}: status ${status}`);
      return;
    }
    const loc = rawHeader(r.text, 'location');
    // Read as sent (bytes) and as UTF-8, which is how browsers decode it.
    for (const l of [loc, Buffer.from(loc, 'latin1').toString('utf8')]) {
      const u = new URL(l, srv.origin);
      if (u.origin !== srv.origin) problems.push(`${JSON.stringify(target)} → Location ${JSON.stringify(loc)} → ${u.origin}`);
    }
    if (HOSTILE.includes(target) && loc !== '/home')
      problems.push(`${JSON.stringify(target)} was followed (Location ${JSON.stringify(loc)}), not refused`);
    if (PLAIN.includes(target) && loc !== target)
      problems.push(`${JSON.stringify(target)} was not kept (Location ${JSON.stringify(loc)})`);
  });
  assert.deepEqual(problems, []);
});

test('next= in the sign-in page: the hidden field holds only a safe path', async () => {
  const problems = [];
  for (const target of ['//evil.com', '/\\evil.com', '/\t/evil.com', '/%2F%2Fevil.com', 'https://evil.com', '/cohorts/Demo%20cohort%202026']) {
    const { page } = await signinForm('?next=' + encodeURIComponent(target));
    const next = L.plainText(L.hiddenOf(page.text, 'next') ?? '');
    if (new URL(next, srv.origin).origin !== srv.origin) problems.push(`${target} → ${next}`);
    if (target.includes('evil') && next !== '/home') problems.push(`${target} kept as ${next}`);
    if (!target.includes('evil') && next !== target) problems.push(`${target} lost (${next})`);
  }
  assert.deepEqual(problems, []);
});

/* ---- 2. slow clients ---- */

test('a client trickling its head is cut off at the head deadline while others are served', async () => {
  const slowDir = L.tempDir();
  const slow = await L.startServer(db, slowDir, ['--head-timeout', '3']);
  try {
    const n = 40;
    const every = 500;
    const headBytes = 120;   // 60 s of trickling: far past the deadline
    const addrs = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];
    const t0 = Date.now();
    const slows = Array.from({ length: n }, (_, i) => trickle(slow.port, addrs[i % addrs.length], every, headBytes));
    // Meanwhile an ordinary client, on fresh connections, is answered promptly.
    await L.sleep(1500);
    for (let i = 0; i < 3; i++) {
      const a = Date.now();
      const r = await L.rawRequest(slow.port, `GET /sign-in HTTP/1.1\r\nHost: ${slow.host}\r\nConnection: close\r\n\r\n`, 4000);
      assert.equal(L.rawStatus(r.text), 200, 'GET /sign-in while the slow clients trickle');
      assert.ok(Date.now() - a < 2000, `answered in ${Date.now() - a} ms`);
      await L.sleep(300);
    }
    const res = await Promise.all(slows);
    const late = res.filter((x) => !x.byServer || x.closedAfterMs > 3000 + 3000);
    const early = res.filter((x) => x.closedAfterMs < 2500);
    assert.deepEqual(late, [], 'every slow connection closed by the server within the deadline + 3 s');
    assert.deepEqual(early, [], 'none closed before the deadline');
    for (const x of res) assert.ok(x.sent < x.total / 2, `closed after ${x.sent} of ${x.total} bytes`);
    assert.ok(Date.now() - t0 < 15000);
    // A request that arrives in time is still served on the same server.
    const ok = await L.rawRequest(slow.port, `GET /sign-in HTTP/1.1\r\nHost: ${slow.host}\r\nConnection: close\r\n\r\n`);
    assert.equal(L.rawStatus(ok.text), 200);
  } finally {
    await slow.stop();
  }
});

test('a keep-alive connection gets a fresh head deadline for each request', async () => {
  const slowDir = L.tempDir();
  const slow = await L.startServer(db, slowDir, ['--head-timeout', '2']);
  try {
    // Three requests on one connection, 1.2 s apart (3.6 s in all, past one
    // deadline): each head arrives well within its own 2 s.
    const replies = await new Promise((resolve) => {
      const s = net.connect(slow.port, '127.0.0.1');
      let got = '';
      let sent = 0;
      const send = () => s.write(`GET /sign-in HTTP/1.1\r\nHost: ${slow.host}\r\n\r\n`);
      s.on('data', (d) => {
        got += d.toString('latin1');
        if (statusLines(got).length === sent && sent < 3) setTimeout(() => { sent++; send(); }, 1200);
        if (statusLines(got).length === 3) { s.destroy(); resolve(got); }
      });
      s.on('close', () => resolve(got));
      s.on('error', () => {});
      s.on('connect', () => { sent = 1; send(); });
      setTimeout(() => { s.destroy(); resolve(got); }, 10000);
    });
    assert.deepEqual(statusLines(replies), ['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200']);
  } finally {
    await slow.stop();
  }
});

/* ---- 3. two servers on one address ---- */

test('a second duet serve on an address in use refuses to start; the first still answers', async () => {
  const second = spawn(L.DUET, ['--db', db, 'serve', '--listen', srv.host, '--assets', L.ASSETS, '--access-log', 'none'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  second.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => second.on('exit', (code) => resolve(code)));
  const code = await Promise.race([exited, L.sleep(5000).then(() => 'still running')]);
  if (code === 'still running') {
    second.kill('SIGKILL');
    await exited;
  }
  assert.notEqual(code, 'still running', 'the second server must not start');
  assert.notEqual(code, 0);
  assert.equal(err.trim(), `duet: error: cannot listen on ${srv.host}: the address is already in use ` +
    '(is another duet serve running?)');
  for (let i = 0; i < 10; i++) {
    const r = await fetch(srv.url + '/sign-in');
    assert.equal(r.status, 200);
    await r.arrayBuffer();
  }
});

test('a server stopped with connections open can be started again on the same port at once', async () => {
  const port = await L.freePort();
  const start = () => {
    const p = spawn(L.DUET, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`, '--assets', L.ASSETS, '--access-log', 'none'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    p.err = '';
    p.stderr.on('data', (x) => { p.err += x; });
    p.done = new Promise((resolve) => p.on('exit', (c) => resolve(c)));
    return p;
  };
  const up = async (p) => {
    for (let i = 0; i < 100 && p.exitCode === null; i++) {
      const r = await L.rawRequest(port, `GET /sign-in HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, 1000);
      if (L.rawStatus(r.text) === 200) return true;
      await L.sleep(50);
    }
    return false;
  };
  const a = start();
  assert.ok(await up(a), `the first server answers: ${a.err}`);
  // Keep-alive connections the server closes itself when it stops: its side
  // of each is left in TIME_WAIT, which SO_REUSEADDR lets a new bind pass.
  const held = [];
  for (let i = 0; i < 3; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    await new Promise((r) => s.on('connect', r));
    s.write(`GET /sign-in HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await new Promise((r) => s.once('data', r));
    held.push(s);
  }
  a.kill('SIGTERM');
  assert.equal(await a.done, 0);
  const b = start();
  try {
    assert.ok(await up(b), `the restarted server answers: ${b.err}`);
  } finally {
    for (const s of held) s.destroy();
    b.kill('SIGTERM');
    await b.done;
  }
});

/* ---- 4. odd requests ---- */

test('two Content-Length headers, or Content-Length with Transfer-Encoding, are refused with 400 and nothing is smuggled', async () => {
  const smuggled = `GET /smuggled HTTP/1.1\r\nHost: ${srv.host}\r\n\r\n`;
  const cases = [
    ['two Content-Length', `Content-Length: 0\r\nContent-Length: ${smuggled.length}\r\n`, smuggled],
    ['two equal Content-Length', `Content-Length: ${smuggled.length}\r\ncontent-length: ${smuggled.length}\r\n`, smuggled],
    ['Content-Length and Transfer-Encoding', `Content-Length: 5\r\nTransfer-Encoding: chunked\r\n`, `0\r\n\r\n${smuggled}`],
    ['Transfer-Encoding and Content-Length', `Transfer-Encoding: chunked\r\nContent-Length: 5\r\n`, `0\r\n\r\n${smuggled}`],
    ['two Transfer-Encoding', `Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n`, `0\r\n\r\n${smuggled}`],
  ];
  for (const [what, headers, body] of cases) {
    for (const p of ['/sign-in', '/api/v1/partnerships/P01/reflections']) {
      const r = await raw(`POST ${p} HTTP/1.1\r\nHost: ${srv.host}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        `${headers}\r\n${body}`);
      assert.deepEqual(statusLines(r.text), ['HTTP/1.1 400'], `${what} on ${p}: ${r.text.slice(0, 80)}`);
      assert.ok(r.closed, `${what}: the connection is closed after the 400`);
      if (p.startsWith('/api/')) assert.match(r.text, /"error":\{"status":400/);
    }
  }
  const two = await raw(`GET /sign-in HTTP/1.1\r\nHost: ${srv.host}\r\nHost: evil.example\r\n\r\n`);
  assert.deepEqual(statusLines(two.text), ['HTTP/1.1 400'], 'two Host headers');
  // A transfer coding the server does not implement is refused (501), not guessed at.
  const gz = await raw(`POST /sign-in HTTP/1.1\r\nHost: ${srv.host}\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`);
  assert.deepEqual(statusLines(gz.text), ['HTTP/1.1 501'], 'Transfer-Encoding: gzip, chunked');
  // One Content-Length is of course fine.
  const one = await raw(`POST /sign-in HTTP/1.1\r\nHost: ${srv.host}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
    `Content-Length: 3\r\nConnection: close\r\n\r\na=1`);
  assert.deepEqual(statusLines(one.text), ['HTTP/1.1 403'], 'one Content-Length: the sign-in token check answers');
});

test('an Origin of the other scheme (https on a plain-http server) is refused for state changes', async () => {
  const c = await L.signedIn(srv, pA, L.PASSWORDS.participant);
  for (const origin of [`https://${srv.host}`, `HTTPS://${srv.host}`]) {
    const r = await c.post('/sign-out', { form: {}, headers: { Origin: origin } });
    assert.equal(r.status, 403, `Origin: ${origin}`);
  }
  const api = await c.post('/api/v1/partnerships/P01/reflections',
    { json: { text: 'scheme test', visibility: 'private' }, headers: { Origin: `https://${srv.host}` } });
  assert.equal(api.status, 403, 'API POST with the session cookie and an https Origin');
  // Signing in, too.
  const { token: t, cookie } = await signinForm();
  const r = await fetch(srv.url + '/sign-in', { method: 'POST', redirect: 'manual',
    headers: { Cookie: cookie, Origin: `https://${srv.host}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ signin_token: t, person: pA, password: L.PASSWORDS.participant, next: '/home' }) });
  assert.equal(r.status, 403, 'sign-in with an https Origin');
  // Our own origin still works.
  const me = await c.get('/home');
  assert.equal(me.status, 200);
  const ok = await c.post('/sign-out', { form: {} });
  assert.equal(ok.status, 303);
});

test('over TLS an Origin of http:// is refused for state changes, https:// is accepted', async () => {
  const tdir = L.tempDir();
  const cert = path.join(tdir, 'cert.pem');
  const key = path.join(tdir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const port = await L.freePort();
  const proc = spawn(L.DUET, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`, '--assets', L.ASSETS,
    '--access-log', 'none', '--tls-cert', cert, '--tls-key', key], { stdio: 'ignore' });
  const req = (p, { method = 'GET', headers = {}, body } = {}) => new Promise((resolve, reject) => {
    const rq = https.request({ host: '127.0.0.1', port, path: p, method, headers, rejectUnauthorized: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    rq.on('error', reject);
    if (body) rq.write(body);
    rq.end();
  });
  try {
    let page;
    for (let i = 0; i < 200 && !page; i++) {
      try { page = await req('/sign-in'); } catch { await L.sleep(50); }
    }
    assert.ok(page, 'the TLS server answers');
    const signIn = async (origin) => {
      const form = await req('/sign-in');
      const cookie = (form.headers['set-cookie'] || []).map((c) => c.split(';')[0]).join('; ');
      const t = L.hiddenOf(form.body, 'signin_token');
      const body = new URLSearchParams({ signin_token: t, person: pA, password: L.PASSWORDS.participant, next: '/home' }).toString();
      return req('/sign-in', { method: 'POST', body, headers: { Cookie: cookie, Origin: origin,
        'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } });
    };
    assert.equal((await signIn(`http://127.0.0.1:${port}`)).status, 403, 'http:// Origin on the TLS server');
    assert.equal((await signIn(`https://127.0.0.1:${port}`)).status, 303, 'https:// Origin on the TLS server');
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
  }
});

test('an API body must be sent as application/json (415 with a JSON error otherwise)', async () => {
  const url = srv.url + '/api/v1/partnerships/P01/reflections';
  const body = JSON.stringify({ text: 'content type test', visibility: 'private' });
  const post = (ct) => fetch(url, { method: 'POST', body,
    headers: { Authorization: `Bearer ${token}`, ...(ct === null ? {} : { 'Content-Type': ct }) } });
  for (const ct of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
    'application/jsonx', 'application/json-seq', 'text/json', 'application/json; charset=utf-16', 'application/json; charset=latin1',
    'application/json; foo=bar', 'application/json, text/plain', '']) {
    const r = await post(ct);
    const j = await r.json().catch(() => null);
    assert.equal(r.status, 415, `Content-Type: ${JSON.stringify(ct)}`);
    assert.equal(j?.error?.status, 415);
    assert.match(j.error.message, /application\/json/);
  }
  // No Content-Type at all (fetch would add text/plain for a string body).
  const none = await raw(`POST /api/v1/partnerships/P01/reflections HTTP/1.1\r\nHost: ${srv.host}\r\n` +
    `Authorization: Bearer ${token}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  assert.equal(L.rawStatus(none.text), 415, 'no Content-Type');
  for (const ct of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;Charset="UTF-8"', 'application/json ;charset=utf-8']) {
    const r = await post(ct);
    assert.equal(r.status, 201, `Content-Type: ${ct}`);
    await r.arrayBuffer();
  }
});

test('a field sent twice is refused with 400 and a clear message', async () => {
  const c = await L.signedIn(srv, pA, L.PASSWORDS.participant);
  // A form body: sign-in with the person twice.
  const { token: t, cookie } = await signinForm();
  const body = `signin_token=${t}&person=${pA}&person=admin.demo&password=${L.PASSWORDS.participant}&next=/home`;
  const r = await fetch(srv.url + '/sign-in', { method: 'POST', redirect: 'manual', body,
    headers: { Cookie: cookie, Origin: srv.origin, 'Content-Type': 'application/x-www-form-urlencoded' } });
  const text = L.plainText(await r.text());
  assert.equal(r.status, 400);
  assert.match(text, /field 'person' was sent more than once/);
  // A signed-in form (the csrf field twice).
  const so = await c.post('/sign-out', { form: `csrf=${c.csrf}&csrf=${c.csrf}` });
  assert.equal(so.status, 400);
  assert.match(L.plainText(so.text), /field 'csrf' was sent more than once/);
  // A query string.
  const q = await fetch(srv.url + '/sign-in?next=/home&next=//evil.com', { redirect: 'manual' });
  assert.equal(q.status, 400);
  assert.match(L.plainText(await q.text()), /field 'next' was sent more than once/);
  // A JSON object with a key twice.
  const j = await fetch(srv.url + '/api/v1/partnerships/P01/reflections', { method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: '{"text": "once", "text": "twice", "visibility": "private"}' });
  assert.equal(j.status, 400);
  assert.match((await j.json()).error.message, /duplicate/);
  assert.equal((await c.get('/home')).status, 200, 'still signed in: the sign-out was refused');
});

test("cohort names that could not be part of a URL are refused ('/', '.', '..')", () => {
  const programme = L.duetJson(db, 'programme', 'list')[0].name;
  for (const [name, why] of [['a/b', "cohort name 'a/b' may not contain '/'"], ['/', "cohort name '/' may not contain '/'"],
    ['.', "cohort name '.' may not be '.' or '..'"], ['..', "cohort name '..' may not be '.' or '..'"]]) {
    const r = L.duet(db, 'cohort', 'add', name, '--programme', programme);
    assert.notEqual(r.rc, 0, name);
    assert.equal(r.err.trim(), `duet: error: ${why}`);
  }
});

test('a cohort name with URL-special characters is reachable at its encoded address', async () => {
  const programme = L.duetJson(db, 'programme', 'list')[0].name;
  const name = 'A?b#c%d\\e ..f;&=+';
  L.duetOk(db, 'cohort', 'add', name, '--programme', programme);
  const c = await L.signedIn(srv, L.STAFF.researcher, L.PASSWORDS.researcher);
  const api = await c.get('/api/v1/cohorts/' + encodeURIComponent(name));
  assert.equal(api.status, 200, api.text.slice(0, 200));
  assert.equal(api.json.name ?? api.json.cohort?.name, name);
  const page = await c.get('/cohorts/' + encodeURIComponent(name));
  assert.equal(page.status, 200);
  assert.ok(L.plainText(page.text).includes(name), 'the page names the cohort');  // The longest name (200 bytes), all of it escaped: 600 bytes of address.
  const long = '\u00e9'.repeat(100);
  L.duetOk(db, 'cohort', 'add', long, '--programme', programme);
  const lr = await c.get('/api/v1/cohorts/' + encodeURIComponent(long));
  assert.equal(lr.status, 200, `a 200-byte name: ${lr.text.slice(0, 200)}`);
  assert.equal(lr.json.name ?? lr.json.cohort?.name, long);
});

/* ---- the slow client against the default deadline ---- */

test('the default head deadline is 10 s', async () => {
  const x = await defaultTrickle;
  assert.ok(x.byServer, 'closed by the server');
  assert.ok(x.closedAfterMs >= 9500 && x.closedAfterMs <= 14000, `closed after ${x.closedAfterMs} ms`);
  assert.ok(x.sent < x.total, 'before the head was complete');
});

test('the server never crashed and stops cleanly', async () => {
  assert.deepEqual(srv.crashes, []);
  const r = await srv.stop();
  assert.equal(r.code, 0);
});
