// bench/web/transfer.mjs — how many bytes the first load of a page transfers.
//
//   node bench/web/transfer.mjs            (from the repository root; a few seconds)
//   DUET=path/to/duet DUET_ASSETS=path/to/assets node bench/web/transfer.mjs
//
// Starts `duet serve` on a fresh `duet demo --sign-ins` database (a free port
// on 127.0.0.1, stopped at the end), signs in as the facilitator (fac.demo)
// and loads, with an empty cache and `Accept-Encoding: br, gzip` (what a
// browser sends over HTTPS; ENCODING overrides it):
//   - the page (PAGE, default the cohort dashboard /cohorts/Demo%20cohort%202026),
//   - every /assets/ file its <link href> and <script src> name,
//   - in each script, every static `import ... from '...'`, dynamic
//     `import('...')` and quoted '*.js' name that duet.js resolves beside
//     itself (nhsuk.js; the Vega bundles, which it loads only when the page
//     has a chart, so those count only when the page has data-vl-spec).
// Requests go through node:http, which does not decode: the figures are the
// bytes on the wire (bodies; headers are counted separately). Prints one line
// per file and a total, and with --json a JSON object. Exits non-zero when a
// request fails or a referenced file is not 200.
import http from 'node:http';
import zlib from 'node:zlib';
import { tempDir, demoDb, startServer, signedIn, STAFF, PASSWORDS } from '../../tests/web/lib.mjs';

const PAGE = process.env.PAGE || '/cohorts/Demo%20cohort%202026';
const ENCODING = process.env.ENCODING ?? 'br, gzip';
const asJson = process.argv.includes('--json');

function get(server, p, cookie) {
  return new Promise((resolve, reject) => {
    const headers = { Cookie: cookie };
    if (ENCODING) headers['Accept-Encoding'] = ENCODING;
    const req = http.get(server.url + p, { headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const enc = res.headers['content-encoding'] || 'identity';
        let text;
        if (enc === 'br') text = zlib.brotliDecompressSync(raw);
        else if (enc === 'gzip') text = zlib.gunzipSync(raw);
        else text = raw;
        // Header bytes: the status line and each header line, as sent.
        let head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`.length + 2;
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          head += res.rawHeaders[i].length + 2 + res.rawHeaders[i + 1].length + 2;
        resolve({ status: res.statusCode, enc, wire: raw.length, head, size: text.length,
          text: text.toString('utf8'), cache: res.headers['cache-control'] || '' });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const dir = tempDir();
const db = demoDb(dir);
const server = await startServer(db, dir);
let failed = false;
try {
  const client = await signedIn(server, STAFF.facilitator, PASSWORDS.facilitator);
  const cookie = client.cookieHeader();
  const rows = [];
  const page = await get(server, PAGE, cookie);
  rows.push({ path: PAGE, ...page });
  if (page.status !== 200) throw new Error(`${PAGE}: status ${page.status}`);
  const hasChart = /data-vl-spec=/.test(page.text);
  const queue = [];
  for (const m of page.text.matchAll(/<(?:link|script)\b[^>]*?\b(?:href|src)="(\/assets\/[^"]+)"/g))
    queue.push(m[1]);
  const seen = new Set();
  while (queue.length) {
    const p = queue.shift();
    if (seen.has(p)) continue;
    seen.add(p);
    const r = await get(server, p, cookie);
    rows.push({ path: p, ...r });
    if (r.status !== 200) { failed = true; continue; }
    if (!p.endsWith('.js')) continue;
    const refs = new Set();
    for (const m of r.text.matchAll(/\bimport\s*(?:[\w*{}\s,$]+from\s*)?\(?\s*['"]([^'"]+)['"]/g)) refs.add(m[1]);
    // duet.js names the files it loads as quoted names resolved beside itself.
    if (/\/duet(\.[0-9a-f]+)?\.js$/.test(p))
      for (const m of r.text.matchAll(/['"]([\w.-]+\.js)['"]/g)) {
        if (/^vega/.test(m[1]) && !hasChart) continue;
        refs.add(m[1]);
      }
    for (const ref of refs) {
      if (/^[a-z]+:/.test(ref) && !ref.startsWith(server.url)) continue;
      const u = new URL(ref, server.url + p);
      if (u.origin === server.url && u.pathname.startsWith('/assets/')) queue.push(u.pathname);
    }
  }
  const total = rows.reduce((s, r) => s + r.wire, 0);
  const heads = rows.reduce((s, r) => s + r.head, 0);
  const decoded = rows.reduce((s, r) => s + r.size, 0);
  if (asJson) {
    console.log(JSON.stringify({
      page: PAGE, accept_encoding: ENCODING, has_chart: hasChart, requests: rows.length,
      body_bytes: total, header_bytes: heads, decoded_bytes: decoded,
      files: rows.map((r) => ({ path: r.path, status: r.status, content_encoding: r.enc,
        bytes: r.wire, decoded_bytes: r.size, cache_control: r.cache })),
    }, null, 2));
  } else {
    for (const r of rows)
      console.log(`${String(r.wire).padStart(9)} ${String(r.size).padStart(9)} ${r.enc.padEnd(8)} ${r.status} ${r.path}`);
    console.log(`${String(total).padStart(9)} ${String(decoded).padStart(9)} total body bytes (wire, decoded), ` +
      `${rows.length} requests, ${heads} header bytes; chart on page: ${hasChart}; Accept-Encoding: ${ENCODING || '(none)'}`);
  }
} catch (err) {
  console.error(`transfer.mjs: ${err.message}`);
  failed = true;
} finally {
  await server.stop();
}
process.exit(failed ? 1 : 0);
