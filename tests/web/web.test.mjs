// Browser tests of the web app (web/), in Debian's Chromium driven by
// playwright-core: starts verbatimd on a free port with the shipped corpus
// and a temporary database, goes through every page as a person would
// (mouse and keyboard), checks what is shown against the API's own JSON
// fetched here, fails on any console error, page error, unexpected HTTP
// error or request leaving the server, scans each page with axe-core
// (no serious or critical violation), and saves screenshots at desktop size
// and at 375 px.
//
// Run by `make web-test`; alone: node --test tests/web/web.test.mjs
// Environment: VERBATIM_BIN (build/verbatimd), WEB_NODE_DIR (build/web-node,
// where playwright-core and @axe-core/playwright are installed),
// WEB_SCREENSHOTS (build/web-screenshots), CHROMIUM (/usr/bin/chromium).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, mkdirSync, readdirSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NODE_DIR = resolve(process.env.WEB_NODE_DIR || join(ROOT, 'build/web-node'));
const BIN = resolve(process.env.VERBATIM_BIN || join(ROOT, 'build/verbatimd'));
const SHOTS = resolve(process.env.WEB_SCREENSHOTS || join(ROOT, 'build/web-screenshots'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const WEB = join(ROOT, 'web');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DESKTOP = { width: 1280, height: 900 };
const MOBILE = { width: 375, height: 740 };

const requireFromNode = createRequire(join(NODE_DIR, 'package.json'));
const { chromium } = requireFromNode('playwright-core');
const { AxeBuilder } = requireFromNode('@axe-core/playwright');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let tmp;
let server;
let base;
let context;
let page;
const problems = [];
const allowedFailures = new Set(); // URLs whose 4xx answer a test provokes on purpose
const apiRequests = [];

// ---- the server ---------------------------------------------------------------

function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

async function startServer() {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VERBATIM_')));
  env.VERBATIM_WEB_ROOT = WEB;
  let lastLog = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const proc = spawn(BIN, ['serve', '--articles', join(ROOT, 'db/articles'), '--db', join(tmp, `verbatim-${attempt}.db`),
      '--listen', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let exited = false;
    proc.stdout.on('data', (d) => { log += d; });
    proc.stderr.on('data', (d) => { log += d; });
    proc.on('exit', () => { exited = true; });
    proc.on('error', (err) => { exited = true; log += String(err); });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline && !exited) {
      try {
        const r = await fetch(`${url}/readyz`);
        if (r.status === 200) return { proc, base: url, log: () => log };
      } catch { /* not listening yet */ }
      await sleep(50);
    }
    if (!exited) proc.kill('SIGKILL');
    lastLog = log;
  }
  throw new Error(`verbatimd did not become ready:\n${lastLog}`);
}

// ---- the API, read here to compare with the page ---------------------------------

async function api(path) {
  const r = await fetch(`${base}/v1/${path}`);
  return { status: r.status, body: await r.json(), headers: r.headers };
}

/** Every item of a list, following links.next; also the cursors met on the way. */
async function apiAll(path) {
  let url = `${base}/v1/${path}`;
  const items = [];
  const cursors = [];
  let total = null;
  for (let pages = 0; url; pages++) {
    assert.ok(pages < 100, `too many pages for ${path}`);
    const r = await fetch(url);
    assert.equal(r.status, 200, `GET ${url}`);
    const body = await r.json();
    items.push(...body.data);
    total = body.meta.total;
    if (body.meta.next) cursors.push(body.meta.next);
    url = body.links.next;
  }
  assert.equal(items.length, total, `${path}: following next visits meta.total items`);
  return { items, total, cursors };
}

// ---- the page ---------------------------------------------------------------------

function watch(p, label) {
  p.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'assert') return;
    const where = msg.location() && msg.location().url;
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text()) && allowedFailures.has(where)) return;
    problems.push(`${label}: console.${msg.type()}: ${msg.text()} (${where || 'no location'})`);
  });
  p.on('pageerror', (err) => problems.push(`${label}: page error: ${err.message}`));
  p.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(`${base}/`)) problems.push(`${label}: request outside the server: ${url}`);
    else if (url.startsWith(`${base}/v1/`)) apiRequests.push(url);
  });
  p.on('response', (res) => {
    if (res.status() >= 400 && !allowedFailures.has(res.url())) problems.push(`${label}: HTTP ${res.status()} for ${res.url()}`);
  });
  p.on('requestfailed', (req) => {
    const failure = req.failure();
    // A request the app cancelled on purpose (a newer one replaced it) is not a failure.
    if (failure && /ERR_ABORTED/.test(failure.errorText)) return;
    problems.push(`${label}: request failed: ${req.url()} ${failure && failure.errorText}`);
  });
}

