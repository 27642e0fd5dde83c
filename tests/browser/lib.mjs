// tests/browser/lib.mjs — helpers for the browser tests: headless Chromium
// (Debian's /usr/bin/chromium driven by playwright-core: no browser is ever
// downloaded), axe-core, and a record of what went wrong on each page.
//
//   launch()                     Chromium, headless
//   new Role(browser, server, label)
//                                one person's two browser contexts: `page`
//                                runs under the server's real CSP (console
//                                errors and CSP violations are recorded);
//                                `axePage` bypasses the CSP only so that
//                                axe-core can be injected
//   role.signIn(person, password)  through the real sign-in form
//   role.visit(name, reach, opts)  reach(page) in both contexts; records the
//                                  problems, a screenshot and axe's verdict,
//                                  and the same at a phone's width (NARROW:
//                                  390 px) with the page's overflow
//   overflow(page)               what sticks out sideways (WCAG 1.4.10 reflow)
//   report                        everything recorded, by page name
//
// The server side (demo database, `duet serve`) comes from tests/web/lib.mjs.
// DUET_BROWSER_TIMES=1 prints how long each step of each page took.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { TOP } from '../web/lib.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
export const PHONE = { width: 375, height: 812 };
// Every visited page is also checked at this width (a common phone's).
export const NARROW = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const AXE_SOURCE = fs.readFileSync(path.join(TOP, 'node_modules/axe-core/axe.min.js'), 'utf8');

export const ARTEFACTS = path.join(process.env.DUET_ARTEFACTS || path.join(TOP, 'build/test-artefacts'),
  'browser');
fs.mkdirSync(ARTEFACTS, { recursive: true });

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// name → {status, problems: [text], axe: [violation] | null, screenshots: [file]}
export const report = new Map();

function entry(name) {
  if (!report.has(name)) report.set(name, { problems: [], axe: null, screenshots: [], status: null });
  return report.get(name);
}

