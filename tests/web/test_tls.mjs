// duet serve over TLS (--tls-cert/--tls-key): HSTS on every response, the
// session cookie __Host- prefixed and Secure, and sign-in works end to end.
// The certificate is a throwaway self-signed one made here with openssl.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { DUET, ASSETS, tempDir, demoDb, freePort, sleep, PASSWORDS } from './lib.mjs';

let dir, db, port, proc;

function get(p, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: p, method, headers,
      rejectUnauthorized: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

before(async () => {
  dir = tempDir();
  db = demoDb(dir);
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  port = await freePort();
  proc = spawn(DUET, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`, '--assets', ASSETS,
    '--access-log', 'none', '--tls-cert', cert, '--tls-key', key], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try { await get('/sign-in'); return; } catch { await sleep(50); }
  }
  throw new Error('duet serve did not answer over TLS');
});

after(async () => {
  if (proc.exitCode === null) {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.on('exit', r));
  }
});

test('every response over TLS carries HSTS', async () => {
  for (const p of ['/sign-in', '/', '/no-such-page', '/api/v1/openapi.json', '/assets/duet.css']) {
    const r = await get(p);
    assert.match(r.headers['strict-transport-security'] || '', /max-age=\d{7,}/, p);
  }
});

test('signing in over TLS sets a __Host- session cookie that is Secure, HttpOnly, SameSite=Strict', async () => {
  const form = await get('/sign-in');
  const pre = (form.headers['set-cookie'] || []).find((c) => c.startsWith('duet_signin='));
  assert.ok(pre && /; Secure/.test(pre), `sign-in cookie is Secure: ${pre}`);
  const token = form.body.match(/name="signin_token" value="([^"]+)"/)[1];
  const body = new URLSearchParams({ signin_token: token, person: 'fac.demo',
    password: PASSWORDS.facilitator, next: '/home' }).toString();
  const r = await get('/sign-in', { method: 'POST', body, headers: {
    'Content-Type': 'application/x-www-form-urlencoded', Origin: `https://127.0.0.1:${port}`,
    Cookie: pre.split(';')[0] } });
  assert.equal(r.status, 303);
  const sess = (r.headers['set-cookie'] || []).find((c) => c.startsWith('__Host-duet_session='));
  assert.ok(sess, `a __Host- session cookie: ${r.headers['set-cookie']}`);
  for (const flag of ['Path=/', 'HttpOnly', 'SameSite=Strict', 'Secure'])
    assert.ok(sess.includes(flag), `${flag} in ${sess}`);
  assert.ok(!/Domain=/i.test(sess), '__Host- cookies name no domain');
  const home = await get('/home', { headers: { Cookie: sess.split(';')[0] } });
  assert.equal(home.status, 200);
  assert.match(home.body, /<h1[^>]*>Your cohorts<\/h1>/);
  // The plain name is not accepted over TLS: only the __Host- cookie counts.
  const plain = await get('/home', { headers: { Cookie: sess.split(';')[0].replace('__Host-', '') } });
  assert.equal(plain.status, 303);
});