function assertClean() {
  const found = problems.splice(0);
  assert.deepEqual(found, [], 'no console error, page error, unexpected HTTP error or outside request');
}

/** Waits until the app has finished rendering the current hash. */
async function settled(p = page) {
  await p.waitForFunction(() => {
    const main = document.querySelector('main');
    return main && main.dataset.rendered === location.hash && main.getAttribute('aria-busy') === 'false';
  }, null, { timeout: 10000 });
}

async function visit(hash, p = page) {
  await p.goto(`${base}/${hash}`);
  await settled(p);
}

async function hash(p = page) {
  return p.evaluate(() => location.hash);
}

async function texts(selector, p = page) {
  return p.$$eval(selector, (els) => els.map((e) => e.textContent.trim().replace(/\s+/g, ' ')));
}

/** axe-core on the page as it is: no serious or critical violation. */
async function axe(name, p = page) {
  const results = await new AxeBuilder({ page: p }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = results.violations.filter((v) => !bad.includes(v));
  if (minor.length) console.log(`# axe ${name}: minor: ${minor.map((v) => `${v.id} (${v.impact})`).join(', ')}`);
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`), [],
    `axe on ${name}`);
}

async function shot(name, p = page) {
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Nothing on the page reads like a leaked JavaScript value. */
async function noLeakedValues(p = page) {
  const text = await p.evaluate(() => document.body.innerText);
  assert.doesNotMatch(text, /\b(undefined|null|NaN)\b|\[object /, 'no undefined/null/NaN/[object] in the page');
}

const norm = (s) => s.replace(/\s+/g, ' ').trim();

/** assert.equal for long texts: on a difference, says where, with a little context. */
function sameText(actual, expected, what) {
  if (actual === expected) return;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const around = (s) => JSON.stringify(s.slice(Math.max(0, i - 40), i + 40));
  assert.fail(`${what}: differs at character ${i} (lengths ${actual.length} and ${expected.length}):\n  shown:    ${around(actual)}\n  expected: ${around(expected)}`);
}
/** The sort key of a date of any precision: the first day of its period; undated sorts first (so last, newest first). */
const dateKey = (d) => (!d ? '' : d.length === 4 ? `${d}-01-01` : d.length === 7 ? `${d}-01` : d);

// ---- setup ------------------------------------------------------------------------

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'verbatim-web-'));
  mkdirSync(SHOTS, { recursive: true });
  for (const f of readdirSync(SHOTS)) if (f.endsWith('.png')) rmSync(join(SHOTS, f));
  server = await startServer();
  base = server.base;
  process.on('exit', () => server && server.proc.kill('SIGKILL'));
  context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: DESKTOP, locale: 'en-GB',
  });
  context.setDefaultTimeout(10000);
  page = context.pages()[0] || await context.newPage();
  watch(page, 'desktop');
});

after(async () => {
  if (context) await context.close().catch(() => {});
  if (server) {
    server.proc.kill('SIGTERM');
    await Promise.race([new Promise((r) => server.proc.once('exit', r)), sleep(3000)]);
    server.proc.kill('SIGKILL');
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---- the files --------------------------------------------------------------------

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml' };

test('verbatimd serves every file of web/ with its content type; the app uses relative URLs only', async () => {
  const names = readdirSync(WEB).filter((f) => statSync(join(WEB, f)).isFile());
  assert.ok(names.includes('index.html'));
  for (const name of ['', ...names]) {
    const r = await fetch(`${base}/${name}`);
    const type = TYPES[extname(name || 'index.html')];
    assert.equal(r.status, 200, `GET /${name}`);
    if (type) assert.equal(r.headers.get('content-type'), type, `Content-Type of /${name}`);
    const body = await r.text();
    assert.equal(body, readFileSync(join(WEB, name || 'index.html'), 'utf8'), `/${name} is the file`);
  }
  for (const name of names.filter((f) => f.endsWith('.js') || f.endsWith('.html'))) {
    const source = readFileSync(join(WEB, name), 'utf8');
    const absolute = source.match(/(["'`])(https?:)?\/\/(?!www\.w3\.org\/2000\/svg)[^"'`]*\1/g) || [];
    assert.deepEqual(absolute, [], `${name}: no absolute URL`);
    assert.doesNotMatch(source, /["'`]\/v1/, `${name}: API paths are relative (v1/..., not /v1/...)`);
  }
});

// ---- articles -----------------------------------------------------------------------

