// tests/browser/test_browser.mjs — the web application in a real browser.
//
// Headless Chromium (Debian's, through playwright-core) against `duet serve`
// on a fresh demo database, under the server's real Content-Security-Policy.
// One test per property:
//   1. every role signs in through the sign-in form and lands on its home page
//   2. a participant fills in a check-in (an empty submit first: the error
//      summary takes focus) and their partnership's chart gains the module
//   3. a facilitator's cohort dashboard flags the demo's tokenistic and
//      polarising partnerships
//   4. a researcher downloads the relationships CSV: pseudonymised
//   5. an admin sees the accounts
//   5a. a participant sorts the norm statements for a module (a sort that
//      breaks the grid first: the error summary names the over-full column;
//      the live count marks it), sees it saved, and the facilitator and the
//      researcher read the cohort's norms: charts, the viewpoints drawn as grids
//   5b. two researchers code the same two passages of a reflection (typed,
//      and selected in the text), the second blind to the first's work, and
//      `duet analyse agreement` reports alpha for both codes
//   6. axe-core finds no WCAG 2.2 A/AA violation on any page visited (at
//      1280 px and at 390 px, where wide tables scroll in their regions), and no
//      page logged a console error, a page error or a CSP violation
//   7. full-page screenshots of every page, and the participant's pages at a
//      phone's width (375 × 812) without sideways scrolling
//   8. every page visited, for every role, fits 1280 px and 390 px without
//      sideways scrolling: wide tables scroll inside a labelled region
// Tests 1–5 visit the pages and record what 6 and 7 check, so they share one
// server and one browser and run in order.
//
//   DUET=build/duet DUET_ASSETS=build/assets DUET_ARTEFACTS=build/test-artefacts \
//     node --test-reporter=tap tests/browser/test_browser.mjs
// Screenshots go to $DUET_ARTEFACTS/browser/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as W from '../web/lib.mjs';
import * as B from './lib.mjs';

const COHORT = W.DEMO_COHORT;
const COHORT_PATH = `/cohorts/${encodeURIComponent(COHORT)}`;
const CODE = 'P01';
const NEW_MODULE = 7;          // added before the server starts: nobody has checked in
const SPARE_MODULE = 8;        // stays empty: the phone screenshot of a fresh form
const SECOND_CODER = 'res.second';   // a second researcher, for coding (5b)
const SECOND_PASSWORD = 'quiet-meadow-lantern-71';
// The demo's courses (src/app/demo.c: improving, tokenistic, improving,
// polarising, repeating): what the dashboard should flag.
const TOKENISTIC = ['P02', 'P06', 'P10'];
const POLARISING = ['P04', 'P08', 'P12'];

let dir, db, server, browser, participant;
const roles = {};
const findings = [];   // things to report that are not failures

before(async () => {
  dir = W.tempDir();
  db = W.demoDb(dir);
  for (const [n, theme] of [[NEW_MODULE, 'Browser test module'], [SPARE_MODULE, 'A later module']])
    W.duetOk(db, 'module', 'add', '--cohort', COHORT, '--number', String(n), '--theme', theme);
  participant = W.members(db, CODE).find((m) => m.side === 'lived_experience') ?? W.members(db, CODE)[0];
  W.duetOk(db, 'person', 'add', SECOND_CODER, '--name', 'Second Coder');
  W.addUser(db, SECOND_CODER, 'researcher', SECOND_PASSWORD);
  server = await W.startServer(db, dir);
  browser = await B.launch();
});

after(async () => {
  for (const r of Object.values(roles)) await r.close().catch(() => {});
  await browser?.close();
  if (findings.length) console.log(`# findings:\n# ${findings.join('\n# ')}`);
  if (server) {
    const { code, signal } = await server.stop();
    const noise = server.stderr().split('\n').filter((l) => l && !/^duet: (serving|stopped)/.test(l));
    if (noise.length) console.log(`# duet serve wrote to stderr:\n# ${noise.join('\n# ')}`);
    assert.equal(signal, null, `duet serve was killed by ${signal}: ${server.stderr()}`);
    assert.equal(code, 0, `duet serve exited with ${code} after SIGTERM: ${server.stderr()}`);
  }
});

// A role's contexts, opened once.
async function role(label) {
  roles[label] ??= await new B.Role(browser, server, label).open();
  return roles[label];
}

const goto = (url) => (page) => page.goto(url);

// The h1's text, without its caption.
async function heading(page) {
  return page.evaluate(() => {
    const h = document.querySelector('h1');
    if (!h) return null;
    const c = h.cloneNode(true);
    c.querySelectorAll('.nhsuk-caption-l, .nhsuk-caption-m, .nhsuk-caption-xl').forEach((x) => x.remove());
    return c.textContent.trim();
  });
}

// NHS.UK frontend's script focuses the error summary when the page loads,
// so screen readers announce it and keyboard users start there.
async function errorSummaryFocused(page, where) {
  const focused = () => document.activeElement?.classList.contains('nhsuk-error-summary');
  await page.waitForFunction(focused, null, { timeout: 3000 }).catch(() => {});
  const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 100));
  assert.ok(await page.evaluate(focused), `the error summary on ${where} did not take focus (focus is on ${at})`);
}

/* ---- 1. sign in ---- */

const SIGN_INS = [
  // label, person, password, the home page's h1
  ['participant', () => participant.key, W.PASSWORDS.participant, 'Your partnerships'],
  ['facilitator', () => W.STAFF.facilitator, W.PASSWORDS.facilitator, 'Your cohorts'],
  ['researcher', () => W.STAFF.researcher, W.PASSWORDS.researcher, 'Cohorts'],
  ['admin', () => W.STAFF.admin, W.PASSWORDS.admin, 'Accounts'],
];