// Runs in every document of the normal context, before the page's own
// scripts: remembers CSP violations (Chromium also logs them to the console,
// which is listened to as well). Injected through the DevTools protocol, so
// the CSP does not apply to it.
function cspRecorder() {
  window.__duetCsp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__duetCsp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} ` +
      `at ${e.sourceFile || '?'}:${e.lineNumber}`);
  });
}

// Waits until nhsuk-frontend has initialised and every chart has finished
// drawing (or failed), so screenshots and axe see the enhanced page.
export async function settle(page) {
  await page.waitForLoadState('load');
  await page.waitForFunction(() => {
    const charts = [...document.querySelectorAll('[data-vl-spec]')];
    const drawn = charts.every((e) => e.classList.contains('duet-chart--drawn') ||
      e.classList.contains('duet-chart--failed'));
    return document.body.classList.contains('nhsuk-frontend-supported') && drawn;
  }, null, { timeout: 15000 });
}

const h1 = (page) => page.evaluate(() => document.querySelector('h1')?.textContent.trim() ?? null);

const fileName = (name) => name.replace(/[^A-Za-z0-9._-]+/g, '-');

export class Role {
  constructor(browser, server, label) {
    Object.assign(this, { browser, server, label, current: `${label}: (no page yet)` });
  }

  async open() {
    const t0 = Date.now();
    const base = { baseURL: this.server.url, viewport: DESKTOP, acceptDownloads: true };
    this.ctx = await this.browser.newContext(base);
    this.axeCtx = await this.browser.newContext({ ...base, bypassCSP: true });
    this.page = await this.newPage(this.ctx);
    this.axePage = await this.axeCtx.newPage();
    if (process.env.DUET_BROWSER_TIMES) console.log(`# contexts for ${this.label}: ${Date.now() - t0} ms`);
    return this;
  }

  // A page in a context under the CSP, whose problems are recorded under
  // whatever page this role is visiting at the time.
  async newPage(ctx) {
    await ctx.addInitScript(cspRecorder);
    const page = await ctx.newPage();
    const note = (text) => entry(this.current).problems.push(text);
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const at = m.location()?.url || '';
      note(`console error: ${m.text()}${at ? ` (${at})` : ''}`);
    });
    page.on('pageerror', (e) => note(`page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      const why = r.failure()?.errorText || '';
      // Cancelled by the next navigation (a favicon still loading) or a download.
      if (why === 'net::ERR_ABORTED') return;
      note(`request failed: ${r.url()} ${why}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && r.request().resourceType() !== 'document')
        note(`HTTP ${r.status()} for ${r.url()}`);
    });
    return page;
  }

  async close() {
    await this.ctx?.close();
    await this.axeCtx?.close();
    await this.phoneCtx?.close();
  }

  // Signs in through the form, in the normal context, and gives the axe
  // context the same session cookie. Returns the response after the
  // redirects (the home page).
  async signIn(person, password) {
    const t0 = Date.now();
    const p = this.page;
    await p.goto('/sign-in');
    await p.getByLabel('Your sign-in name').fill(person);
    await p.getByLabel('Password', { exact: true }).fill(password);
    const [res] = await Promise.all([p.waitForNavigation(), p.getByRole('button', { name: 'Sign in' }).click()]);
    await this.axeCtx.addCookies(await this.ctx.cookies());
    this.person = person;
    if (process.env.DUET_BROWSER_TIMES) console.log(`# sign in as ${person}: ${Date.now() - t0} ms`);
    return res;
  }

  // Visits a page: reach(page) navigates there (returning the navigation's
  // response) in the normal context, then the page is checked, and the same
  // reach(axePage) is run in the axe context for axe-core. opts.status: the
  // expected HTTP status of the document (default 200); opts.axe: false to
  // skip axe (pages reached by an action that cannot be repeated).
  async visit(name, reach, opts = {}) {
    const status = opts.status ?? 200;
    const e = entry(name);
    this.current = name;
    e.role = this.label;
    const t0 = Date.now();
    const res = await reach(this.page);
    e.url = this.page.url();
    e.status = res ? res.status() : null;
    if (e.status !== status) e.problems.push(`HTTP ${e.status} for the page, expected ${status}`);
    const t1 = Date.now();
    await settle(this.page);
    // Chromium logs the document's own error status (a 404 page, a 422
    // form) as a failed resource: expected here, and checked just above.
    if (status !== 200) {
      const own = `console error: Failed to load resource: the server responded with a status of ${status} `;
      e.problems = e.problems.filter((x) => !(x.startsWith(own) && x.endsWith(`(${e.url})`)));
    }
    await this.collectCsp(this.page, e);
    const t2 = Date.now();
    await this.shoot(this.page, name, e);
    e.desktop = await overflow(this.page);
    await this.narrow(this.page, name, e);
    const t3 = Date.now();
    if (opts.axe !== false) {
      await reach(this.axePage);
      await settle(this.axePage);
      // axe must look at the same page (not, say, the sign-in page).
      const [a, b] = [await h1(this.page), await h1(this.axePage)];
      if (this.axePage.url() !== e.url || a !== b)
        e.problems.push(`the axe context reached ${this.axePage.url()} ("${b}"), not ${e.url} ("${a}")`);
      e.axe = await runAxe(this.axePage);
      // And at a phone's width, where wide tables scroll in their regions.
      await this.axePage.setViewportSize(NARROW);
      await redrawn(this.axePage);
      e.axe.push(...(await runAxe(this.axePage)).map((v) => ({ ...v, help: `${v.help} (at ${NARROW.width} px)` })));
      await this.axePage.setViewportSize(DESKTOP);
    }
    if (process.env.DUET_BROWSER_TIMES)
      console.log(`# ${name}: reach ${t1 - t0} settle ${t2 - t1} shot ${t3 - t2} axe ${Date.now() - t3} ms`);
    this.current = `${this.label}: after ${name}`;
    return res;
  }

  // The document just visited, resized to NARROW's width (charts drawn to
  // their container's width redraw), checked for sideways overflow and
  // photographed, then put back to the desktop's size. Resizing rather than
  // reloading works for every page, those reached by posting a form too.
  async narrow(page, name, e) {
    await page.setViewportSize(NARROW);
    await redrawn(page);
    e.narrow = await overflow(page);
    await this.shoot(page, `${name}-${NARROW.width}`, e);
    await page.setViewportSize(DESKTOP);
    await redrawn(page);
  }

  async collectCsp(page, e) {
    const v = await page.evaluate(() => window.__duetCsp || ['the CSP recorder did not run']);
    for (const x of v) e.problems.push(`CSP violation: ${x}`);
  }

  async shoot(page, name, e = entry(name)) {
    const file = path.join(ARTEFACTS, `${fileName(name)}.png`);
    await page.screenshot({ path: file, fullPage: true });
    e.screenshots.push(file);
    return file;
  }

  // The same page at a phone's size, in a third context under the CSP.
  async phone(name, url) {
    if (!this.phoneCtx) {
      this.phoneCtx = await this.browser.newContext({ baseURL: this.server.url, viewport: PHONE,
        isMobile: true, hasTouch: true });
      await this.phoneCtx.addCookies(await this.ctx.cookies());
      this.phonePage = await this.newPage(this.phoneCtx);
    }
    const e = entry(name);
    this.current = name;
    e.role = this.label;
    const res = await this.phonePage.goto(url);
    e.url = this.phonePage.url();
    e.status = res.status();
    await settle(this.phonePage);
    await this.collectCsp(this.phonePage, e);
    // Reflow (WCAG 1.4.10): nothing may need scrolling sideways at 375 px.
    e.overflow = await this.phonePage.evaluate(() => {
      const w = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('body *')].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > w + 1 && getComputedStyle(el).position !== 'fixed';
      }).map((el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') +
        (el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''));
      // How much each drawn chart was shrunk to fit (1: not at all).
      const scales = [...document.querySelectorAll('.duet-chart svg')].map((svg) =>
        svg.getBoundingClientRect().width / (Number(svg.getAttribute('width')) || 1));
      return { scrollWidth: document.documentElement.scrollWidth, clientWidth: w, wide: wide.slice(0, 8),
        chartScale: scales.length ? Math.min(...scales) : null };
    });
    await this.shoot(this.phonePage, name, e);
    this.current = `${this.label}: after ${name}`;
    return res;
  }
}