test('articles page: the timeline and the list are the API\'s', async () => {
  await page.goto(`${base}/`);
  await settled();
  assert.equal(await hash(), '#/articles');
  assert.equal(await page.evaluate(() => document.characterSet), 'UTF-8');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.title(), 'Articles — verbatim');

  const dates = (await api('dates?granularity=month')).body;
  const bars = await page.$$eval('.timeline .bar', (els) => els.map((e) => ({
    period: e.dataset.period, count: Number(e.dataset.count), role: e.getAttribute('role'), tabindex: e.getAttribute('tabindex'),
    label: e.getAttribute('aria-label'), height: Number(e.querySelector('.fill').getAttribute('height')),
  })));
  assert.deepEqual(bars.map((b) => [b.period, b.count]), dates.data.map((d) => [d.period, d.count]), 'one bar per period with articles');
  for (const b of bars) {
    assert.equal(b.role, 'button');
    assert.equal(b.tabindex, '0');
    assert.match(b.label, new RegExp(`: ${b.count} articles?$`));
  }
  const tallest = bars.reduce((a, b) => (b.count > a.count ? b : a));
  assert.ok(bars.every((b) => b.height <= tallest.height && (b.count < tallest.count) === (b.height < tallest.height)),
    'bar heights follow the counts');
  if (dates.meta.undated) assert.match(await page.textContent('.timeline figcaption'), new RegExp(`${dates.meta.undated} undated`));

  const all = await apiAll('articles');
  assert.equal(norm(await page.textContent('.list-status')), `${all.total} articles.`);
  const cards = await page.$$eval('ol.articles > li', (els) => els.map((li) => ({
    id: li.dataset.id, href: li.querySelector('h3 a').getAttribute('href'), title: li.querySelector('h3 a').textContent,
    date: li.querySelector('time') && li.querySelector('time').getAttribute('datetime'),
    excerptLang: li.querySelector('.excerpt') && li.querySelector('.excerpt').lang,
  })));
  assert.deepEqual(cards.map((c) => c.id), all.items.map((a) => a.id), 'the articles, in the API\'s order');
  all.items.forEach((a, i) => {
    const c = cards[i];
    assert.equal(c.href, `#/article/${encodeURIComponent(a.id)}`);
    if (a.title) assert.equal(c.title, a.title, 'the title, accents and all');
    else assert.match(c.title, /^Untitled: /);
    assert.equal(c.date, a.date);
    assert.equal(c.excerptLang, a.lang);
  });
  assert.equal(await page.$('button.more:visible'), null, 'no "load more" when everything is shown');
  await noLeakedValues();
  await shot('desktop-articles');
  await axe('articles');
  assertClean();
});

test('a timeline bar filters the list: mouse click, Enter, Space, and again to clear', async () => {
  await visit('#/articles');
  const periods = await page.$$eval('.timeline .bar', (els) => els.map((e) => e.dataset.period));
  const last = periods[periods.length - 1];

  const expectPeriod = async (period) => {
    await settled();
    assert.equal(await hash(), `#/articles?from=${period}&to=${period}`);
    const expected = await apiAll(`articles?from=${period}&to=${period}`);
    const byDate = await apiAll(`articles?date=${period}`);
    assert.deepEqual(expected.items.map((a) => a.id), byDate.items.map((a) => a.id));
    assert.deepEqual(await page.$$eval('ol.articles > li', (els) => els.map((li) => li.dataset.id)), expected.items.map((a) => a.id));
    const count = Number(await page.getAttribute(`.bar[data-period="${period}"]`, 'data-count'));
    assert.equal(expected.total, count, 'the bar\'s count is the list\'s total');
    assert.deepEqual(await page.$$eval('.bar[aria-pressed="true"]', (els) => els.map((e) => e.dataset.period)), [period]);
    assert.equal(await page.inputValue('#filter-from'), period);
    assert.equal(await page.inputValue('#filter-to'), period);
  };

  await page.click(`.bar[data-period="${last}"]`);
  await expectPeriod(last);

  // Keyboard: Shift+Tab to the previous bar shows a focus ring; Enter picks it.
  await page.focus(`.bar[data-period="${last}"]`);
  const prev = periods[periods.length - 2];
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.period), prev);
  const ring = await page.$eval(`.bar[data-period="${prev}"] .hit`, (e) => [getComputedStyle(e).stroke, getComputedStyle(e).strokeWidth]);
  assert.ok(ring[0] !== 'none' && ring[1] !== '0px', `a focused bar shows a focus ring: ${ring}`);
  await page.keyboard.press('Enter');
  await expectPeriod(prev);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.period), prev, 'focus stays on the bar');

  const first = periods[0];
  await page.focus(`.bar[data-period="${first}"]`);
  await page.keyboard.press(' ');
  await expectPeriod(first);
  const scrolled = await page.evaluate(() => window.scrollY);

  // Space on the picked bar unpicks it: every article again.
  await page.keyboard.press(' ');
  await settled();
  assert.equal(await hash(), '#/articles');
  assert.equal(await page.$$eval('ol.articles > li', (els) => els.length), (await api('articles')).body.meta.total);
  assert.equal(await page.$$eval('.bar[aria-pressed="true"]', (els) => els.length), 0);
  assert.equal(await page.evaluate(() => window.scrollY), scrolled, 'Space does not scroll the page');
  assert.ok(apiRequests.some((u) => u === `${base}/v1/articles?from=${last}&to=${last}`), 'the app asked the API for the period');
  assertClean();
});