test('1. every role signs in through the sign-in form and lands on its home page', async () => {
  const anon = await role('anonymous');
  await anon.visit('sign-in', goto('/sign-in'));
  assert.equal(await heading(anon.page), 'Sign in to duet');
  // A wrong password: the form again, with its error summary (401).
  await anon.visit('sign-in-error', async (page) => {
    await page.goto('/sign-in');
    await page.getByLabel('Your sign-in name').fill('nobody.here');
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    const [res] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
    return res;
  }, { status: 401 });
  assert.ok(await anon.page.locator('.nhsuk-error-summary').isVisible(), 'no error summary after a failed sign-in');
  await errorSummaryFocused(anon.page, 'the sign-in page');

  const failures = [];
  for (const [label, person, password, h1] of SIGN_INS) {
    const r = await role(label);
    const res = await r.signIn(person(), password);
    const where = new URL(r.page.url()).pathname;
    if (where !== '/home' || res?.status() !== 200) {
      failures.push(`${label} (${person()}): ended on ${where} with HTTP ${res?.status()}`);
      continue;
    }
    await r.visit(`${label}-home`, goto('/home'));
    const got = await heading(r.page);
    if (got !== h1) failures.push(`${label}: home page heading "${got}", expected "${h1}"`);
    const account = await r.page.locator('.nhsuk-header__account').textContent();
    if (!/Sign out/.test(account)) failures.push(`${label}: no sign-out button in the header`);
  }
  assert.deepEqual(failures, []);
});

/* ---- 2. a participant's check-in ---- */

const modulesIn = (values) => [...new Set(values.map((v) => v.module))].sort((a, b) => a - b);

test('2. a participant completes a check-in and sees their chart change', async () => {
  const p = await role('participant');
  assert.ok(p.person, 'the participant did not sign in (test 1)');
  const partnershipUrl = `/partnerships/${CODE}`;
  const formUrl = `${partnershipUrl}/modules/${NEW_MODULE}/checkin`;

  await p.visit('participant-partnership', goto(partnershipUrl));
  const before = await B.chartValues(p.page, 'trajectory');
  assert.ok(Array.isArray(before) && before.length > 0, 'no trajectory chart data on the partnership page');
  assert.ok(!modulesIn(before).includes(NEW_MODULE), `module ${NEW_MODULE} is in the chart before any check-in`);
  const rowsBefore = await B.tableRows(p.page, 'Scores by module');
  assert.ok(rowsBefore?.length, 'no "Scores by module" table beside the chart');
  const drawn = await B.chartsDrawn(p.page, 'trajectory');
  assert.ok(drawn.charts > 0 && drawn.svg === drawn.charts,
    `${drawn.svg} of ${drawn.charts} trajectory charts have an <svg>: Vega did not draw under the CSP`);

  // The module's link on the partnership page leads to the form.
  const link = p.page.getByRole('link', { name: `Complete your check-in for module ${NEW_MODULE}` });
  assert.equal(await link.count(), 1, `no link to the check-in for module ${NEW_MODULE}`);
  assert.equal(new URL(await link.getAttribute('href'), server.url).pathname, formUrl);

  await p.visit('participant-checkin', goto(formUrl));
  const radios = await p.page.locator('form input[type=radio]').evaluateAll((els) =>
    [...new Set(els.map((e) => e.name))]);
  const texts = await p.page.locator('form textarea').evaluateAll((els) => els.map((e) => e.id));
  assert.ok(radios.length > 0, 'the check-in form has no radio questions');

  // Empty: 422, the error summary, focused, linking to the first question.
  await p.visit('participant-checkin-errors', async (page) => {
    await page.goto(formUrl);
    const [res] = await Promise.all([page.waitForNavigation(),
      page.getByRole('button', { name: 'Submit check-in' }).click()]);
    return res;
  }, { status: 422 });
  const summary = p.page.locator('.nhsuk-error-summary');
  assert.ok(await summary.isVisible(), 'no error summary after an empty submit');
  await errorSummaryFocused(p.page, 'the check-in form');
  const summaryLinks = await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(summaryLinks.length > 0, 'the error summary links to no field');
  for (const href of summaryLinks)
    assert.equal(await p.page.locator(href).count(), 1, `the error summary links to ${href}, which is not on the page`);
  assert.match(await p.page.title(), /^Error: /, 'the title of a page with errors starts "Error: "');

  // Every question: the middle option of each radio group, text in each box.
  for (const name of radios) {
    const group = p.page.locator(`input[type=radio][name="${name}"]`);
    const n = await group.count();
    await group.nth(Math.floor(n / 2)).check();
  }
  for (const id of texts)
    await p.page.locator(`#${id}`).fill(`Written by the browser test for ${id}.\nA second line.`);
  const [res] = await Promise.all([p.page.waitForNavigation(),
    p.page.getByRole('button', { name: 'Submit check-in' }).click()]);
  assert.equal(res.status(), 200);
  const landed = new URL(p.page.url());
  assert.equal(landed.pathname, partnershipUrl, 'after the check-in the participant is not on the partnership page');

  await p.visit('participant-partnership-after-checkin', goto(landed.pathname + landed.search));
  const banner = p.page.locator('.nhsuk-notification-banner--success');
  assert.ok(await banner.isVisible(), 'no success notice after the check-in');
  assert.match(await banner.textContent(), new RegExp(`module ${NEW_MODULE}`));
  const after = await B.chartValues(p.page, 'trajectory');
  const mine = after.filter((v) => v.module === NEW_MODULE);
  assert.ok(mine.length > 0, `the chart's data has no module ${NEW_MODULE} after the check-in ` +
    `(modules: ${modulesIn(after).join(', ')})`);
  const side = participant.side === 'lived_experience' ? 'Lived-experience side' : 'System side';
  assert.ok(mine.every((v) => v.side === side), `module ${NEW_MODULE} is on the wrong side: ${JSON.stringify(mine)}`);
  assert.equal(after.length - before.length, mine.length, 'other points of the chart changed');
  const rowsAfter = await B.tableRows(p.page, 'Scores by module');
  const newRows = rowsAfter.filter((r) => r[0] === String(NEW_MODULE));
  assert.equal(newRows.length, 1, `the table has ${newRows.length} rows for module ${NEW_MODULE}`);
  assert.equal(newRows[0][1], side);
  const drawnAfter = await B.chartsDrawn(p.page, 'trajectory');
  assert.ok(drawnAfter.charts > 0 && drawnAfter.svg === drawnAfter.charts,
    `${drawnAfter.svg} of ${drawnAfter.charts} trajectory charts have an <svg> after the check-in`);
  const status = await p.page.locator('table').filter({ hasText: 'Your check-in' })
    .locator('tr', { hasText: 'Browser test module' }).textContent();
  assert.match(status, /Done/, 'the modules table does not mark the check-in done');

  // The form now shows the answers sent; and the reflections page.
  await p.visit('participant-checkin-done', goto(formUrl));
  assert.equal(await heading(p.page), `Your check-in for module ${NEW_MODULE}`);
  await p.visit('participant-reflections', goto(`${partnershipUrl}/reflections`));
  assert.equal(await heading(p.page), 'Reflections');
});

