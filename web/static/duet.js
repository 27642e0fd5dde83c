// duet.js: progressive enhancement for the pages of `duet serve`.
//
// Load it once per page, at the end of <head> or <body>:
//
//   <script type="module" src="/assets/duet.js"></script>
//
// (`<script defer src="/assets/duet.js">` works too: the file is written to run
// either as a module or as a classic script.) Nothing else needs including:
// it imports nhsuk.js itself, and loads the Vega bundles only on pages that
// have a chart (a page may still include them itself, before duet.js).
//
// Every page works without it: the server renders all content, forms post
// normally, and each chart has a text alternative (a table or a summary)
// rendered next to it. This file only
//   1. marks <body> as JavaScript-enabled and initialises NHS.UK frontend's
//      components (error summary focus, character count, header menu, ...),
//   2. draws Vega-Lite charts,
//   3. keeps a Q-sort form's count per grid column live (see enhanceQsorts),
//   4. lets a coder select a passage in the text to code it (enhanceCoding),
//   5. warns before the session times out (enhanceTimeout) and keeps what a
//      form sent after the session ended held, to put back (enhanceKeep).
//
// The page's Content-Security-Policy allows scripts and styles from 'self'
// only: no 'unsafe-eval', no 'unsafe-inline'. So charts are drawn with Vega's
// expression interpreter (vega-embed's `ast: true`) instead of compiling
// expressions with Function(), and with vega-embed's and vega-tooltip's
// <style> injection turned off (their rules are in duet.css instead).
//
// Chart markup, as the server writes it:
//
//   <div class="duet-chart" data-vl-spec="chart-7-spec"></div>
//   <script type="application/json" id="chart-7-spec">{ ...Vega-Lite... }</script>
//   <table class="nhsuk-table">...the same numbers...</table>
//
// The element with data-vl-spec names the id of a JSON data block holding
// one Vega-Lite spec with its data inline. The chart is drawn into a new
// element appended inside it; nothing the server rendered is removed.