test('date and text filters give the API\'s answers; a bad date shows the problem, not an exception', async () => {
  await visit('#/articles');
  const ids = async () => page.$$eval('ol.articles > li', (els) => els.map((li) => li.dataset.id));

  await page.fill('#filter-from', '2018');
  await page.fill('#filter-to', '2018');
  await page.press('#filter-to', 'Enter');
  await settled();
  assert.equal(await hash(), '#/articles?from=2018&to=2018');
  let expected = await apiAll('articles?from=2018&to=2018');
  assert.deepEqual(await ids(), expected.items.map((a) => a.id));
  assert.match(norm(await page.textContent('.list-status')), new RegExp(`^${expected.total} articles? in 2018\\.$`));

  await page.click('button:has-text("Clear")');
  await settled();
  assert.equal(await hash(), '#/articles');

  // Accents folded by the API: "polemique" finds "polémique".
  for (const q of ['microsoft', 'polemique', 'reconnaissance faciale']) {
    await page.fill('#filter-q', q);
    await page.click('form.filters button[type="submit"]');
    await settled();
    expected = await apiAll(`articles?q=${encodeURIComponent(q)}`);
    assert.ok(expected.total > 0, `the corpus has "${q}"`);
    assert.deepEqual(await ids(), expected.items.map((a) => a.id), `q=${q}`);
    assert.match(norm(await page.textContent('.list-status')), new RegExp(`matching “${q}”`));
  }

  await page.fill('#filter-q', '');
  await page.fill('#filter-from', '2020-06-10');
  await page.fill('#filter-to', '');
  await page.press('#filter-from', 'Enter');
  await settled();
  expected = await apiAll('articles?from=2020-06-10');
  assert.deepEqual(await ids(), expected.items.map((a) => a.id));

  // A malformed date: the API's problem detail, shown as an alert.
  allowedFailures.add(`${base}/v1/articles?from=2020-13`);
  const problem = await api('articles?from=2020-13');
  assert.equal(problem.status, 400);
  assert.equal(problem.headers.get('content-type'), 'application/problem+json');
  await page.fill('#filter-from', '2020-13');
  await page.press('#filter-from', 'Enter');
  await settled();
  const alert = norm(await page.textContent('.problem[role="alert"]'));
  assert.ok(alert.includes(problem.body.title) && alert.includes(problem.body.detail), `the problem is shown: ${alert}`);
  assert.equal(await page.$$eval('ol.articles > li', (els) => els.length), 0);
  assert.equal(await page.inputValue('#filter-from'), '2020-13', 'the input keeps what was typed');
  await shot('desktop-articles-error');
  assertClean();
});

test('cursor paging: "Load more" follows meta.next to the end', async () => {
  await visit('#/articles?limit=2');
  const expected = await apiAll('articles?limit=2');
  const count = () => page.$$eval('ol.articles > li', (els) => els.length);
  assert.equal(await count(), 2);
  assert.equal(norm(await page.textContent('.list-status')), `${expected.total} articles; showing 2.`);
  apiRequests.length = 0;
  let shown = 2;
  while (await page.isVisible('button.more')) {
    await page.click('button.more');
    const want = Math.min(shown + 2, expected.total);
    await page.waitForFunction((n) => document.querySelectorAll('ol.articles > li').length === n, want);
    // Focus goes to the first article of the new page.
    const focused = await page.evaluate(() => document.activeElement.closest('li') && document.activeElement.closest('li').dataset.id);
    assert.equal(focused, expected.items[shown].id, 'focus on the first new article');
    shown = want;
    assert.ok(shown <= expected.total);
  }
  assert.equal(shown, expected.total);
  assert.deepEqual(await page.$$eval('ol.articles > li', (els) => els.map((li) => li.dataset.id)), expected.items.map((a) => a.id),
    'each article once, in order');
  const cursors = apiRequests.map((u) => new URL(u).searchParams.get('cursor'));
  assert.deepEqual(cursors, expected.cursors, 'the app sent the cursors of meta.next');
  assert.equal(norm(await page.textContent('.list-status')), `${expected.total} articles.`);
  assertClean();
});