/* ---- 3. the facilitator's dashboard ---- */

test('3. a facilitator sees the tokenistic and polarising partnerships flagged', async () => {
  const f = await role('facilitator');
  assert.ok(f.person, 'the facilitator did not sign in (test 1)');
  await f.visit('facilitator-cohort', async (page) => {
    await page.goto('/home');
    const [res] = await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: COHORT }).click()]);
    return res;
  });
  assert.equal(new URL(f.page.url()).pathname, COHORT_PATH);
  assert.equal(await heading(f.page), COHORT);
  const cards = await f.page.locator('li[data-partnership]').evaluateAll((lis) => lis.map((li) => ({
    code: li.dataset.partnership,
    flags: (li.dataset.flags || '').split(/\s+/).filter(Boolean),
    tags: [...li.querySelectorAll('.nhsuk-tag')].map((t) => t.textContent.trim()),
    svg: li.querySelectorAll('.duet-chart svg').length,
  })));
  assert.equal(cards.length, 12, `${cards.length} partnership cards, expected the demo's 12`);
  const by = Object.fromEntries(cards.map((c) => [c.code, c]));
  const problems = [];
  const expected = [[TOKENISTIC, 'tokenistic', 'Tokenism signal'], [POLARISING, 'polarising', 'Polarising']];
  for (const [codes, flag, tag] of expected) {
    for (const code of codes) {
      const c = by[code];
      if (!c) problems.push(`${code}: no card`);
      else if (!c.flags.includes(flag))
        problems.push(`${code} (a ${flag} course in the demo) is not flagged ${flag}: ` +
          `data-flags="${c.flags.join(' ')}", tags ${JSON.stringify(c.tags)}`);
      else if (!c.tags.includes(tag))
        problems.push(`${code}: data-flags has ${flag} but no "${tag}" tag is shown (tags ${JSON.stringify(c.tags)})`);
    }
  }
  // Every flag written in data-flags is also shown as a tag, and the
  // flagged partnerships come first.
  const firstUnflagged = cards.findIndex((c) => c.flags.length === 0);
  if (firstUnflagged >= 0 && cards.slice(firstUnflagged).some((c) => c.flags.length))
    problems.push(`flagged partnerships do not all come first: ${cards.map((c) => `${c.code}[${c.flags}]`).join(' ')}`);
  const noSvg = cards.filter((c) => c.svg === 0).map((c) => c.code);
  if (noSvg.length) problems.push(`cards without a drawn chart: ${noSvg.join(', ')}`);
  const course = (code) => TOKENISTIC.includes(code) ? 'tokenistic'
    : POLARISING.includes(code) ? 'polarising' : 'improving';
  const flagsOf = (c) => `${c.code} (${course(c.code)} course): ${c.flags.join(' ') || '-'}`;
  findings.push(`dashboard flags: ${cards.map(flagsOf).join('; ')}`);
  assert.deepEqual(problems, []);

  await f.visit('facilitator-observations', goto('/partnerships/P02/observations'));
  assert.equal(await heading(f.page), 'Field notes');
  await f.visit('facilitator-partnership', goto('/partnerships/P02'));
  await f.visit('facilitator-reflections', goto('/partnerships/P02/reflections'));
});

/* ---- 4. the researcher's CSV ---- */

// A small CSV reader (RFC 4180: quotes, doubled quotes, CRLF or LF).
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += ch;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

