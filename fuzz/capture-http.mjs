// fuzz/capture-http.mjs — records real Chromium requests to duet as seeds for
// the http fuzz target (fuzz/corpus/http/chromium-*).
//
//   node fuzz/capture-http.mjs [OUTDIR]     (default fuzz/corpus/http)
//
// Makes a small demo database with sign-ins, starts `duet serve` (build/duet)
// behind a pass-through TCP recorder, and drives headless Chromium (Debian's
// /usr/bin/chromium through playwright-core, as the browser tests do) through
// the sign-in form, a participant's check-in form (text with non-ASCII
// characters, line breaks and form metacharacters) and a reflection. Every
// request Chromium wrote is kept byte for byte as it crossed the socket:
// request line, headers (Cookie, Origin, Host, Sec-Fetch-*), body. The demo's
// passwords are the published ones and the session dies with the server, so
// nothing secret is kept. Rerun it after the forms change; the fuzz target
// reads these files as raw HTTP requests (see fuzz/fuzz_http.c).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';
import * as W from '../tests/web/lib.mjs';

const OUT = path.resolve(process.argv[2] || path.join(W.TOP, 'fuzz/corpus/http'));
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

// Splits one connection's bytes into requests (headers, then Content-Length bytes).
function splitRequests(buf) {
  const out = [];
  let at = 0;
  while (at < buf.length) {
    const end = buf.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const head = buf.subarray(at, end).toString('latin1');
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const stop = end + 4 + (m ? Number(m[1]) : 0);
    out.push(buf.subarray(at, stop));
    at = stop;
  }
  return out;
}

const dir = W.tempDir();
const db = path.join(dir, 'demo.db');
W.duetOk(db, 'demo', '--sign-ins', '--pairs', '3', '--modules', '2', '--structure-only');
const person = W.members(db, 'P01').find((m) => m.side === 'lived_experience') ?? W.members(db, 'P01')[0];
const server = await W.startServer(db, dir);

const conns = [];
const proxy = net.createServer((client) => {
  const chunks = [];
  conns.push(chunks);
  const up = net.connect(server.port, '127.0.0.1');
  client.on('data', (d) => { chunks.push(d); up.write(d); });
  client.on('end', () => up.end());
  client.on('error', () => up.destroy());
  up.on('error', () => client.destroy());
  up.pipe(client);
});
await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${proxy.address().port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await (await browser.newContext({ baseURL: base })).newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Your sign-in name').fill(person.key);
  await page.getByLabel('Password', { exact: true }).fill(W.PASSWORDS.participant);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
  await page.goto('/partnerships/P01/modules/1/checkin');
  for (const name of await page.locator('form input[type=radio]').evaluateAll((els) =>
    [...new Set(els.map((e) => e.name))])) {
    const group = page.locator(`input[type=radio][name="${name}"]`);
    await group.nth(Math.floor((await group.count()) / 2)).check();
  }
  const texts = ['Ça va — we met at the café; naïve plans & 100% agreed = good+',
    'Two things:\nthe budget\r\nand 😊 time'];
  let k = 0;
  for (const id of await page.locator('form textarea').evaluateAll((els) => els.map((e) => e.id)))
    await page.locator(`#${id}`).fill(texts[k++ % texts.length]);
  await Promise.all([page.waitForNavigation(),
    page.getByRole('button', { name: 'Submit check-in' }).click()]);
  await page.goto('/partnerships/P01/modules/1/checkin?saved=1&x=%C3%A9');
} finally {
  await browser.close();
  await server.stop();
  proxy.close();
}

// Keep the requests to pages (not the assets), named by method and path.
fs.mkdirSync(OUT, { recursive: true });
const seen = new Set();
for (const req of conns.flatMap((c) => splitRequests(Buffer.concat(c)))) {
  const line = req.subarray(0, req.indexOf('\r\n')).toString('latin1');
  const [method, target] = line.split(' ');
  if (/^\/(assets|static)\/|\.(css|js|svg|png|ico|woff2?)(\?|$)/.test(target)) continue;
  const name = `chromium-${method.toLowerCase()}-${target.replace(/\?.*/, '').replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'root'}${target.includes('?') ? '-query' : ''}`;
  if (seen.has(name)) continue;
  seen.add(name);
  fs.writeFileSync(path.join(OUT, name), req);
  console.log(`${name}: ${req.length} bytes: ${line}`);
}