// ---- an article ---------------------------------------------------------------------

/** Checks the article page shown against GET /v1/articles/{id}. */
async function checkArticle(id) {
  const a = (await api(`articles/${encodeURIComponent(id)}`)).body.data;
  const h1 = norm(await page.textContent('h1'));
  if (a.title) assert.equal(h1, a.title);
  else assert.match(h1, /^Untitled article/);
  assert.equal(await page.getAttribute('.body', 'lang'), a.lang);

  // Highlights: the marks of each quote, joined, are the quote's text, which is
  // the body's code points [start, end).
  const marks = await page.$$eval('.body mark.quote', (els) => els.map((m) => ({ id: m.dataset.quote, text: m.textContent })));
  const byQuote = new Map();
  for (const m of marks) byQuote.set(m.id, (byQuote.get(m.id) || []).concat(m.text));
  const quotes = [...a.quotes].sort((x, y) => x.offsets.start - y.offsets.start);
  assert.deepEqual([...byQuote.keys()], quotes.map((q) => q.id), 'one highlight per quote, in text order');
  const points = Array.from(a.body);
  for (const q of quotes) {
    const shown = byQuote.get(q.id).join('');
    const expected = points.slice(q.offsets.start, q.offsets.end).join('');
    assert.equal(expected, q.text, `the API: quote ${q.id}'s offsets are its text`);
    // A quote running over paragraphs shows as one mark per paragraph.
    assert.equal(norm(shown), norm(q.text), `highlight of ${q.id}`);
    if (!/\n/.test(q.text)) assert.equal(shown, q.text, `highlight of ${q.id}, exactly`);
  }

  // Each quote is followed by its speaker, a link to the speaker's page.
  const who = await page.$$eval('.body .who', (els) => els.map((e) => {
    const link = e.querySelector('a.who-name');
    return link ? { name: link.textContent, href: link.getAttribute('href') } : { name: e.querySelector('.who-name').textContent, href: null };
  }));
  assert.deepEqual(who, quotes.map((q) => (q.speaker
    ? { name: q.speaker.name, href: `#/speaker/${encodeURIComponent(q.speaker.id)}` }
    : { name: 'unattributed', href: null })));

  // The whole body is there, nothing more (the speaker chips aside).
  const rendered = await page.$eval('.body', (body) => {
    const copy = body.cloneNode(true);
    for (const e of copy.querySelectorAll('.who')) e.remove();
    return [...copy.querySelectorAll('p')].map((p) => p.textContent).join('\n\n');
  });
  sameText(norm(rendered), norm(a.body), `article ${id}: the body is shown whole`);
  assert.equal(norm(await page.textContent('.article-view .meta')).includes(`${a.quotes.length} quote`), true);
  return a;
}

test('article page: each quote highlighted by its code point offsets, each speaker a link', async () => {
  await visit('#/articles');
  const all = await apiAll('articles');
  const most = all.items.reduce((x, y) => (y.quote_count > x.quote_count ? y : x));
  // Keyboard: focus the article's link and press Enter.
  await page.focus(`ol.articles a[href="#/article/${encodeURIComponent(most.id)}"]`);
  await page.keyboard.press('Enter');
  await settled();
  assert.equal(await hash(), `#/article/${encodeURIComponent(most.id)}`);
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1', 'focus moves to the new page\'s heading');
  await checkArticle(most.id);
  await noLeakedValues();
  await shot('desktop-article');
  await axe('article');

  // Every other article, by a mouse click on its link.
  for (const a of all.items.filter((x) => x.id !== most.id)) {
    await visit('#/articles');
    await page.click(`ol.articles a[href="#/article/${encodeURIComponent(a.id)}"]`);
    await settled();
    await checkArticle(a.id);
  }
  assertClean();
});

