// tests/web/test_assets.mjs — static assets: content-hashed names with a
// long-lived cache, precompressed copies chosen by Accept-Encoding.
//
//   DUET=build/duet DUET_ASSETS=build/assets node --test tests/web/test_assets.mjs
//
// Every request goes through node:http, which does not decode, so the bytes
// checked are the bytes sent. The expected values come from elsewhere: the
// hash in a name is checked against node's own SHA-256 of the bytes served,
// the compressed bodies are decoded with node's zlib and compared with the
// file on disk, and the negotiation cases follow RFC 9110 12.5.3 by hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { ASSETS, tempDir, demoDb, startServer, signedIn, STAFF, PASSWORDS } from './lib.mjs';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=3600';
const HASHED = /^\/assets\/(?:[\w-]+\/)*[\w.-]+\.([0-9a-f]{8,})\.[a-z0-9]+$/;

let server, cookie;

// GET (or method) p with the given headers: {status, headers, body (Buffer, as sent)}.
function raw(p, headers = {}, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request(server.url + p, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');
const onDisk = (name) => fs.readFileSync(path.join(ASSETS, name));

// The /assets/ URLs a page's <link href> and <script src> name.
function assetLinks(html) {
  return [...html.matchAll(/<(?:link|script)\b[^>]*?\b(?:href|src)="(\/assets\/[^"]*)"/g)].map((m) => m[1]);
}

let page;   // the cohort dashboard, as the facilitator gets it
before(async () => {
  const dir = tempDir();
  server = await startServer(demoDb(dir), dir);
  const c = await signedIn(server, STAFF.facilitator, PASSWORDS.facilitator);
  cookie = c.cookieHeader();
  page = await raw('/cohorts/Demo%20cohort%202026', { Cookie: cookie });
});
after(async () => { await server?.stop(); });

// The hashed URL a page links to for an un-hashed name (duet.css).
function linked(name) {
  const [dir, base] = name.includes('/') ? [name.slice(0, name.lastIndexOf('/') + 1), name.slice(name.lastIndexOf('/') + 1)] : ['', name];
  const stem = base.slice(0, base.lastIndexOf('.'));
  const ext = base.slice(base.lastIndexOf('.'));
  const re = new RegExp(`^/assets/${dir}${stem.replace(/\./g, '\\.')}\\.[0-9a-f]{8,}${ext.replace('.', '\\.')}$`);
  return re;
}

test('pages link only to content-hashed asset names, and each hash is the SHA-256 of what is served', async () => {
  assert.equal(page.status, 200);
  const signIn = await raw('/sign-in');
  for (const html of [page.body.toString('utf8'), signIn.body.toString('utf8')]) {
    const links = assetLinks(html);
    assert.ok(links.length >= 3, `expected the icon, stylesheet and script, got ${links}`);
    for (const u of links) {
      const m = HASHED.exec(u);
      assert.ok(m, `${u} is not a content-hashed name`);
      const r = await raw(u);
      assert.equal(r.status, 200, u);
      assert.ok(sha256(r.body).startsWith(m[1]), `${u}: the name's hash is not the start of the SHA-256 of its bytes`);
    }
    for (const name of ['duet.css', 'duet.js', 'nhsuk/images/favicon.svg'])
      assert.ok(links.some((u) => linked(name).test(u)), `no hashed link for ${name} in ${links}`);
  }
});

test('the scripts and images that duet.js and duet.css name are hashed names that resolve', async () => {
  const links = assetLinks(page.body.toString('utf8'));
  const js = links.find((u) => linked('duet.js').test(u));
  const css = links.find((u) => linked('duet.css').test(u));
  const jsText = (await raw(js)).body.toString('utf8');
  const cssText = (await raw(css)).body.toString('utf8');
  const names = [...jsText.matchAll(/'([\w.-]+\.js)'/g)].map((m) => new URL(m[1], server.url + js).pathname);
  for (const n of ['nhsuk.js', 'vega.min.js', 'vega-lite.min.js', 'vega-embed.min.js'])
    assert.ok(names.some((u) => linked(n).test(u)), `duet.js does not load a hashed ${n}: ${names}`);
  const urls = [...cssText.matchAll(/url\(["']?(\/assets\/[^"')]+)/g)].map((m) => m[1]);
  assert.ok(urls.length > 0, 'duet.css names no images');
  for (const u of [...names.filter((x) => HASHED.test(x)), ...urls]) {
    assert.match(u, HASHED);
    const r = await raw(u);
    assert.equal(r.status, 200, u);
    assert.equal(r.headers['cache-control'], IMMUTABLE, u);
    assert.ok(sha256(r.body).startsWith(HASHED.exec(u)[1]), u);
  }
});

// The hashed URL of each of these, from the page and duet.js.
async function hashedUrl(name) {
  const links = assetLinks(page.body.toString('utf8'));
  let u = links.find((x) => linked(name).test(x));
  if (!u) {
    const js = links.find((x) => linked('duet.js').test(x));
    const jsText = (await raw(js)).body.toString('utf8');
    const m = [...jsText.matchAll(/'([\w.-]+\.js)'/g)].map((x) => new URL(x[1], server.url + js).pathname)
      .find((x) => linked(name).test(x));
    u = m;
  }
  assert.ok(u, `no hashed URL for ${name}`);
  return u;
}

for (const name of ['duet.css', 'duet.js', 'vega.min.js', 'nhsuk/images/favicon.svg']) {
  test(`${name}: br, gzip and identity each decode to the same bytes, with a year's immutable cache`, async () => {
    const u = await hashedUrl(name);
    // duet.js is rewritten by the build (the hashed names it loads), so its
    // identity bytes are compared with the built file, not the source.
    const file = onDisk(name);
    const cases = [
      [{ 'Accept-Encoding': 'br, gzip' }, 'br', (b) => zlib.brotliDecompressSync(b)],
      [{ 'Accept-Encoding': 'gzip, deflate, br' }, 'br', (b) => zlib.brotliDecompressSync(b)],
      [{ 'Accept-Encoding': 'gzip' }, 'gzip', (b) => zlib.gunzipSync(b)],
      [{ 'Accept-Encoding': 'identity' }, undefined, (b) => b],
      [{}, undefined, (b) => b],
    ];
    for (const [headers, enc, decode] of cases) {
      const r = await raw(u, headers);
      const what = `${u} with ${JSON.stringify(headers)}`;
      assert.equal(r.status, 200, what);
      assert.equal(r.headers['content-encoding'], enc, what);
      assert.equal(r.headers['cache-control'], IMMUTABLE, what);
      assert.equal(r.headers.vary, 'Accept-Encoding', what);
      assert.equal(Number(r.headers['content-length']), r.body.length, what);
      if (enc) assert.ok(r.body.length < file.length, `${what}: the ${enc} copy is not smaller`);
      assert.ok(decode(r.body).equals(file), `${what}: the decoded bytes differ from ${name}`);
    }
    // HEAD: the same headers, no body.
    const h = await raw(u, { 'Accept-Encoding': 'br' }, 'HEAD');
    assert.equal(h.status, 200);
    assert.equal(h.headers['content-encoding'], 'br');
    assert.equal(h.body.length, 0);
  });
}

test('Accept-Encoding: q values are honoured, q=0 refuses a coding, ties go br then gzip', async () => {
  const u = await hashedUrl('duet.css');
  const cases = [
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.000, gzip;q=0.5', 'gzip'],
    ['gzip;q=0, br;q=0', undefined],
    ['br;q=0, gzip;q=0, identity;q=0', undefined],   // nothing acceptable: the file as it is
    ['gzip;q=1, br;q=0.5', 'gzip'],                  // the higher q wins over br's preference
    ['gzip;q=0.9, br;q=0.9', 'br'],                  // a tie: br
    ['br;q=0.001', 'br'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],                     // * stands for gzip; br refused by name
    ['*;q=0', undefined],
    ['identity;q=1, *;q=0', undefined],
    ['deflate', undefined],
    ['BR', 'br'],
    ['x-gzip', 'gzip'],
    ['gzip ; q=0.5 , br ; q=0', 'gzip'],             // whitespace around ; and =
    ['br;q=2, gzip', 'gzip'],                        // q=2 is not a qvalue: br is not accepted
    ['br;q=abc, gzip;q=0.1', 'gzip'],
    ['', undefined],
  ];
  for (const [accept, enc] of cases) {
    const r = await raw(u, { 'Accept-Encoding': accept });
    assert.equal(r.status, 200, accept);
    assert.equal(r.headers['content-encoding'], enc, `Accept-Encoding: ${accept}`);
    assert.equal(r.headers.vary, 'Accept-Encoding', accept);
  }
});

test('an un-hashed name still answers, with the short cache, negotiated the same way', async () => {
  for (const [accept, enc] of [['br, gzip', 'br'], ['gzip', 'gzip'], [undefined, undefined]]) {
    const r = await raw('/assets/duet.css', accept ? { 'Accept-Encoding': accept } : {});
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], SHORT);
    assert.equal(r.headers['content-encoding'], enc);
    assert.equal(r.headers.vary, 'Accept-Encoding');
  }
});

test('a PNG (no compressed copy) is sent as it is, without Vary', async () => {
  const names = fs.readFileSync(path.join(ASSETS, 'manifest.txt'), 'utf8').split('\n');
  const png = names.find((l) => l.startsWith('nhsuk/images/nhsuk-icon-180.png '));
  assert.ok(png, 'the manifest lists nhsuk-icon-180.png with a hashed name');
  const hashed = png.split(' ')[1];
  const r = await raw(`/assets/${hashed}`, { 'Accept-Encoding': 'br, gzip' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.headers.vary, undefined);
  assert.equal(r.headers['cache-control'], IMMUTABLE);
  assert.ok(r.body.equals(onDisk('nhsuk/images/nhsuk-icon-180.png')));
});

test('an unknown hash, a compressed copy by its file name, or the manifest: 404', async () => {
  const real = await hashedUrl('duet.css');
  const h = HASHED.exec(real)[1];
  const other = h.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  for (const u of [`/assets/duet.${other}.css`, '/assets/duet.0123456789ab.css', '/assets/duet.deadbeef.css',
    `/assets/duet.${h}.js`, `/assets/duet.${h.toUpperCase()}.css`, '/assets/duet.css.br', '/assets/duet.css.gz',
    '/assets/manifest.txt', '/assets/nosuch.css']) {
    const r = await raw(u, { 'Accept-Encoding': 'br, gzip' });
    assert.equal(r.status, 404, u);
    assert.equal(r.headers['content-encoding'], undefined, u);
    assert.equal(r.headers['cache-control'], 'no-store', u);
  }
});

test('assets keep the same strict Content-Security-Policy as pages', async () => {
  const csp = page.headers['content-security-policy'];
  assert.ok(csp && /script-src 'self'/.test(csp) && !/unsafe/.test(csp), `page CSP: ${csp}`);
  for (const u of [await hashedUrl('duet.js'), '/assets/duet.css']) {
    const r = await raw(u, { 'Accept-Encoding': 'br' });
    assert.equal(r.headers['content-security-policy'], csp, u);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', u);
  }
});