// Two animation frames and a pause: the layout has followed a resize and
// Vega has redrawn the charts whose width is their container's.
async function redrawn(page) {
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  await page.waitForTimeout(150);
}

// Sideways overflow (WCAG 1.4.10): whether the document scrolls sideways,
// and every visible element that reaches past either edge of the viewport,
// widest first. Elements inside a labelled scroll region (role="region",
// an aria-label, tabindex="0", overflow-x auto or scroll) may: the region
// scrolls, the page does not. Returns {scrollWidth, clientWidth, wide:
// [{what, left, right, width}]} (wide: at most 5).
export async function overflow(page) {
  return page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const scroller = (el) => el.getAttribute('role') === 'region' && el.getAttribute('aria-label') &&
      el.getAttribute('tabindex') === '0' && /^(auto|scroll)$/.test(getComputedStyle(el).overflowX);
    const inScroller = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) if (scroller(a)) return true;
      return false;
    };
    const name = (el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') +
      (typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '') +
      (el.tagName === 'TABLE' && el.caption ? ` ("${el.caption.textContent.trim().slice(0, 60)}")` : '');
    // The part of an element that can be seen: its box, cut by every
    // ancestor that hides what overflows it (a visually hidden heading's
    // cells are wide, inside a 1 px box). A scroll container that is not a
    // labelled region does not cut: a page must not hide wide content in
    // one that a keyboard cannot reach.
    const seen = (el) => {
      const r = el.getBoundingClientRect();
      let [left, right] = [r.left, r.right];
      for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
        if (!/^(hidden|clip)$/.test(getComputedStyle(a).overflowX)) continue;
        const b = a.getBoundingClientRect();
        [left, right] = [Math.max(left, b.left), Math.min(right, b.right)];
      }
      return { left, right, width: right - left, height: r.height };
    };
    const wide = [...document.querySelectorAll('body *')].map((el) => ({ el, r: seen(el) })).filter(({ el, r }) => {
      if (r.width <= 1 || r.height <= 1) return false;   // nothing to see (visually hidden text)
      if (r.right <= w + 1 && r.left >= -1) return false;
      const cs = getComputedStyle(el);
      return cs.position !== 'fixed' && cs.visibility !== 'hidden' && !inScroller(el);
    }).map(({ el, r }) =>
      ({ what: name(el), left: Math.round(r.left), right: Math.round(r.right), width: Math.round(r.width) }))
      .sort((a, b) => b.width - a.width);
    return { scrollWidth: document.documentElement.scrollWidth, clientWidth: w, wide: wide.slice(0, 5) };
  });
}

