// tests/web/test_norms.mjs — Q-sorts through the server (src/web/norms.c).
//
// The sorting page and its API on a demo database with a module nobody has
// sorted at: every problem with a sort is named (a column over its count, a
// statement without a column, an unknown id, a value that is not a whole
// number), nothing is stored until the sort fills the grid, a sort is made
// once; the partnership page links to it and says when it is done. Then a
// cohort's norms, as a facilitator (names) and a researcher (pseudonyms only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as L from './lib.mjs';

const COHORT = L.DEMO_COHORT;
const NORMS = `/api/v1/cohorts/${encodeURIComponent(COHORT)}/norms`;
const CODE = 'P01';
const MODULE = 7;   // added below: nobody has sorted at it

let w, srv, who, sortApi, sortPage;

before(async () => {
  const dir = L.tempDir();
  w = L.buildWorld(dir);
  L.duetOk(w.db, 'module', 'add', '--cohort', COHORT, '--number', String(MODULE), '--theme', 'Norms test');
  srv = await L.startServer(w.db, dir);
  who = await L.connectAll(srv, w);
  sortApi = `/api/v1/partnerships/${CODE}/modules/${MODULE}/sort`;
  sortPage = `/partnerships/${CODE}/modules/${MODULE}/sort`;
});

after(async () => {
  if (srv && srv.alive()) await srv.stop();
});

// The grid filled in statement order: the first statements in the lowest column.
function fill(data) {
  const values = data.grid.flatMap((c) => Array(c.count).fill(c.value));
  return Object.fromEntries(data.statements.map((s, i) => [s.id, values[i]]));
}

test('GET: the statements, the grid and no sort yet; no dimensions or polarities', async () => {
  const r = await who.participantA.api.get(sortApi);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const d = r.json;
  assert.equal(d.status, 'not_started');
  assert.equal(d.sort, null);
  assert.equal(d.statements.length, d.grid.reduce((n, c) => n + c.count, 0));
  assert.ok(d.statements.every((s) => s.id && s.text && !('polarity' in s) && !('dimension' in s)));
  assert.equal(d.module.module, MODULE);
});

test('POST: every problem is named and nothing is stored until the sort fills the grid', async () => {
  const d = (await who.participantA.api.get(sortApi)).json;
  const ids = d.statements.map((s) => s.id);
  const top = d.grid[d.grid.length - 1];
  const good = fill(d);
  const post = (json) => who.participantA.api.post(sortApi, { json });

  let r = await post({ sort: 3 });
  assert.equal(r.status, 422);
  assert.ok(r.json.error.fields.sort);
  r = await post({ sort: good, extra: 1 });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.fields.extra, 'unknown field');
  r = await post({ sort: { ...good, zz9: 1, [ids[0]]: 'x', [ids[1]]: 1.5 } });
  assert.equal(r.status, 422);
  assert.deepEqual(Object.keys(r.json.error.fields).sort(), ['zz9', ids[0], ids[1]].sort());

  // The first statement moved to the top column: over-full by one.
  r = await post({ sort: { ...good, [ids[0]]: top.value } });
  assert.equal(r.status, 422);
  const sign = top.value > 0 ? `+${top.value}` : String(top.value);
  assert.equal(r.json.error.message, `column ${sign} holds ${top.count + 1} statements; the grid allows ${top.count}`);
  assert.match(r.json.error.fields[ids[0]], new RegExp(`holds ${top.count + 1} statements; the grid allows ${top.count}`));

  // One statement left out.
  const missing = { ...good };
  delete missing[ids[ids.length - 1]];
  r = await post({ sort: missing });
  assert.equal(r.status, 422);
  assert.match(r.json.error.message, new RegExp(`statement '${ids[ids.length - 1]}' is not placed`));
  assert.equal(r.json.error.fields[ids[ids.length - 1]], `Choose a column for statement ${ids.length}`);

  assert.equal((await who.participantA.api.get(sortApi)).json.status, 'not_started', 'a refused sort was stored');

  r = await post({ sort: good });
  assert.equal(r.status, 201, r.text.slice(0, 300));
  assert.equal(r.json.status, 'done');
  assert.deepEqual(r.json.sort.values, good);
  r = await post({ sort: good });
  assert.equal(r.status, 409);
});