test('4. a researcher downloads the relationships results as a pseudonymised CSV', async () => {
  const r = await role('researcher');
  assert.ok(r.person, 'the researcher did not sign in (test 1)');
  await r.visit('researcher-relationships', async (page) => {
    await page.goto('/home');
    const [res] = await Promise.all([page.waitForNavigation(),
      page.getByRole('link', { name: `Relationships in ${COHORT}` }).click()]);
    return res;
  });
  assert.equal(await heading(r.page), 'Relationships');
  const [download] = await Promise.all([r.page.waitForEvent('download'),
    r.page.getByRole('link', { name: /Download the results as CSV/ }).click()]);
  const file = await download.path();
  const failure = await download.failure();
  assert.equal(failure, null, `the download failed: ${failure}`);
  assert.equal(download.suggestedFilename(), `relationships-${COHORT.replace(/[^A-Za-z0-9._-]/g, '-')}.csv`);
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(`${B.ARTEFACTS}/relationships.csv`, text);
  const rows = parseCsv(text);
  assert.ok(rows.length > 1, 'the CSV has no data rows');
  const header = rows[0];
  assert.ok(header.length > 2 && header.every((h) => /^[a-z][a-z0-9_]*$/.test(h)),
    `the first row is not a header of snake_case names: ${header.join(',')}`);
  const bad = rows.filter((x) => x.length !== header.length);
  assert.equal(bad.length, 0, `${bad.length} rows have not ${header.length} fields`);
  const col = header.indexOf('partnership');
  assert.ok(col >= 0, `no partnership column: ${header.join(',')}`);
  const codes = new Set(rows.slice(1).map((x) => x[col]));
  for (const c of W.duetJson(db, 'partnership', 'list').map((p) => p.code))
    assert.ok(codes.has(c), `no rows for ${c} in the CSV`);

  // No person's key or name, in any case, anywhere in the file.
  const people = W.duetJson(db, 'person', 'list');
  const lower = text.toLowerCase();
  const leaks = [];
  for (const p of people) {
    if (lower.includes(p.key.toLowerCase())) leaks.push(`key ${p.key}`);
    const name = p.display_name.replace(/\s*\(.*\)\s*/g, '').trim();
    if (name && lower.includes(name.toLowerCase())) leaks.push(`name ${name}`);
    for (const part of name.split(/\s+/).filter((w) => w.length >= 3))
      if (new RegExp(`\\b${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(text))
        leaks.push(`name part "${part}" (${p.key})`);
  }
  assert.deepEqual([...new Set(leaks)], [], 'the CSV names people');

  await r.visit('researcher-determinants', goto(`/research/determinants?cohort=${encodeURIComponent(COHORT)}`));
  assert.equal(await heading(r.page), 'Determinants');
  await r.visit('researcher-partnership', goto('/partnerships/P04'));
});

/* ---- 5. the admin's accounts ---- */

test('5. an admin sees the accounts list', async () => {
  const a = await role('admin');
  assert.ok(a.person, 'the admin did not sign in (test 1)');
  await a.visit('admin-accounts', goto('/home'));
  const rows = await B.tableRows(a.page, 'Accounts');
  assert.ok(rows, 'no table captioned "Accounts"');
  const keys = rows.map((r) => r[0]);
  for (const k of [participant.key, W.STAFF.facilitator, W.STAFF.researcher, W.STAFF.admin])
    assert.ok(keys.includes(k), `the accounts table does not list ${k}`);
  const roleOf = Object.fromEntries(rows.map((r) => [r[0], r[2]]));
  assert.equal(roleOf[W.STAFF.facilitator], 'facilitator');
  assert.equal(roleOf[participant.key], 'participant');
  assert.ok(rows.length >= 28, `only ${rows.length} accounts listed`);
});

/* ---- 5a. Q-sorts: the sorting page and the cohort's norms ---- */

// The sorting page's grid: the column values and how many statements each takes.
async function gridShape(page) {
  return page.evaluate(() => {
    const t = [...document.querySelectorAll('table')].find((x) =>
      x.caption?.textContent.trim() === 'How many statements each column takes');
    if (!t) return null;
    const cols = [...t.tHead.rows[0].cells].slice(1).map((c) => Number(c.textContent.trim().replace('\u2212', '-')));
    const takes = [...t.tBodies[0].rows[0].cells].slice(1).map((c) => Number(c.textContent.trim()));
    return cols.map((value, i) => ({ value, count: takes[i] }));
  });
}

// The statements' field names in page order.
const statementNames = (page) => page.locator('form[data-qsort] fieldset').evaluateAll((fs) =>
  fs.map((f) => f.querySelector('input[type=radio]').name));

// Checks the radio of each statement for the given values (in page order).
async function placeAll(page, names, values) {
  for (let i = 0; i < names.length; i++)
    await page.locator(`input[name="${names[i]}"][value="${values[i]}"]`).check();
}

test('5a. a participant sorts the statements (the grid enforced) and staff read the norms', async () => {
  const p = await role('participant');
  assert.ok(p.person, 'the participant did not sign in (test 1)');
  const partnershipUrl = `/partnerships/${CODE}`;
  const sortUrl = `${partnershipUrl}/modules/${NEW_MODULE}/sort`;
  const linkName = `Sort the statements for module ${NEW_MODULE}`;

  // From the partnership page's link to the form.
  await p.visit('participant-sort', async (page) => {
    await page.goto(partnershipUrl);
    const [res] = await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: linkName }).click()]);
    return res;
  });
  assert.equal(new URL(p.page.url()).pathname, sortUrl);
  assert.equal(await heading(p.page), `Sort the statements for module ${NEW_MODULE}`);
  const grid = await gridShape(p.page);
  assert.ok(grid?.length >= 3, 'no table of the grid\'s shape');
  const names = await statementNames(p.page);
  const total = grid.reduce((n, c) => n + c.count, 0);
  assert.equal(names.length, total, `${names.length} statements on the page, the grid takes ${total}`);
  const radios = await p.page.locator(`input[name="${names[0]}"]`).count();
  assert.equal(radios, grid.length, 'a statement does not have one radio per grid column');
  // Keyboard: the arrow keys move between a statement's columns.
  await p.page.locator(`input[name="${names[0]}"]`).first().focus();
  await p.page.keyboard.press('ArrowRight');
  assert.equal(await p.page.locator(`input[name="${names[0]}"]:checked`).getAttribute('value'), String(grid[1].value),
    'ArrowRight did not choose the next column');

  // The grid filled in statement order: the first statements in the lowest column, ...
  const valid = grid.flatMap((c) => Array(c.count).fill(c.value));
  const top = grid[grid.length - 1];
  const broken = [top.value, ...valid.slice(1)];   // the first statement moved to the top column
  const label = (v) => (v > 0 ? `+${v}` : v < 0 ? `\u2212${-v}` : '0');
  await p.visit('participant-sort-errors', async (page) => {
    await page.goto(sortUrl);
    await placeAll(page, names, broken);
    const [res] = await Promise.all([page.waitForNavigation(),
      page.getByRole('button', { name: 'Save my sort' }).click()]);
    return res;
  }, { status: 422 });
  const summary = p.page.locator('.nhsuk-error-summary');
  assert.ok(await summary.isVisible(), 'no error summary for a sort that breaks the grid');
  await errorSummaryFocused(p.page, 'the sorting page');
  const links = await summary.locator('a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent })));
  const want = `Column ${label(top.value)} holds ${top.count + 1} statements; the grid allows ${top.count}`;
  assert.ok(links.some((l) => l.text.startsWith(want)), `the error summary does not say "${want}": ${JSON.stringify(links)}`);
  const first = links.find((l) => l.text.startsWith(want));
  assert.equal(first.href, `#${names[0]}`,
    'the summary does not link to the first statement placed in the over-full column');
  assert.equal(await p.page.locator(first.href).count(), 1, `the error summary links to ${first.href}, which is not on the page`);
  assert.match(await p.page.title(), /^Error: /);
  assert.ok(await p.page.locator(`input[name="${names[0]}"][value="${top.value}"]`).isChecked(),
    'the columns chosen were not kept');
  // The live count (JavaScript) marks the over-full column and says so.
  await p.page.locator(`input[name="${names[1]}"][value="${top.value}"]`).check();
  const status = (await p.page.locator('[data-qsort-status]').textContent()).trim();
  assert.equal(status, `${label(top.value)}: ${top.count + 2} of ${top.count} placed \u2013 too many; move 2 to another column`);
  assert.equal(await p.page.locator(`[data-qsort-placed="${top.value}"] .nhsuk-tag--red`).count(), 1,
    'the over-full column is not marked');

  // Put both back: a valid sort, saved, then the success banner.
  await placeAll(p.page, names.slice(0, 2), valid.slice(0, 2));
  assert.equal((await p.page.locator('[data-qsort-status]').textContent()).trim(),
    `${label(valid[1])}: ${grid[0].count} of ${grid[0].count} placed`);
  const [res] = await Promise.all([p.page.waitForNavigation(),
    p.page.getByRole('button', { name: 'Save my sort' }).click()]);
  assert.equal(res.status(), 200);
  const landed = new URL(p.page.url());
  assert.equal(landed.pathname, partnershipUrl, 'after the sort the participant is not on the partnership page');
  await p.visit('participant-partnership-after-sort', goto(landed.pathname + landed.search));
  const banner = p.page.locator('.nhsuk-notification-banner--success');
  assert.ok(await banner.isVisible(), 'no success notice after the sort');
  assert.match(await banner.textContent(), new RegExp(`sort of the statements for module ${NEW_MODULE}`));
  const sorts = await B.tableRows(p.page, 'Your sort for each module');
  const row = sorts?.find((r) => r[0] === String(NEW_MODULE));
  assert.match(row?.[1] ?? '', /^Done/, `the module's sort is not marked done: ${JSON.stringify(row)}`);

  // The sort as the grid: each column holds its count.
  await p.visit('participant-sort-done', goto(sortUrl));
  assert.equal(await heading(p.page), `Your sort for module ${NEW_MODULE}`);
  const held = await p.page.locator('table.duet-qgrid tbody td').evaluateAll((tds) => tds.map((td) => td.querySelectorAll('li').length));
  assert.deepEqual(held, grid.map((c) => c.count), 'the sort drawn as the grid does not fill it');
  await p.phone('phone-participant-sort', `${partnershipUrl}/modules/${SPARE_MODULE}/sort`);

  // The facilitator: from the dashboard to the cohort's norms.
  const f = await role('facilitator');
  await f.visit('facilitator-norms', async (page) => {
    await page.goto(COHORT_PATH);
    const [r] = await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: `Unspoken norms in ${COHORT}` }).click()]);
    return r;
  });
  assert.equal(new URL(f.page.url()).pathname, `${COHORT_PATH}/norms`);
  assert.equal(await heading(f.page), 'Unspoken norms');
  const regimes = await B.tableRows(f.page, "Each partnership's distance at its first and last module with sorts, where the partners ended up, and the regime");
  assert.equal(regimes?.length, 12, `the regime table has ${regimes?.length} rows, expected the demo's 12`);
  const drawn = await B.chartsDrawn(f.page, 'movement');
  assert.ok(drawn.charts === 12 && drawn.svg === 12, `${drawn.svg} of ${drawn.charts} movement charts drawn, expected 12`);
  const moved = await B.chartValues(f.page, 'movement');
  const mine = moved.filter((v) => v.partner.startsWith(participant.display_name) && v.module === NEW_MODULE);
  assert.equal(mine.length, 1, `the participant's new sort is not in the chart (${participant.display_name})`);
  const grids = await f.page.locator('table.duet-qgrid').evaluateAll((ts) => ts.map((t) => ({
    cols: t.tHead.rows[0].cells.length, statements: t.querySelectorAll('li').length })));
  assert.ok(grids.length >= 1, 'no viewpoint drawn as a grid');
  for (const g of grids) assert.deepEqual(g, { cols: grid.length, statements: total }, 'a viewpoint grid does not hold every statement once');
  assert.ok(await f.page.getByRole('heading', { name: /^Viewpoints at module \d+$/ }).count(), 'no viewpoints heading');

  // The researcher: pseudonyms only.
  const r = await role('researcher');
  await r.visit('researcher-norms', async (page) => {
    await page.goto('/home');
    const [x] = await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: `Unspoken norms in ${COHORT}` }).click()]);
    return x;
  });
  const text = await r.page.locator('main').textContent();
  assert.ok(text.includes(`${CODE}-L1`), 'the researcher does not see pseudonyms');
  assert.ok(!text.includes(participant.display_name), 'the researcher sees a participant\'s name');
  const phone = B.report.get('phone-participant-sort');
  assert.ok(phone.overflow.scrollWidth <= phone.overflow.clientWidth,
    `the sorting page scrolls sideways at ${B.PHONE.width} px: ${phone.overflow.wide.join(', ')}`);
});