(function duet() {
  'use strict';

  // Where this file was loaded from: the other assets sit beside it.
  // (document.currentScript is set for a classic script and null in a module.)
  const here = document.currentScript ? document.currentScript.src : new URL('/assets/duet.js', document.baseURI).href;
  const asset = (name) => new URL(name, here).href;

  // NHS.UK frontend's bundle is an ES module; import() works from classic
  // scripts and modules alike. Its page template sets the two <body> classes
  // with an inline script, which the CSP forbids, so they are set here; the
  // second only once the bundle has loaded, since CSS keyed on it hides
  // content (conditional questions) that only the bundle can reveal.
  function initNhsuk() {
    const body = document.body;
    body.classList.add('js-enabled');
    import(asset('nhsuk.js')).then(
      (nhsuk) => {
        body.classList.add('nhsuk-frontend-supported');
        nhsuk.initAll();
      },
      (err) => console.error('duet: could not load nhsuk.js', err),
    );
  }

  // The Vega bundles, in dependency order, served next to this file.
  const VEGA_SCRIPTS = ['vega.min.js', 'vega-lite.min.js', 'vega-embed.min.js'];

  // NHS.UK colours (blue, warm yellow, green, plum, purple, aqua green, grey),
  // in an order where neighbours differ in lightness as well as hue.
  const NHS_CATEGORY = ['#005eb8', '#ed8b00', '#007f3b', '#7c2855', '#330072', '#00a499', '#425563'];

  // Applied under each spec's own config (the spec wins where both set a value).
  const BASE_CONFIG = {
    font: 'Arial, Helvetica, sans-serif',
    background: null,
    view: { stroke: null },
    range: { category: NHS_CATEGORY },
    axis: {
      labelFontSize: 12,
      titleFontSize: 14,
      titleFontWeight: 'bold',
      labelColor: '#212b32',
      titleColor: '#212b32',
      gridColor: '#d8dde0',
      domainColor: '#4c6272',
      tickColor: '#4c6272',
      aria: false,
    },
    legend: { labelFontSize: 12, titleFontSize: 14, labelColor: '#212b32', titleColor: '#212b32', aria: false },
    title: { fontSize: 16, anchor: 'start', color: '#212b32' },
    // The table or summary next to the chart is the accessible version; keep
    // the SVG itself to one labelled graphic (from the spec's "description")
    // rather than one ARIA node per mark, axis tick and legend entry.
    mark: { aria: false },
  };

  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = url;
      s.async = false; // run in insertion order
      s.addEventListener('load', () => resolve());
      s.addEventListener('error', () => reject(new Error(`could not load ${url}`)));
      document.head.appendChild(s);
    });
  }

  let vegaLoading = null;

  function loadVega() {
    if (typeof window.vegaEmbed === 'function') {
      return Promise.resolve(window.vegaEmbed);
    }
    if (!vegaLoading) {
      vegaLoading = Promise.all(
        VEGA_SCRIPTS.map((name) => loadScript(asset(name))),
      ).then(() => {
        if (typeof window.vegaEmbed !== 'function') {
          throw new Error('vega-embed did not load');
        }
        return window.vegaEmbed;
      });
    }
    return vegaLoading;
  }

  function isPlainObject(x) {
    return x !== null && typeof x === 'object' && !Array.isArray(x);
  }

  // Deep merge of plain objects: `over` wins.
  function merge(under, over) {
    const out = { ...under };
    for (const [k, v] of Object.entries(over || {})) {
      out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k], v) : v;
    }
    return out;
  }

  function readSpec(el) {
    const id = el.getAttribute('data-vl-spec');
    const block = id ? document.getElementById(id) : null;
    if (!block || block.tagName !== 'SCRIPT' || block.type !== 'application/json') {
      throw new Error(`no <script type="application/json" id="${id}"> data block`);
    }
    const spec = JSON.parse(block.textContent);
    if (!isPlainObject(spec)) {
      throw new Error(`data block ${id} is not a JSON object`);
    }
    return spec;
  }

  function showFailure(el, canvas, err) {
    if (canvas) canvas.remove();
    el.classList.remove('duet-chart--loading');
    el.classList.add('duet-chart--failed');
    const p = document.createElement('p');
    p.className = 'duet-chart__error';
    p.textContent = el.getAttribute('data-vl-error') || 'This chart could not be shown.';
    el.appendChild(p);
    console.error('duet: chart', el.getAttribute('data-vl-spec'), err);
  }

  async function drawChart(vegaEmbed, el) {
    let canvas = null;
    try {
      const spec = readSpec(el);
      spec.config = merge(BASE_CONFIG, spec.config);
      canvas = document.createElement('div');
      canvas.className = 'duet-chart__canvas';
      el.appendChild(canvas);
      const result = await vegaEmbed(canvas, spec, {
        mode: 'vega-lite',
        renderer: 'svg',
        actions: false,
        // CSP: interpret expressions from their AST (vega-embed bundles
        // vega-interpreter and uses it when `ast` is set) instead of eval.
        ast: true,
        // CSP: no <style> elements from vega-embed or vega-tooltip.
        defaultStyle: false,
        tooltip: { disableDefaultStyle: true },
      });
      el.classList.remove('duet-chart--loading');
      el.classList.add('duet-chart--drawn');
      return result.view;
    } catch (err) {
      showFailure(el, canvas, err);
      return null;
    }
  }

  function drawCharts() {
    const charts = Array.from(document.querySelectorAll('[data-vl-spec]'));
    if (charts.length === 0) return;
    charts.forEach((el) => el.classList.add('duet-chart--loading'));
    loadVega().then(
      (vegaEmbed) => Promise.all(charts.map((el) => drawChart(vegaEmbed, el))),
      (err) => charts.forEach((el) => showFailure(el, null, err)),
    );
  }

  // Q-sort forms (the sorting page of src/web/norms.c). The server renders
  // everything: one fieldset per statement with a radio per grid column, the
  // grid's shape with a "Placed" count per column, an empty status region
  // and a total; the grid itself is enforced when the form is sent. This
  // only keeps the counts current as radios change and announces the column
  // just chosen ("+4: 1 of 2 placed") through the polite live region.
  //
  //   <td data-qsort-placed="4" data-qsort-capacity="2">0</td>   (one per column)
  //   <p data-qsort-status role="status" aria-live="polite"></p>
  //   <form data-qsort> ... <input type="radio" name="statement-s01" value="4"> ...
  //   <p data-qsort-total data-qsort-of="36">You have placed 0 of 36 statements.</p>
  //
  // A full column gets a green tag, an over-full one a red tag with
  // "(too many)" for screen readers, as the server draws them.
  const columnLabel = (v) => (v > 0 ? `+${v}` : v < 0 ? `\u2212${-v}` : '0');

  function placedCell(cell, n, capacity) {
    cell.textContent = '';
    if (n < capacity) {
      cell.textContent = String(n);
      return;
    }
    const tag = document.createElement('strong');
    tag.className = `nhsuk-tag ${n > capacity ? 'nhsuk-tag--red' : 'nhsuk-tag--green'}`;
    tag.textContent = String(n);
    if (n > capacity) {
      const hidden = document.createElement('span');
      hidden.className = 'nhsuk-u-visually-hidden';
      hidden.textContent = ' (too many)';
      tag.appendChild(hidden);
    }
    cell.appendChild(tag);
  }

  function enhanceQsort(form) {
    const cells = Array.from(document.querySelectorAll('[data-qsort-placed]'));
    const status = document.querySelector('[data-qsort-status]');
    const total = form.querySelector('[data-qsort-total]');
    const update = (changed) => {
      const held = new Map();
      let placed = 0;
      form.querySelectorAll('input[type="radio"]:checked').forEach((r) => {
        held.set(r.value, (held.get(r.value) || 0) + 1);
        placed += 1;
      });
      for (const cell of cells) {
        const n = held.get(cell.dataset.qsortPlaced) || 0;
        placedCell(cell, n, Number(cell.dataset.qsortCapacity));
      }
      if (total) {
        total.textContent = `You have placed ${placed} of ${total.dataset.qsortOf} statements.`;
      }
      const cell = cells.find((c) => c.dataset.qsortPlaced === changed);
      if (status && cell) {
        const n = held.get(changed) || 0;
        const capacity = Number(cell.dataset.qsortCapacity);
        status.textContent = `${columnLabel(Number(changed))}: ${n} of ${capacity} placed` +
          (n > capacity ? ` \u2013 too many; move ${n - capacity} to another column` : '');
      }
    };
    form.addEventListener('change', (ev) => {
      if (ev.target instanceof HTMLInputElement && ev.target.type === 'radio') update(ev.target.value);
    });
    update(null);
  }

  function enhanceQsorts() {
    document.querySelectorAll('form[data-qsort]').forEach(enhanceQsort);
  }

  // ---- coding a passage ----
  //
  // The coding page (src/web/coding.c) works without this: the coder types
  // the passage's words. Here, selecting words in the text (mouse, or the
  // keyboard where the browser allows selecting page text) fills the
  // passage field and the hidden start and end, counted in Unicode code
  // points from the start of the text as the server counts them. The
  // highlights inside the text are <mark> elements that add no text, so the
  // text content of the element is the document's text.
  //
  //   <div data-coding-text>...</div>
  //   <form data-coding-form> <textarea name="passage"> <input data-coding-start>
  //     <input data-coding-end> <p data-coding-status role="status"> ...
  const codePoints = (s) => Array.from(s).length;

  function enhanceCoding(text, form) {
    const passage = form.querySelector('textarea[name="passage"]');
    const start = form.querySelector('[data-coding-start]');
    const end = form.querySelector('[data-coding-end]');
    const status = form.querySelector('[data-coding-status]');
    if (!passage || !start || !end) return;
    let filling = false;
    document.addEventListener('selectionchange', () => {
      const sel = document.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
      const range = sel.getRangeAt(0);
      if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return;
      const before = document.createRange();
      before.selectNodeContents(text);
      before.setEnd(range.startContainer, range.startOffset);
      const words = range.toString();
      const from = codePoints(before.toString());
      start.value = String(from);
      end.value = String(from + codePoints(words));
      filling = true;
      passage.value = words;
      filling = false;
      if (status) status.textContent = `Selected characters ${start.value} to ${end.value}.`;
    });
    // Words typed by hand are found by the server; stale positions would
    // only be ignored, but clear them so the form says what the coder did.
    passage.addEventListener('input', () => {
      if (filling) return;
      start.value = '';
      end.value = '';
      if (status) status.textContent = '';
    });
  }

  function enhanceCodings() {
    const text = document.querySelector('[data-coding-text]');
    const form = document.querySelector('form[data-coding-form]');
    if (text && form) enhanceCoding(text, form);
  }


  // ---- sessions that end kindly ----
  //
  // A signed-in page's sign-out form says how long the session lasts
  // without a request (page.c):
  //
  //   <form action="/sign-out" method="post" data-session-idle="1800"> <input name="csrf"> ...
  //
  // Two minutes before that, a dialog warns (the GOV.UK / NHS timeout
  // warning): "Stay signed in" posts to /session/keep (every request
  // touches the session) and starts the count again; "Sign out" and the
  // end of the count sign out and go to /sign-in?timeout=1&next=<this page>.
  const WARN_BEFORE = 120;   // seconds

  function csrfToken(form) {
    const f = form.querySelector('input[name="csrf"]');
    return f ? f.value : '';
  }

  function postForm(url, token) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: token }).toString(),
      redirect: 'manual',
    });
  }

  function countdownText(s) {
    if (s >= 60) {
      const m = Math.ceil(s / 60);
      return `${m} minute${m === 1 ? '' : 's'}`;
    }
    return `${s} second${s === 1 ? '' : 's'}`;
  }

  function buildDialog() {
    const d = document.createElement('dialog');
    d.className = 'duet-timeout';
    d.id = 'session-timeout';
    d.setAttribute('aria-labelledby', 'session-timeout-title');
    d.setAttribute('aria-describedby', 'session-timeout-text');
    d.innerHTML =
      '<h2 class="nhsuk-heading-m" id="session-timeout-title">You\u2019ll be signed out soon</h2>' +
      '<p id="session-timeout-text">We will sign you out in <span data-timeout-count>2 minutes</span> ' +
      'to protect your information.</p>' +
      '<p class="nhsuk-u-visually-hidden" aria-live="polite" data-timeout-live></p>' +
      '<div class="nhsuk-button-group">' +
      '<button type="button" class="nhsuk-button" data-timeout-stay>Stay signed in</button>' +
      '<button type="button" class="nhsuk-button nhsuk-button--secondary" data-timeout-out>Sign out</button>' +
      '</div>';
    document.body.appendChild(d);
    return d;
  }

  function enhanceTimeout() {
    const form = document.querySelector('form[data-session-idle]');
    const idle = form ? Number(form.dataset.sessionIdle) : 0;
    if (!form || !(idle > WARN_BEFORE)) return;
    const token = csrfToken(form);
    let deadline = 0;
    let warnTimer = null;
    let tick = null;
    let dialog = null;
    let returnTo = null;
    let lastSaid = '';

    const here = () => location.pathname + location.search;
    const signedOut = () => {
      clearInterval(tick);
      const go = () => location.assign(`/sign-in?timeout=1&next=${encodeURIComponent(here())}`);
      postForm('/sign-out', token).then(go, go);
    };
    const close = () => {
      clearInterval(tick);
      if (dialog && dialog.open) dialog.close();
      if (returnTo && document.contains(returnTo)) returnTo.focus();
      returnTo = null;
    };
    const update = () => {
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      dialog.querySelector('[data-timeout-count]').textContent = countdownText(left);
      // Announced at coarse steps only: each minute, then 30, 20, 10 seconds.
      const say = left >= 60 ? countdownText(left) : left <= 30 && left % 10 === 0 ? countdownText(left) : lastSaid;
      if (say !== lastSaid && left > 0) {
        lastSaid = say;
        dialog.querySelector('[data-timeout-live]').textContent = `We will sign you out in ${say}.`;
      }
      if (left <= 0) signedOut();
    };
    const warn = () => {
      if (!dialog) {
        dialog = buildDialog();
        dialog.querySelector('[data-timeout-stay]').addEventListener('click', stay);
        dialog.querySelector('[data-timeout-out]').addEventListener('click', signedOut);
        dialog.addEventListener('cancel', (ev) => { ev.preventDefault(); stay(); });   // Esc
      }
      returnTo = document.activeElement;
      lastSaid = '';
      dialog.showModal();
      dialog.querySelector('[data-timeout-stay]').focus();
      update();
      tick = setInterval(update, 1000);
    };
    const restart = () => {
      clearTimeout(warnTimer);
      deadline = Date.now() + idle * 1000;
      warnTimer = setTimeout(warn, (idle - WARN_BEFORE) * 1000);
    };
    function stay() {
      close();
      restart();
      // A session that had already ended (another tab signed out) answers
      // with a redirect to sign in: go there rather than count on.
      postForm('/session/keep', token).then((r) => {
        if (r.status !== 204) signedOut();
      }, () => {});
    }
    restart();
  }

  // ---- keeping what was typed when the session ended ----
  //
  // On sending a POST form (not signing in or out, withdrawing consent or
  // disabling an account), its fields are kept in sessionStorage under its
  // action; never passwords, hidden fields or the CSRF token. If the session
  // had ended, the server sends the browser to
  // /sign-in?expired=1&next=<the form's page> (server.c); signed in again,
  // the form is filled from the copy and a message says so. A page loaded
  // any other way drops the copies of its forms (they were sent).
  const KEEP = 'duet-kept:';
  const NOT_KEPT = ['/sign-in', '/sign-out', '/session/keep'];

  function keptForms() {
    return Array.from(document.querySelectorAll('form[method="post" i]')).filter((f) => {
      const action = new URL(f.action, location.href).pathname;
      return !NOT_KEPT.includes(action) && !/\/(withdraw|disable|enable)$/.test(action) &&
        !f.hasAttribute('data-no-keep');
    });
  }

  const keyOf = (form) => KEEP + new URL(form.action, location.href).pathname;

  function saveForm(form) {
    const fields = [];
    for (const el of form.elements) {
      if (!el.name || el.name === 'csrf' || el.disabled) continue;
      const type = (el.type || '').toLowerCase();
      if (['password', 'hidden', 'file', 'submit', 'button', 'reset'].includes(type)) continue;
      if (type === 'checkbox' || type === 'radio') fields.push([el.name, el.value, el.checked]);
      else fields.push([el.name, el.value, null]);
    }
    try {
      sessionStorage.setItem(keyOf(form), JSON.stringify({ at: Date.now(), fields }));
    } catch (err) {
      console.warn('duet: could not keep the form', err);
    }
  }

  function restoreForm(form, saved) {
    const byName = new Map();
    for (const el of form.elements) if (el.name) byName.set(el.name, [...(byName.get(el.name) || []), el]);
    for (const [name, value, checked] of saved.fields) {
      for (const el of byName.get(name) || []) {
        const type = (el.type || '').toLowerCase();
        if (type === 'checkbox' || type === 'radio') {
          if (el.value === value) el.checked = checked;
        } else if (type !== 'password' && type !== 'hidden') {
          el.value = value;
          el.dispatchEvent(new Event('input', { bubbles: true }));
        }
      }
    }
    const note = document.createElement('div');
    note.className = 'nhsuk-inset-text duet-restored';
    note.tabIndex = -1;
    note.innerHTML = '<span class="nhsuk-u-visually-hidden">Information: </span><p></p>';
    note.querySelector('p').textContent = 'We have put back what you typed. Check it and send it again.';
    form.parentNode.insertBefore(note, form);
    note.focus();
  }

  function enhanceKeep() {
    const forms = keptForms();
    // The page after the sign-in that followed an expired send: fill in.
    // Any other page: what was sent from here, or arrived, is done with.
    const restoring = document.querySelector('form[data-session-idle]') !== null &&
      sessionStorage.getItem(`${KEEP}expired`) === '1';
    sessionStorage.removeItem(`${KEEP}expired`);
    for (const form of forms) {
      const key = keyOf(form);
      const raw = sessionStorage.getItem(key);
      if (raw && restoring) {
        try { restoreForm(form, JSON.parse(raw)); } catch (err) { console.warn('duet: kept form', err); }
      }
      if (raw) sessionStorage.removeItem(key);
      form.addEventListener('submit', () => saveForm(form));
    }
    // Arrived at sign-in because a send had expired: remember to restore.
    if (location.pathname === '/sign-in' && new URLSearchParams(location.search).get('expired') === '1') {
      sessionStorage.setItem(`${KEEP}expired`, '1');
    }
  }

  function start() {
    initNhsuk();
    enhanceTimeout();
    enhanceKeep();
    drawCharts();
    enhanceQsorts();
    enhanceCodings();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
