// tests/browser/test_session.mjs — sessions that end kindly, in a real browser.
//
//   1. a participant on their partnership page is warned before the idle
//      timeout (the browser's clock is fast-forwarded: Playwright's
//      page.clock), in an accessible modal dialog; "Stay signed in" closes
//      it, touches the session on the server, and the count starts again
//   2. a participant types a reflection, the session is ended on the server
//      meanwhile, they send it: the sign-in page says what happened; signed
//      in again they are back on the reflections form with the text put
//      back and a message saying so; sending it then stores the reflection
//
//   DUET=build/duet DUET_ASSETS=build/assets node --test tests/browser/test_session.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as W from '../web/lib.mjs';
import * as B from './lib.mjs';

const CODE = 'P01';
// AUTH_IDLE_TIMEOUT in src/app/auth.h is 30 minutes, and last_seen is written
// at most once a minute, so a page can count on 29 minutes from its loading.
const IDLE_MS = 29 * 60 * 1000;
const WARN_MS = 2 * 60 * 1000;      // the warning comes 2 minutes before

let dir, db, server, browser, participant;

before(async () => {
  dir = W.tempDir();
  db = W.demoDb(dir);
  participant = W.members(db, CODE).find((m) => m.side === 'lived_experience') ?? W.members(db, CODE)[0];
  server = await W.startServer(db, dir);
  browser = await B.launch();
});

after(async () => {
  await browser?.close();
  if (server) await server.stop();
});