/* ---- 5b. coding ---- */

// Two researchers code the same two passages of one reflection, the first
// by typing the words (no mouse needed) and by selecting them in the text
// (duet.js), the second with blind coding on; then `duet analyse agreement`
// reports alpha for the two codes.
// Two passages of text that each appear once: its first and last few words.
function twoPassages(text) {
  const words = text.split(/\s+/).filter(Boolean);
  const first = words.slice(0, 4).join(' ');
  const last = words.slice(-4).join(' ');
  for (const w of [first, last])
    assert.ok(text.indexOf(w) >= 0 && text.indexOf(w) === text.lastIndexOf(w), `"${w}" is not once in the text`);
  return [first, last];
}

async function applyCodes(page, code) {
  await page.getByLabel(code, { exact: true }).check();
  const [res] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Apply codes' }).click()]);
  assert.equal(res.status(), 200, `applying ${code} answered ${res.status()}`);
  assert.ok(await page.getByText('The passage is coded.').count(), `no confirmation after applying ${code}`);
}

test('5b. two researchers code the same passages and duet analyse agreement reports alpha', async () => {
  const docs = W.duetJson(db, 'coding', 'documents');
  const doc = docs.find((d) => d.kind === 'reflection' && d.partnership === CODE) ?? docs.find((d) => d.kind === 'reflection');
  assert.ok(doc, 'the demo has no codable reflection');
  const { text } = W.duetJson(db, 'coding', 'show', 'reflection', String(doc.id));
  const [one, two] = twoPassages(text);
  const docUrl = `/coding/reflection/${doc.id}`;

  // The first coder: from the home page to the text.
  const r = await role('researcher');
  await r.visit('researcher-coding', async (page) => {
    await page.goto('/home');
    const [x] = await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: /Code reflections/ }).click()]);
    return x;
  });
  assert.equal(await heading(r.page), 'Coding');
  await r.visit('researcher-coding-document', async (page) => {
    await page.goto('/coding');
    const [x] = await Promise.all([page.waitForNavigation(), page.locator(`a[href="${docUrl}"]`).click()]);
    return x;
  });
  // Nothing chosen: the error summary takes focus and names both fields.
  await r.visit('researcher-coding-errors', async (page) => {
    await page.goto(docUrl);
    const [x] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Apply codes' }).click()]);
    return x;
  }, { status: 422, axe: false });
  await errorSummaryFocused(r.page, 'the coding page');
  const summary = await r.page.locator('.nhsuk-error-summary').textContent();
  assert.match(summary, /Enter the passage/);
  assert.match(summary, /Choose at least one code/);
  // Passage one by typing its words with the keyboard.
  await r.page.goto(docUrl);
  await r.page.getByLabel('Passage', { exact: true }).pressSequentially(one);
  await applyCodes(r.page, 'Voice');
  // Passage two by selecting it in the text.
  await r.page.evaluate((words) => {
    const box = document.querySelector('[data-coding-text]');
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const at = node.data.indexOf(words);
      if (at >= 0) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + words.length);
        document.getSelection().removeAllRanges();
        document.getSelection().addRange(range);
        return;
      }
    }
    throw new Error('the words are not in one text node');
  }, two);
  await r.page.waitForFunction(() => /Selected characters/.test(document.querySelector('[data-coding-status]').textContent));
  assert.equal(await r.page.getByLabel('Passage', { exact: true }).inputValue(), two);
  const cp = (s) => Array.from(s).length;
  const want = cp(text.slice(0, text.indexOf(two)));
  assert.equal(await r.page.locator('[data-coding-start]').inputValue(), String(want), 'the selection\'s start is not in code points');
  await applyCodes(r.page, 'Trust');
  const coded = await r.page.locator('tr[data-selection]').count();
  assert.equal(coded, 2, `the first coder sees ${coded} coded passages, expected 2`);
  assert.equal(await r.page.locator('[data-coding-text] mark').count(), 2, 'the coded passages are not highlighted');

  // A memo on one of the codings.
  const memo = 'Voice here is about being asked, not about being heard.';
  const about = r.page.getByLabel('What the memo is about');
  await about.selectOption({ label: (await about.locator('option').allTextContents()).find((t) => t.startsWith('Voice')) });
  await r.page.getByLabel('Add a memo').fill(memo);
  await Promise.all([r.page.waitForNavigation(), r.page.getByRole('button', { name: 'Add memo' }).click()]);
  assert.ok(await r.page.getByText('The memo is added.').count(), 'no confirmation after adding a memo');
  assert.ok(await r.page.getByText(`On ${W.STAFF.researcher}'s coding ‘Voice’`).count(), 'the memo does not say which coding it is on');

  // The second coder, blind: sees none of the first coder's passages, nor
  // the memo on one of them.
  const r2 = await role('researcher2');
  await r2.signIn(SECOND_CODER, SECOND_PASSWORD);
  await r2.visit('researcher2-coding-document', goto(docUrl));
  assert.equal(await r2.page.locator('tr[data-selection]').count(), 0, 'blind coding shows another coder\'s passages');
  assert.ok(!(await r2.page.locator('main').textContent()).includes(memo), 'blind coding shows a memo on another coder\'s coding');
  for (const [words, code] of [[one, 'Voice'], [two, 'Trust']]) {
    await r2.page.getByLabel('Passage', { exact: true }).fill(words);
    await applyCodes(r2.page, code);
  }

  // Agreement between them: one alpha per code, both perfect.
  const a = W.duetJson(db, 'analyse', 'agreement', '--coders', `${W.STAFF.researcher},${SECOND_CODER}`);
  assert.deepEqual(a.coders, [W.STAFF.researcher, SECOND_CODER]);
  const byName = Object.fromEntries(a.codes.map((c) => [c.name, c]));
  for (const code of ['Voice', 'Trust']) {
    assert.ok(byName[code], `no agreement reported for ${code}`);
    assert.equal(byName[code].alpha, 1, `alpha for ${code}: ${JSON.stringify(byName[code])}`);
    assert.equal(byName[code].percent_agreement, 1);
  }

  // The codes page: the two codes, charts drawn, the same numbers in tables.
  await r.visit('researcher-codes', async (page) => {
    await page.goto('/home');
    const [x] = await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: `Code frequencies in ${COHORT}` }).click()]);
    return x;
  });
  assert.equal(await heading(r.page), 'Code frequencies');
  const codesText = await r.page.locator('main').textContent();
  for (const code of ['Voice', 'Trust']) assert.ok(codesText.includes(code), `the codes page does not list ${code}`);
  const drawnCodes = await B.chartsDrawn(r.page, '');
  assert.ok(drawnCodes.charts >= 1 && drawnCodes.svg === drawnCodes.charts, `${drawnCodes.svg} of ${drawnCodes.charts} charts drawn on the codes page`);

  // Revealed, the first coder sees both coders' passages.
  await r.page.goto('/coding');
  await Promise.all([r.page.waitForNavigation(), r.page.getByRole('button', { name: "Reveal everyone's coding" }).click()]);
  await r.page.goto(docUrl);
  assert.equal(await r.page.locator('tr[data-selection]').count(), 4, 'revealed coding does not show both coders');
});