test('the partnership page links to each module\'s sort and marks it done', async () => {
  const p = await who.participantA2.page.get(`/partnerships/${CODE}`);
  assert.equal(p.status, 200);
  assert.ok(p.text.includes(`href="${sortPage}">Sort the statements for module ${MODULE}</a>`),
    'no link to the sorting page for the partner who has not sorted');
  const a = await who.participantA.page.get(`/partnerships/${CODE}?sorted=${MODULE}`);
  assert.match(a.text, new RegExp(`Your sort of the statements for module ${MODULE} has been saved`));
  assert.match(a.text, new RegExp(`Done</strong> <a href="${sortPage}">See your sort for module ${MODULE}</a>`));
  // The banner only when it is true.
  const b = await who.participantA2.page.get(`/partnerships/${CODE}?sorted=${MODULE}`);
  assert.ok(!/has been saved/.test(b.text), 'a banner for a sort that does not exist');
});

test('the sorting form: a 422 keeps the columns chosen, names the over-full column, then a 303', async () => {
  const p = who.participantA2.page;
  const form = await p.get(sortPage);
  assert.equal(form.status, 200);
  const d = (await who.participantA2.api.get(sortApi)).json;
  const good = fill(d);
  const top = d.grid[d.grid.length - 1];
  const fields = (sort) => Object.fromEntries(Object.entries(sort).map(([k, v]) => [`statement-${k}`, String(v)]));
  const first = d.statements[0].id;
  let r = await p.post(sortPage, { form: fields({ ...good, [first]: top.value }) });
  assert.equal(r.status, 422);
  assert.match(r.text, new RegExp(`<a href="#statement-${first}">Column \\+?${top.value} holds ${top.count + 1} statements; the grid allows ${top.count}`));
  assert.match(r.text, new RegExp(`id="statement-${first}-${d.grid.length}" name="statement-${first}" type="radio" value="${top.value}" checked`));
  r = await p.post(sortPage, { form: fields(good) });
  assert.equal(r.status, 303);
  assert.equal(r.location, `/partnerships/${CODE}?sorted=${MODULE}`);
  r = await p.get(sortPage);
  assert.match(r.text, /<h1>.*Your sort for module 7<\/h1>/);
});

test('a cohort\'s norms: names for the facilitator, pseudonyms and no names for the researcher', async () => {
  const f = await who.facilitator.api.get(NORMS);
  assert.equal(f.status, 200, f.text.slice(0, 300));
  assert.ok(f.json.sorts > 0 && f.json.viewpoints, 'no sorts or no viewpoints in the demo');
  assert.equal(f.json.grid.length, 9);
  const p1 = f.json.partnerships.find((p) => p.partnership === CODE);
  assert.ok(p1.members.every((m) => m.display_name), 'the facilitator does not see names');
  assert.ok(f.json.modules.some((m) => m.module === MODULE), 'the new sorts are not counted');

  const r = await who.researcher.api.get(NORMS);
  assert.equal(r.status, 200);
  const text = JSON.stringify(r.json);
  assert.ok(!/display_name/.test(text), 'the researcher gets names');
  const people = JSON.parse(L.sqlite(w.db, 'SELECT key FROM person;', '-json'));
  const leaks = people.map((x) => x.key).filter((k) => text.includes(`"${k}"`));
  assert.deepEqual(leaks, [], 'the researcher gets person keys');
  assert.ok(text.includes(`"${CODE}-L1"`), 'no pseudonyms');

  const m = await who.facilitator.api.get(`${NORMS}?module=${MODULE}`);
  assert.equal(m.json.module, MODULE);
  assert.equal(m.json.viewpoints, null);
  assert.match(m.json.viewpoints_note, /at least 3/);
  assert.equal((await who.facilitator.api.get(`${NORMS}?module=x`)).status, 400);
  const page = await who.facilitator.page.get(`/cohorts/${encodeURIComponent(COHORT)}/norms?module=1`);
  assert.equal(page.status, 200);
  assert.match(page.text, /<h2 id="viewpoints">Viewpoints at module 1<\/h2>/);

  // Another cohort without sorts: an empty page, not an error.
  const other = await who.researcher.api.get(`/api/v1/cohorts/${encodeURIComponent(w.otherCohort)}/norms`);
  assert.equal(other.status, 200);
  assert.equal(other.json.sorts, 0);
});