// Writes to the database behind the server's back (the sqlite3 CLI).
function sqlWrite(sql) {
  const r = spawnSync('sqlite3', ['-batch', '-cmd', '.timeout 5000', db, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}`);
  return r.stdout;
}

const lastSeen = () => Number(W.sqlite(db, `SELECT max(last_seen) FROM session s JOIN account a ON a.id = s.account_id
  WHERE s.ended_at IS NULL`).trim());

async function signIn(page, person, password) {
  await page.getByLabel('Your sign-in name').fill(person);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

test('1. a warning before the idle timeout, and "Stay signed in" keeps the session', async () => {
  const ctx = await browser.newContext({ baseURL: server.url });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.clock.install();
  await page.goto('/sign-in');
  await signIn(page, participant.key, W.PASSWORDS.participant);
  await page.goto(`/partnerships/${CODE}`);
  await B.settle(page);
  const dialog = page.locator('dialog#session-timeout');
  // Not yet: a minute before the warning is due.
  await page.clock.fastForward(IDLE_MS - WARN_MS - 60 * 1000);
  assert.equal(await dialog.count() ? await dialog.isVisible() : false, false, 'the warning came too early');
  await page.clock.fastForward(60 * 1000 + 1000);
  await dialog.waitFor({ state: 'visible', timeout: 5000 });
  assert.equal(await page.evaluate(() => document.querySelector('dialog#session-timeout').open), true);
  // Named and described; focus inside it; the plain words of the pattern.
  const title = await page.locator('#session-timeout-title').textContent();
  assert.equal(title, 'You\u2019ll be signed out soon');
  assert.equal(await dialog.getAttribute('aria-labelledby'), 'session-timeout-title');
  assert.match(await page.locator('#session-timeout-text').textContent(),
    /We will sign you out in \d+ (minutes?|seconds) to protect your information\./);
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Stay signed in');
  const live = page.locator('dialog#session-timeout [aria-live="polite"]');
  assert.equal(await live.count(), 1, 'no polite live region in the dialog');
  // axe-core on the page with the dialog open (a context without the CSP
  // would lose the clock; axe is evaluated as a script through DevTools).
  const axe = await B.runAxe(page);
  assert.deepEqual(B.describeAxe('timeout warning', axe), []);
  await page.screenshot({ path: `${B.ARTEFACTS}/session-timeout-warning.png` });

  // The session last seen ten minutes ago (the server's clock is real and
  // writes last_seen at most once a minute): staying must record "now".
  sqlWrite('UPDATE session SET last_seen = last_seen - 600 WHERE ended_at IS NULL;');
  const before = lastSeen();
  const [keep] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/session/keep'),
    page.getByRole('button', { name: 'Stay signed in' }).click(),
  ]);
  assert.equal(keep.status(), 204, 'POST /session/keep did not answer 204');
  await dialog.waitFor({ state: 'hidden', timeout: 5000 });
  assert.ok(lastSeen() >= before + 590, 'the session was not touched on the server');
  // Past the original deadline: still signed in, no sign-in page.
  await page.clock.fastForward(WARN_MS + 10 * 1000);
  assert.equal(new URL(page.url()).pathname, `/partnerships/${CODE}`);
  assert.equal(await dialog.isVisible(), false, 'the warning came back too soon after staying');
  // The count started again: the warning comes back 28 minutes after staying.
  await page.clock.fastForward(IDLE_MS - 2 * WARN_MS - 10 * 1000);
  await dialog.waitFor({ state: 'visible', timeout: 5000 });
  // Esc is "stay" too, and focus goes back where it was.
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/session/keep'),
    page.keyboard.press('Escape'),
  ]);
  await dialog.waitFor({ state: 'hidden', timeout: 5000 });
  // And at 0 (after the next warning) the page signs out, saying why.
  await page.clock.fastForward(IDLE_MS - WARN_MS + 1000);
  await dialog.waitFor({ state: 'visible', timeout: 5000 });
  await Promise.all([page.waitForURL(/\/sign-in\?/, { timeout: 10000 }), page.clock.fastForward(WARN_MS + 2000)]);
  const u = new URL(page.url());
  assert.equal(u.searchParams.get('timeout'), '1');
  assert.equal(u.searchParams.get('next'), `/partnerships/${CODE}`);
  assert.match(await page.locator('#session-ended').textContent(), /inactive for 30 minutes/);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('2. a reflection sent after the session ended is put back after signing in again', async () => {
  const ctx = await browser.newContext({ baseURL: server.url });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/sign-in');
  await signIn(page, participant.key, W.PASSWORDS.participant);
  const formUrl = `/partnerships/${CODE}/reflections`;
  await page.goto(formUrl);
  await B.settle(page);
  const words = `Typed over a long break ${Date.now()}: we listened more than we spoke.`;
  await page.getByLabel('Your reflection').fill(words);
  await page.getByLabel('Only me').check().catch(() => {});
  const vis = await page.locator('input[name="visibility"]:checked').getAttribute('value');
  // The session ends on the server meanwhile (as after 30 idle minutes).
  sqlWrite('UPDATE session SET ended_at = CAST(strftime(\'%s\', \'now\') AS INTEGER) WHERE ended_at IS NULL;');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save reflection' }).click()]);
  let u = new URL(page.url());
  assert.equal(u.pathname, '/sign-in');
  assert.equal(u.searchParams.get('expired'), '1');
  assert.equal(u.searchParams.get('next'), formUrl);
  assert.match(await page.locator('#session-ended').textContent(),
    /Your session ended, so what you sent was not saved\. Sign in again and we will put back what you typed\./);
  const count = (t) => Number(W.sqlite(db, `SELECT count(*) FROM reflection WHERE text = '${t.replace(/'/g, "''")}'`).trim());
  assert.equal(count(words), 0, 'the reflection was stored although the session had ended');

  await signIn(page, participant.key, W.PASSWORDS.participant);
  await B.settle(page);
  u = new URL(page.url());
  assert.equal(u.pathname, formUrl, 'signing in again did not return to the form');
  assert.equal(await page.getByLabel('Your reflection').inputValue(), words, 'the text was not put back');
  assert.equal(await page.locator('input[name="visibility"]:checked').getAttribute('value'), vis);
  const note = page.locator('.duet-restored');
  assert.equal((await note.textContent()).includes('We have put back what you typed. Check it and send it again.'), true);
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('duet-restored')), true,
    'the message did not take focus');
  assert.deepEqual(B.describeAxe('restored form', await B.runAxe(page)), []);
  // The CSRF token is the new session's, never a kept one; nothing kept a password.
  const kept = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('duet-kept:')));
  assert.deepEqual(kept, [], 'the kept copy was not deleted once put back');

  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save reflection' }).click()]);
  assert.equal(count(words), 1, 'the reflection sent again was not stored');
  assert.equal(await page.locator('.duet-restored').count(), 0, 'the message stayed after sending');
  const after = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('duet-kept:')));
  assert.deepEqual(after, [], 'a copy was kept after a successful send');
  assert.deepEqual(errors, []);
  await ctx.close();
});