/* ---- 6. accessibility and a clean console ---- */

// The pages every run must have checked (tests 1–5 visit them).
/* ---- 5c. consent, and the confirmation before disabling an account ---- */

test('5c. a participant reads their consent and what withdrawing means; an admin is asked before disabling', async () => {
  const p = await role('participant');
  assert.ok(p.person, 'the participant did not sign in (test 1)');
  await p.visit('participant-consent', goto('/consent'));
  assert.match(await heading(p.page), /consent/i);
  // The confirmation page only: nothing is withdrawn by reading it.
  await p.visit('participant-consent-withdraw', goto('/consent/withdraw?purpose=research'));
  const text = await p.page.evaluate(() => document.querySelector('main').innerText);
  assert.match(text, /cannot be undone/i, 'the withdrawal page does not say it cannot be undone');
  const a = await role('admin');
  await a.visit('admin-disable-confirm', goto(`/admin/users/${W.STAFF.researcher}/disable`));
  assert.match(await heading(a.page), /disable/i);
});

const EXPECTED_PAGES = ['sign-in', 'sign-in-error', 'participant-home', 'facilitator-home', 'researcher-home',
  'admin-home', 'participant-partnership', 'participant-checkin', 'participant-checkin-errors',
  'participant-partnership-after-checkin', 'participant-checkin-done', 'participant-reflections',
  'facilitator-cohort', 'facilitator-observations', 'facilitator-partnership', 'facilitator-reflections',
  'researcher-relationships', 'researcher-determinants', 'researcher-partnership', 'admin-accounts',
  'participant-sort', 'participant-sort-errors', 'participant-partnership-after-sort', 'participant-sort-done',
  'facilitator-norms', 'researcher-norms', 'researcher-coding', 'researcher-coding-document',
  'researcher2-coding-document', 'researcher-codes', 'participant-consent', 'participant-consent-withdraw',
  'admin-disable-confirm', 'not-found', 'not-found-signed-out'];