test('quote offsets are code points, not UTF-16 units (astral characters)', async () => {
  await visit('#/articles');
  const result = await page.evaluate(async () => {
    const { quoteRuns } = await import('./text.js');
    const { renderBody } = await import('./article.js');
    const body = 'Elle a dit 😀 « c’est 𝒻ini » puis 🎉.\n\nSuite « 👍 ok ».';
    const points = Array.from(body);
    const find = (text) => {
      const i = points.join('').indexOf(text);
      return { start: Array.from(body.slice(0, i)).length, end: Array.from(body.slice(0, i)).length + Array.from(text).length };
    };
    const quotes = [
      { id: 'a', text: 'c’est 𝒻ini', offsets: find('c’est 𝒻ini'), speaker: { id: 'x', name: 'X' } },
      { id: 'b', text: '👍 ok', offsets: find('👍 ok'), speaker: null },
    ];
    const { runs, skipped } = quoteRuns(body, quotes);
    const el = renderBody(body, quotes, 'fr').el;
    return {
      offsets: quotes.map((q) => q.offsets),
      naive: quotes.map((q) => body.slice(q.offsets.start, q.offsets.end)),
      runs: runs.filter((r) => r.quote).map((r) => r.text),
      marks: [...el.querySelectorAll('mark')].map((m) => m.textContent),
      whole: runs.map((r) => r.text).join(''),
      body,
      skipped: skipped.length,
    };
  });
  const points = Array.from(result.body);
  const at = (text) => {
    const start = Array.from(result.body.slice(0, result.body.indexOf(text))).length;
    return { start, end: start + Array.from(text).length };
  };
  assert.deepEqual(result.offsets, [at('c’est 𝒻ini'), at('👍 ok')]);
  assert.deepEqual(result.offsets.map((o) => points.slice(o.start, o.end).join('')), ['c’est 𝒻ini', '👍 ok']);
  assert.notDeepEqual(result.naive, ['c’est 𝒻ini', '👍 ok'], 'UTF-16 slicing would be wrong here');
  assert.deepEqual(result.runs, ['c’est 𝒻ini', '👍 ok']);
  assert.deepEqual(result.marks, ['c’est 𝒻ini', '👍 ok']);
  assert.equal(result.whole, result.body);
  assert.equal(result.skipped, 0);
  assertClean();
});

// ---- speakers -------------------------------------------------------------------------

test('a speaker link leads to the speaker\'s page: all their quotes, newest article first', async () => {
  const article = (await apiAll('articles')).items.find((a) => a.quote_count > 0);
  await visit(`#/article/${encodeURIComponent(article.id)}`);
  const link = await page.$('.body a.who-name');
  const href = await link.getAttribute('href');
  const id = decodeURIComponent(href.replace('#/speaker/', ''));
  await link.click();
  await settled();
  assert.equal(await hash(), href);
  const s = (await api(`speakers/${encodeURIComponent(id)}`)).body.data;
  assert.equal(norm(await page.textContent('h1')), s.name);
  assert.ok(norm(await page.textContent('.speaker-view .about .meta')).includes(`${s.quote_count} quote`));
  const quotes = await apiAll(`speakers/${encodeURIComponent(id)}/quotes`);
  assert.equal(quotes.total, s.quote_count);
  const shown = await page.$$eval('ol.quotes > li', (els) => els.map((li) => ({
    id: li.dataset.id, text: li.querySelector('blockquote').textContent, lang: li.querySelector('blockquote').lang,
    href: li.querySelector('.meta a').getAttribute('href'),
    date: li.querySelector('time') && li.querySelector('time').getAttribute('datetime'),
  })));
  assert.deepEqual(shown.map((q) => q.id), quotes.items.map((q) => q.id));
  quotes.items.forEach((q, i) => {
    assert.equal(shown[i].text, q.text);
    assert.equal(shown[i].date, q.article.date);
    assert.equal(shown[i].href, `#/article/${encodeURIComponent(q.article.id)}?quote=${encodeURIComponent(q.id)}`);
    assert.equal(shown[i].lang, s.articles.find((a) => a.id === q.article.id).lang);
  });
  const keys = shown.map((q) => dateKey(q.date));
  assert.deepEqual(keys, [...keys].sort().reverse(), 'newest article first');
  await noLeakedValues();
  await shot('desktop-speaker');
  await axe('speaker');

  // From a quote to its place in the article: highlighted and focused.
  const q = quotes.items[quotes.items.length - 1];
  await page.click(`ol.quotes > li[data-id="${q.id}"] .meta a`);
  await settled();
  const focused = await page.evaluate(() => ({
    quote: document.activeElement.dataset.quote, current: document.activeElement.classList.contains('current'),
  }));
  assert.deepEqual(focused, { quote: q.id, current: true });
  const marked = await page.$$eval(`mark.quote[data-quote="${q.id}"]`, (els) => els.map((m) => m.textContent).join(''));
  assert.equal(norm(marked), norm(q.text));
  assertClean();
});

test('speaker quotes page by page', async () => {
  const top = (await api('speakers?limit=1')).body.data[0];
  const expected = await apiAll(`speakers/${encodeURIComponent(top.id)}/quotes?limit=3`);
  assert.ok(expected.total > 3, 'the most quoted speaker has more than one page');
  await visit(`#/speaker/${encodeURIComponent(top.id)}?limit=3`);
  let shown = await page.$$eval('ol.quotes > li', (els) => els.length);
  assert.equal(shown, 3);
  while (await page.isVisible('button.more')) {
    await page.click('button.more');
    const want = Math.min(shown + 3, expected.total);
    await page.waitForFunction((n) => document.querySelectorAll('ol.quotes > li').length === n, want);
    shown = want;
  }
  assert.deepEqual(await texts('ol.quotes > li blockquote'), expected.items.map((q) => norm(q.text)));
  const unpaged = await apiAll(`speakers/${encodeURIComponent(top.id)}/quotes`);
  assert.deepEqual(expected.items.map((q) => q.id), unpaged.items.map((q) => q.id));
  assertClean();
});