// One line for a page that does not fit: how wide it is and what sticks out.
export function describeOverflow(name, o) {
  const what = o.wide.map((x) => `${x.what} ${x.width} px wide (${x.left}..${x.right})`).join('; ');
  return `${name}: at ${o.clientWidth} px the page is ${o.scrollWidth} px wide; widest: ${what || '(none found)'}`;
}

export const overflows = (o) => o.scrollWidth > o.clientWidth || o.wide.length > 0;

// axe-core on the page as it stands: the violations of the WCAG A/AA rules.
export async function runAxe(page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary,
      })),
    }));
  }, AXE_TAGS);
}

// One line per violation and element, for a failure message.
export function describeAxe(name, violations) {
  return violations.flatMap((v) => v.nodes.map((n) =>
    `${name}: ${v.id} (${v.impact}) ${v.help}\n    target: ${n.target}\n    html: ${n.html}` +
    `\n    ${(n.summary || '').replace(/\n/g, '\n    ')}`));
}

// The data of every chart whose element id starts with prefix (the
// Vega-Lite specs' inline values), each value tagged with its chart's id;
// null when there is no such chart.
export async function chartValues(page, prefix) {
  return page.evaluate((pre) => {
    const els = [...document.querySelectorAll('[data-vl-spec]')].filter((el) => el.id.startsWith(pre));
    if (!els.length) return null;
    return els.flatMap((el) => {
      const block = document.getElementById(el.getAttribute('data-vl-spec'));
      return JSON.parse(block.textContent).data.values.map((v) => ({ ...v, chart: el.id }));
    });
  }, prefix);
}

// How many charts whose id starts with prefix there are, and how many have an <svg>.
export async function chartsDrawn(page, prefix) {
  return page.evaluate((pre) => {
    const els = [...document.querySelectorAll('[data-vl-spec]')].filter((el) => el.id.startsWith(pre));
    return { charts: els.length, svg: els.filter((el) => el.querySelector('svg')).length };
  }, prefix);
}

// The rows of a table (found by its caption) as arrays of cell texts,
// without the headings responsive tables repeat in each cell.
export async function tableRows(page, caption) {
  return page.evaluate((cap) => {
    const t = [...document.querySelectorAll('table')].find((x) => x.caption &&
      x.caption.textContent.trim() === cap);
    if (!t) return null;
    return [...t.tBodies].flatMap((b) => [...b.rows]).map((r) => [...r.cells].map((c) => {
      const copy = c.cloneNode(true);
      copy.querySelectorAll('[aria-hidden="true"]').forEach((x) => x.remove());
      return copy.textContent.trim();
    }));
  }, caption);
}