// The detectors themselves: a page that breaks the CSP and has an image
// without a text alternative must be caught (so a pass means something).
async function canary() {
  const c = await new B.Role(browser, server, 'canary').open();
  try {
    await c.visit('canary', async (page) => {
      const res = await page.goto('/sign-in');
      await page.evaluate(() => {
        const s = document.createElement('script');
        s.textContent = 'window.__inline = 1';
        document.body.append(s);
        const img = document.createElement('img');
        img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
        document.querySelector('main').append(img);
        // Too wide for a phone: one loose, one in a labelled scroll region.
        const wide = (id) => Object.assign(document.createElement('div'), { id, textContent: 'wide' });
        const loose = wide('canary-loose');
        loose.style.width = '900px';
        const region = document.createElement('div');
        region.tabIndex = 0;
        region.style.overflowX = 'auto';
        region.setAttribute('role', 'region');
        region.setAttribute('aria-label', 'A wide thing (scrolls sideways)');
        const held = wide('canary-held');
        held.style.width = '900px';
        region.append(held);
        document.querySelector('main').append(loose, region);
      });
      return res;
    });
    const e = B.report.get('canary');
    const csp = e.problems.filter((x) => x.startsWith('CSP violation: script-src'));
    const cons = e.problems.filter((x) => x.startsWith('console error:') && /Content Security Policy/.test(x));
    const alt = e.axe.filter((v) => v.id === 'image-alt');
    assert.ok(csp.length && cons.length && alt.length,
      `the checks missed a planted problem: ${JSON.stringify(e.problems)} axe: ${e.axe.map((v) => v.id)}`);
    const at = e.narrow.wide.map((x) => x.what);
    assert.ok(B.overflows(e.narrow) && at.includes('div#canary-loose') && !at.includes('div#canary-held'),
      `the overflow check missed the loose wide element or caught the one in a scroll region: ${at.join(', ')}`);
    assert.ok(!B.overflows(e.desktop), `a 900 px element does not fit 1280 px: ${B.describeOverflow('canary', e.desktop)}`);
  } finally {
    B.report.delete('canary');
    await c.close();
  }
}