test('speakers page: most quoted first, and the search box', async () => {
  await visit('#/articles');
  await page.click('.site-nav a:has-text("Speakers")');
  await settled();
  assert.equal(await hash(), '#/speakers');
  assert.equal(await page.getAttribute('.site-nav a[data-nav="speakers"]', 'aria-current'), 'page');
  const check = async (query) => {
    const expected = await apiAll(`speakers${query ? `?q=${encodeURIComponent(query)}` : ''}`);
    const cards = await page.$$eval('ol.speakers > li', (els) => els.map((li) => ({
      id: li.dataset.id, name: li.querySelector('h2 a').textContent, href: li.querySelector('h2 a').getAttribute('href'),
      counts: li.querySelector('.counts').textContent,
    })));
    assert.deepEqual(cards.map((c) => c.name), expected.items.map((s) => s.name), `speakers for q=${query}`);
    expected.items.forEach((s, i) => {
      assert.equal(cards[i].href, `#/speaker/${encodeURIComponent(s.id)}`);
      assert.equal(cards[i].counts, `${s.quote_count} quote${s.quote_count === 1 ? '' : 's'} in ${s.article_count} article${s.article_count === 1 ? '' : 's'}`);
    });
    const counts = expected.items.map((s) => s.quote_count);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'sorted by quote count');
    return expected;
  };
  const all = await check('');
  assert.equal(norm(await page.textContent('.list-status')), `${all.total} speakers, most quoted first.`);
  await noLeakedValues();
  await shot('desktop-speakers');
  await axe('speakers');

  // Search by pressing Enter; by typing (the list follows as you type); accents folded.
  await page.fill('#speaker-q', 'ozer');
  await page.press('#speaker-q', 'Enter');
  await page.waitForFunction(() => location.hash === '#/speakers?q=ozer');
  await settled();
  const ozer = await check('ozer');
  assert.ok(ozer.total >= 1);
  assert.equal(norm(await page.textContent('.list-status')), `${ozer.total} speaker${ozer.total === 1 ? '' : 's'} matching “ozer”.`);

  await page.fill('#speaker-q', '');
  await page.locator('#speaker-q').pressSequentially('inégal', { delay: 20 });
  await page.waitForFunction(() => location.hash === `#/speakers?q=${encodeURIComponent('inégal')}`.replace(/%20/g, '+'));
  await settled();
  const folded = await check('inégal');
  assert.ok(folded.total >= 1);
  assert.deepEqual((await apiAll('speakers?q=inegal')).items.map((s) => s.id), folded.items.map((s) => s.id));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'speaker-q', 'typing keeps focus in the box');

  await page.fill('#speaker-q', 'zzzzqqq');
  await page.press('#speaker-q', 'Enter');
  await page.waitForFunction(() => location.hash === '#/speakers?q=zzzzqqq');
  await settled();
  assert.equal((await api('speakers?q=zzzzqqq')).body.meta.total, 0);
  assert.equal(norm(await page.textContent('.list-status')), 'No speaker matches.');

  // A result's link opens the speaker.
  await page.fill('#speaker-q', 'ozer');
  await page.press('#speaker-q', 'Enter');
  await page.waitForFunction(() => location.hash === '#/speakers?q=ozer');
  await settled();
  await page.click('ol.speakers > li:first-child h2 a');
  await settled();
  assert.equal(await hash(), `#/speaker/${encodeURIComponent(ozer.items[0].id)}`);
  assert.equal(norm(await page.textContent('h1')), ozer.items[0].name);
  assertClean();
});

// ---- problems ---------------------------------------------------------------------------

