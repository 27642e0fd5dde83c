// tests/web/test_codes.mjs — a cohort's code frequencies through the server
// (src/web/codes.c): researchers only; with nothing coded the page still
// renders and says so; once passages are coded (with `duet coding add`), the
// API gives the document of `duet analyse codes --json` and the page draws
// both charts with the same numbers in tables.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as L from './lib.mjs';

const COHORT = L.DEMO_COHORT;
const PAGE = `/cohorts/${encodeURIComponent(COHORT)}/codes`;
const API = `/api/v1/cohorts/${encodeURIComponent(COHORT)}/codes`;

let w, srv, who;

before(async () => {
  const dir = L.tempDir();
  w = L.buildWorld(dir);
  srv = await L.startServer(w.db, dir);
  who = await L.connectAll(srv, w);
});

after(async () => {
  if (srv && srv.alive()) await srv.stop();
});

test('only researchers read code frequencies', async () => {
  for (const label of ['participantA', 'facilitator', 'admin']) {
    assert.equal((await who[label].api.get(API)).status, 403, `${label}: API`);
    assert.equal((await who[label].page.get(PAGE)).status, 403, `${label}: page`);
  }
  assert.equal((await who.anonymous.api.get(API)).status, 401);
  const home = await who.researcher.page.get('/home');
  assert.ok(home.text.includes(`href="${PAGE.replaceAll(' ', '%20')}"`) ||
            home.text.includes(`href="${PAGE}"`), 'the researcher home does not link the page');
});

test('with nothing coded: an empty report and a page that says so', async () => {
  const r = await who.researcher.api.get(API);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.json.cohort, COHORT);
  assert.equal(r.json.coder, null);
  assert.equal(r.json.n_documents_coded.all, 0);
  assert.deepEqual(r.json.codes, []);
  assert.deepEqual(r.json.co_occurrence.matrix, []);
  const p = await who.researcher.page.get(PAGE);
  assert.equal(p.status, 200);
  assert.match(p.text, /<h1>Code frequencies<\/h1>/);
  assert.match(p.text, /No coded documents yet/);
  assert.ok(!/data-vl-spec/.test(p.text), 'a chart of nothing');
});

test('unknown cohorts and bad coders are refused', async () => {
  const none = `/api/v1/cohorts/${encodeURIComponent('No such cohort')}/codes`;
  assert.equal((await who.researcher.api.get(none)).status, 404);
  assert.equal((await who.researcher.page.get(`/cohorts/${encodeURIComponent('No such cohort')}/codes`)).status, 404);
  assert.equal((await who.researcher.api.get(`${API}?coder=${encodeURIComponent('a\u0001b')}`)).status, 400);
});

test('coded passages: counts by side and module, co-occurrence, charts and tables', async () => {
  const docs = L.duetJson(w.db, 'coding', 'documents', '--cohort', COHORT);
  const lived = docs.find((d) => d.kind === 'reflection' && d.side === 'lived_experience');
  const system = docs.find((d) => d.kind === 'reflection' && d.side === 'system');
  const note = docs.find((d) => d.kind === 'observation');
  assert.ok(lived && system && note, 'the demo has no documents of each kind');
  const book = L.duetJson(w.db, 'codebook', 'show', 'starter');
  const guid = (name) => book.codes.find((c) => c.name === name).guid;
  const add = (d, start, end, code) => L.duetOk(w.db, 'coding', 'add', d.kind, String(d.id),
    String(start), String(end), guid(code), '--coder', L.STAFF.researcher);
  add(lived, 0, 10, 'Voice');
  add(lived, 5, 15, 'Trust');      // overlaps Voice: co-occurrence
  add(system, 0, 5, 'Voice');
  add(note, 0, 5, 'Trust');

  const r = await who.researcher.api.get(API);
  assert.equal(r.status, 200);
  const d = r.json;
  assert.deepEqual(d.n_documents_coded, { lived_experience: 1, system: 1, observations: 1, imported: 0, all: 3 });
  assert.deepEqual(d.codes.map((c) => c.name), ['Trust', 'Voice']);
  assert.deepEqual(d.co_occurrence.names, ['Trust', 'Voice']);
  assert.deepEqual(d.co_occurrence.matrix, [[2, 1], [1, 2]]);
  const voice = d.by_side.find((x) => x.name === 'Voice');
  assert.deepEqual(voice.lived_experience, { count: 1, coded: 1, proportion: 1 });
  assert.deepEqual(voice.system, { count: 1, coded: 1, proportion: 1 });
  assert.equal(voice.p, 1);
  assert.equal(voice.classification, 'shared');
  const trust = d.by_side.find((x) => x.name === 'Trust');
  assert.equal(trust.observations, 1);
  assert.equal(trust.classification, 'one_side');
  assert.ok(d.by_module.every((m) => ['code', 'name', 'module', 'count', 'coded', 'proportion']
    .every((k) => k in m)));
  assert.equal(d.by_module.length, 2 * new Set(d.by_module.map((m) => m.module)).size);

  const p = await who.researcher.page.get(PAGE);
  assert.equal(p.status, 200);
  assert.match(p.text, /data-vl-spec="codes-by-side-spec"/);
  assert.match(p.text, /data-vl-spec="codes-co-occurrence-spec"/);
  assert.match(p.text, /<caption[^>]*>Coded reflections with each code, by the author(&#39;|&#x27;|')s side<\/caption>/);
  assert.match(p.text, /<caption[^>]*>Documents with both codes on overlapping passages<\/caption>/);
  assert.match(p.text, /<caption[^>]*>Coded documents with each code, by module<\/caption>/);
  assert.match(p.text, /data-classification="shared"/);
  assert.match(p.text, /1 of 1 \(100%\)/);

  // One coder's work, and a coder with none.
  const mine = await who.researcher.api.get(`${API}?coder=${L.STAFF.researcher}`);
  assert.equal(mine.json.coder, L.STAFF.researcher);
  assert.equal(mine.json.n_documents_coded.all, 3);
  const nobody = await who.researcher.api.get(`${API}?coder=nobody`);
  assert.equal(nobody.status, 200);
  assert.deepEqual(nobody.json.codes, []);
  const page = await who.researcher.page.get(`${PAGE}?coder=nobody`);
  assert.match(page.text, /No coded documents yet by nobody/);
});