test('6. no axe-core violation (WCAG 2.2 A/AA) and no console error or CSP violation on any page', async () => {
  await canary();
  const p = await role('participant');
  await p.visit('not-found', goto('/partnerships/NOPE99'), { status: 404 });
  assert.equal(await heading(p.page), 'Page not found');
  const anon = await role('anonymous');
  await anon.visit('not-found-signed-out', goto('/no-such-page'), { status: 404 });

  const lines = [];
  const missing = EXPECTED_PAGES.filter((n) => !B.report.get(n)?.axe);
  if (missing.length) lines.push(`pages not checked (an earlier test stopped before them): ${missing.join(', ')}`);
  for (const [name, e] of B.report) {
    if (e.axe?.length) lines.push(...B.describeAxe(name, e.axe));
    for (const x of e.problems) lines.push(`${name}: ${x}`);
  }
  // The server's side: no request ended in a server error.
  const log = fs.readFileSync(server.log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  for (const r of log.filter((x) => x.status >= 500))
    lines.push(`access log: ${r.method} ${r.path} answered ${r.status}`);
  console.log(`# pages checked with axe-core: ${[...B.report].filter(([, e]) => e.axe).map(([n]) => n).join(', ')}`);
  assert.ok(lines.length === 0, `${lines.length} problems:\n${lines.join('\n')}`);
});

/* ---- 7. screenshots ---- */

test('7. screenshots of every page, and the participant\'s pages fit a phone', async () => {
  const p = await role('participant');
  await p.phone('phone-participant-partnership', `/partnerships/${CODE}`);
  await p.phone('phone-participant-checkin', `/partnerships/${CODE}/modules/${SPARE_MODULE}/checkin`);
  const lines = [];
  for (const [name, e] of B.report) {
    if (!e.screenshots.length) lines.push(`${name}: no screenshot`);
    for (const f of e.screenshots)
      if (!fs.existsSync(f) || fs.statSync(f).size < 1000) lines.push(`${name}: ${f} is missing or empty`);
  }
  for (const name of ['phone-participant-partnership', 'phone-participant-checkin']) {
    const e = B.report.get(name);
    for (const x of e.problems) lines.push(`${name}: ${x}`);
    if (e.status !== 200) lines.push(`${name}: HTTP ${e.status}`);
    const o = e.overflow;
    if (o.chartScale !== null && o.chartScale < 0.75)
      findings.push(`${name}: a chart is shrunk to ${Math.round(o.chartScale * 100)}% to fit ${B.PHONE.width} px, ` +
        `so its 12 px labels show at about ${(12 * o.chartScale).toFixed(1)} px`);
    if (o.scrollWidth > o.clientWidth)
      lines.push(`${name}: the page scrolls sideways at ${B.PHONE.width} px (${o.scrollWidth} px wide); ` +
        `too wide: ${o.wide.join(', ')}`);
  }
  console.log(`# screenshots in ${B.ARTEFACTS}`);
  assert.ok(lines.length === 0, lines.join('\n'));
});

/* ---- 8. phones: no sideways scrolling ---- */

test('8. every page of every role fits 1280 px and 390 px without sideways scrolling', () => {
  const lines = [];
  const missing = EXPECTED_PAGES.filter((n) => !B.report.get(n)?.narrow);
  if (missing.length) lines.push(`pages not checked at ${B.NARROW.width} px: ${missing.join(', ')}`);
  const checked = [];
  for (const [name, e] of B.report) {
    if (!e.narrow) continue;
    checked.push(name);
    if (B.overflows(e.desktop)) lines.push(B.describeOverflow(name, e.desktop));
    if (B.overflows(e.narrow)) lines.push(B.describeOverflow(name, e.narrow));
  }
  console.log(`# pages checked at 1280 and ${B.NARROW.width} px: ${checked.length}`);
  assert.ok(lines.length === 0, `${lines.length} pages do not fit:\n${lines.join('\n')}`);
});