test('API errors are shown as messages: unknown article, unknown speaker, bad limit, unknown page', async () => {
  const cases = [
    ['#/article/no-such-article', 'articles/no-such-article', 'Article not found'],
    ['#/speaker/no-such-speaker', 'speakers/no-such-speaker', 'Speaker not found'],
    ['#/speakers?limit=500', 'speakers?limit=500', 'Speakers'],
    ['#/articles?limit=0', 'articles?limit=0', 'Articles'],
  ];
  for (const [route, path, heading] of cases) {
    allowedFailures.add(`${base}/v1/${path}`);
    const problem = await api(path);
    assert.ok(problem.status >= 400 && problem.status < 500, `${path} is an error`);
    await visit(route);
    assert.equal(norm(await page.textContent('h1')), heading);
    const alert = norm(await page.textContent('main .problem[role="alert"]'));
    assert.ok(alert.includes(problem.body.title) && alert.includes(problem.body.detail), `${route}: ${alert}`);
  }
  await visit('#/no/such/page');
  assert.equal(norm(await page.textContent('h1')), 'Page not found');
  await shot('desktop-not-found');
  assertClean();
});

// ---- keyboard ---------------------------------------------------------------------------

test('keyboard: skip link, then every stop of the articles page has a visible focus', async () => {
  // A fresh load, so that Tab starts from the top of the page.
  await page.goto(`${base}/#/articles`);
  await page.reload();
  await settled();
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const e = document.activeElement;
    const r = e.getBoundingClientRect();
    return { text: e.textContent, top: r.top, height: r.height };
  });
  assert.equal(skip.text, 'Skip to content');
  assert.ok(skip.top >= 0 && skip.height > 0, 'the skip link shows when focused');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');

  const seen = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const style = getComputedStyle(e);
      const hit = e.querySelector && e.querySelector(':scope > .hit');
      const ring = hit ? getComputedStyle(hit).strokeWidth !== '0px' && getComputedStyle(hit).stroke !== 'none'
        : style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
      return { what: e.dataset.period ? `bar ${e.dataset.period}` : `${e.tagName.toLowerCase()} ${e.id || e.textContent.trim().slice(0, 30)}`, ring };
    });
    if (!stop) break;
    seen.push(stop);
  }
  const noRing = seen.filter((s) => !s.ring).map((s) => s.what);
  assert.deepEqual(noRing, [], 'every focused element shows a focus ring');
  const stops = seen.map((s) => s.what);
  const bars = await page.$$eval('.bar', (els) => els.map((e) => `bar ${e.dataset.period}`));
  for (const want of [...bars, 'input filter-from', 'input filter-to', 'input filter-q', 'button Filter', 'button Clear']) {
    assert.ok(stops.includes(want), `Tab reaches ${want}: ${stops.join(' | ')}`);
  }
  assert.ok(stops.indexOf('input filter-from') > stops.indexOf(bars[bars.length - 1]), 'tab order follows the page');
  assertClean();
});

// ---- 375 px -----------------------------------------------------------------------------

test('375 px wide: every page fits without sideways scrolling, works, and passes axe', async () => {
  const mobile = await context.newPage();
  watch(mobile, 'mobile');
  await mobile.setViewportSize(MOBILE);
  const top = (await api('speakers?limit=1')).body.data[0];
  const articles = await apiAll('articles');
  const most = articles.items.reduce((x, y) => (y.quote_count > x.quote_count ? y : x));
  const pages = [
    ['mobile-articles', '#/articles'],
    ['mobile-article', `#/article/${encodeURIComponent(most.id)}`],
    ['mobile-speakers', '#/speakers'],
    ['mobile-speaker', `#/speaker/${encodeURIComponent(top.id)}`],
  ];
  for (const [name, route] of pages) {
    await visit(route, mobile);
    const width = await mobile.evaluate(() => ({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, view: window.innerWidth }));
    assert.equal(width.view, MOBILE.width);
    assert.ok(width.doc <= MOBILE.width && width.body <= MOBILE.width, `${route} fits in 375 px: ${JSON.stringify(width)}`);
    await noLeakedValues(mobile);
    await shot(name, mobile);
    await axe(name, mobile);
  }
  // The timeline works there too: a bar tapped filters the list.
  await visit('#/articles', mobile);
  const chart = await mobile.$eval('.timeline .chart', (c) => ({ right: c.getBoundingClientRect().right, overflow: getComputedStyle(c).overflowX }));
  assert.ok(chart.right <= MOBILE.width, 'the chart fits (it scrolls sideways inside itself when months are many)');
  const targets = await mobile.$$eval('.timeline .bar', (els) => els.map((e) => e.getBoundingClientRect().width));
  assert.ok(targets.every((w) => w >= 20), `bars are wide enough to tap: ${targets}`);
  const period = await mobile.$eval('.timeline .bar', (e) => e.dataset.period);
  await mobile.click(`.bar[data-period="${period}"]`);
  await settled(mobile);
  const expected = await apiAll(`articles?from=${period}&to=${period}`);
  assert.deepEqual(await mobile.$$eval('ol.articles > li', (els) => els.map((li) => li.dataset.id)), expected.items.map((a) => a.id));
  await mobile.close();
  assertClean();
});
