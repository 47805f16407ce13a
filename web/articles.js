// articles.js - #/articles?from=&to=&q=&limit=: the timeline, the filters
// and the article list (GET /v1/dates, GET /v1/articles).

import { get } from './api.js';
import { h, Pager } from './dom.js';
import { createTimeline } from './timeline.js';
import { formatDate, plural } from './text.js';
import { hashFor, navigate } from './router.js';

const FILTERS = ['from', 'to', 'q', 'limit'];

/** An article's title as a link's content; untitled ones show their first words. */
export function titleContent(article) {
  if (article.title) return h('span', { lang: article.lang || null }, article.title);
  const words = (article.excerpt || '').split(/\s+/).slice(0, 10).join(' ').replace(/…$/, '');
  return [h('span', { class: 'untitled' }, 'Untitled: '), h('span', { lang: article.lang || null }, `${words}…`)];
}

export function articleCard(article) {
  return h('li', { class: 'card', dataset: { id: article.id } },
    h('h3', { class: 'card-title' }, h('a', { href: hashFor('article', article.id) }, titleContent(article))),
    h('p', { class: 'meta' },
      article.date ? h('time', { datetime: article.date }, formatDate(article.date)) : h('span', {}, 'Undated'),
      ' · ', plural(article.quote_count || 0, 'quote')),
    article.excerpt ? h('p', { class: 'excerpt', lang: article.lang || null }, article.excerpt) : null);
}

function describe(params, total, shown) {
  const parts = [plural(total, 'article')];
  const from = params.get('from');
  const to = params.get('to');
  if (from && from === to) parts.push(`in ${formatDate(from)}`);
  else {
    if (from) parts.push(`from ${formatDate(from)}`);
    if (to) parts.push(`until ${formatDate(to)}`);
  }
  if (params.get('q')) parts.push(`matching “${params.get('q')}”`);
  const text = parts.join(' ');
  return shown < total ? `${text}; showing ${shown}.` : `${text}.`;
}

export function articlesView() {
  let params = new URLSearchParams();
  let controller = null;

  const go = (changes) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    navigate(hashFor('articles', null, next));
  };

  const timeline = createTimeline({
    onPick(period) {
      const picked = params.get('from') === period && params.get('to') === period;
      go(picked ? { from: null, to: null } : { from: period, to: period });
    },
  });

  const field = (name, label, hint, type = 'text') => {
    const id = `filter-${name}`;
    const input = h('input', {
      id, name, type, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': hint ? 'filter-hint' : null,
    });
    return { input, el: h('div', { class: 'field' }, h('label', { for: id }, label), input) };
  };
  const from = field('from', 'From', true);
  const to = field('to', 'To', true);
  const q = field('q', 'Words', false, 'search');
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter articles' },
    from.el, to.el, q.el,
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, 'Filter'),
      h('button', { type: 'button', class: 'secondary', onclick: () => go({ from: null, to: null, q: null }) }, 'Clear')),
    h('p', { id: 'filter-hint', class: 'hint' }, 'Dates as YYYY, YYYY-MM or YYYY-MM-DD; both ends included.'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go({ from: from.input.value.trim(), to: to.input.value.trim(), q: q.input.value.trim() });
  });

  const pager = new Pager({
    load: (cursor) => get('articles', {
      from: params.get('from'), to: params.get('to'), q: params.get('q'), limit: params.get('limit'), cursor,
    }, { signal: controller.signal }),
    render: articleCard,
    describe: (total, shown) => describe(params, total, shown),
    moreLabel: 'Load more articles',
    listClass: 'cards articles',
    empty: 'No article matches these filters.',
  });

  const el = h('div', { class: 'view articles-view' },
    h('h1', { tabindex: -1 }, 'Articles'),
    h('section', { 'aria-labelledby': 'timeline-heading' }, h('h2', { id: 'timeline-heading' }, 'Timeline'), timeline.el),
    h('section', { 'aria-labelledby': 'list-heading' }, h('h2', { id: 'list-heading' }, 'Articles found'), form, pager.el));

  return {
    el,
    title: 'Articles',
    async update(next) {
      params = new URLSearchParams([...next].filter(([key]) => FILTERS.includes(key)));
      from.input.value = params.get('from') || '';
      to.input.value = params.get('to') || '';
      q.input.value = params.get('q') || '';
      timeline.select(params.get('from') && params.get('from') === params.get('to') ? params.get('from') : null);
      if (controller) controller.abort();
      controller = new AbortController();
      await Promise.all([timeline.load().then(() => timeline.select(
        params.get('from') && params.get('from') === params.get('to') ? params.get('from') : null)), pager.first()]);
    },
    destroy() {
      if (controller) controller.abort();
      pager.cancel();
      timeline.destroy();
    },
  };
}
