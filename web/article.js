// article.js - #/article/ID[?quote=QUOTE_ID]: one article, its quotes
// highlighted in the body by their code point offsets, each speaker a link
// (GET /v1/articles/{id}).

import { get } from './api.js';
import { h, problemBox } from './dom.js';
import { formatDate, plural, quoteRuns, paragraphs } from './text.js';
import { hashFor } from './router.js';

function speakerLink(speaker, attrs = {}) {
  if (!speaker) return h('span', { ...attrs, class: `${attrs.class || ''} unattributed`.trim(), lang: 'en' }, 'unattributed');
  return h('a', { ...attrs, href: hashFor('speaker', speaker.id) }, speaker.name);
}

/** The body as paragraphs, each quote a <mark> followed by a link to its speaker. */
export function renderBody(body, quotes, lang) {
  const { runs, skipped } = quoteRuns(body, quotes);
  const container = h('div', { class: 'body', lang: lang || null });
  for (const pieces of paragraphs(runs)) {
    const p = h('p');
    for (const piece of pieces) {
      if (!piece.quote) {
        p.append(piece.text);
        continue;
      }
      const q = piece.quote;
      p.append(h('mark', { class: 'quote', id: piece.first ? `quote-${q.id}` : null, tabindex: piece.first ? -1 : null,
        dataset: { quote: q.id } }, piece.text));
      if (piece.last) {
        p.append(h('span', { class: 'who' }, ' ',
          h('span', { class: 'vh', lang: 'en' }, q.speaker ? 'quote by ' : 'quote, '),
          speakerLink(q.speaker, { class: 'who-name' })));
      }
    }
    container.append(p);
  }
  return { el: container, skipped };
}

function speakersSummary(quotes) {
  const bySpeaker = new Map();
  for (const q of quotes) {
    const key = q.speaker ? q.speaker.id : '';
    const entry = bySpeaker.get(key) || { speaker: q.speaker, count: 0 };
    entry.count += 1;
    bySpeaker.set(key, entry);
  }
  const entries = [...bySpeaker.values()].sort((a, b) => b.count - a.count
    || (a.speaker ? a.speaker.name : '\uffff').localeCompare(b.speaker ? b.speaker.name : '\uffff'));
  return h('ul', { class: 'speaker-summary' }, entries.map(({ speaker, count }) =>
    h('li', {}, speakerLink(speaker), ` (${count})`)));
}

export function articleView(id) {
  const heading = h('h1', { tabindex: -1 }, 'Article');
  const content = h('div', { class: 'article-content' });
  const el = h('div', { class: 'view article-view' },
    h('p', { class: 'back' }, h('a', { href: '#/articles' }, '← All articles')), heading, content);
  let loaded = null;
  let controller = null;
  const view = { el, title: 'Article' };

  function showQuote(quoteId) {
    for (const mark of el.querySelectorAll('mark.current')) mark.classList.remove('current');
    if (!quoteId) return false;
    const marks = [...el.querySelectorAll('mark.quote')].filter((m) => m.dataset.quote === quoteId);
    if (marks.length === 0) return false;
    for (const mark of marks) mark.classList.add('current');
    marks[0].scrollIntoView({ block: 'center' });
    marks[0].focus({ preventScroll: true });
    return true;
  }

  function render(article) {
    const quotes = Array.isArray(article.quotes) ? article.quotes : [];
    heading.replaceChildren();
    if (article.title) {
      heading.lang = article.lang || '';
      heading.textContent = article.title;
    } else {
      heading.removeAttribute('lang');
      heading.append(h('span', { class: 'untitled' }, 'Untitled article'),
        article.date ? ` of ${formatDate(article.date)}` : '');
    }
    view.title = article.title || 'Untitled article';
    const meta = h('p', { class: 'meta' },
      article.date ? h('time', { datetime: article.date }, formatDate(article.date)) : 'Undated',
      ' · ', plural(article.word_count || 0, 'word'),
      ' · ', plural(quotes.length, 'quote'),
      article.source_url ? [' · ', h('a', { href: article.source_url, rel: 'noopener noreferrer external' }, 'source')] : null);
    const { el: body, skipped } = renderBody(article.body || '', quotes, article.lang);
    content.replaceChildren(meta);
    if (quotes.length) {
      content.append(h('section', { class: 'quoted', 'aria-labelledby': 'quoted-heading' },
        h('h2', { id: 'quoted-heading' }, 'Quoted in this article'), speakersSummary(quotes),
        h('p', { class: 'hint' }, 'Quotes are highlighted in the text, each followed by its speaker.')));
    }
    if (skipped.length) {
      content.append(h('div', { class: 'problem', role: 'note' },
        h('p', {}, `${plural(skipped.length, 'quote')} could not be placed in the text:`),
        h('ul', {}, skipped.map((q) => h('li', {}, h('q', { lang: article.lang || null }, q.text), ' — ', speakerLink(q.speaker))))));
    }
    content.append(h('section', { 'aria-label': 'Text' }, body));
  }

  view.update = async (params) => {
    if (!loaded) {
      if (controller) controller.abort();
      controller = new AbortController();
      const result = await get(`articles/${encodeURIComponent(id)}`, {}, { signal: controller.signal });
      if (result.aborted) return;
      if (!result.ok) {
        heading.textContent = result.status === 404 ? 'Article not found' : 'Article';
        content.replaceChildren(problemBox(result), h('p', {}, h('a', { href: '#/articles' }, 'See all articles')));
        return;
      }
      loaded = result.body.data;
      render(loaded);
    }
    view.focused = showQuote(params.get('quote'));
  };
  view.destroy = () => controller && controller.abort();
  return view;
}
