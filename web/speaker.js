// speaker.js - #/speaker/ID: one speaker and all their quotes, newest
// article first (GET /v1/speakers/{id}, GET /v1/speakers/{id}/quotes).

import { get } from './api.js';
import { h, Pager, problemBox } from './dom.js';
import { formatDate, plural } from './text.js';
import { hashFor } from './router.js';
import { dateRange } from './speakers.js';

const KINDS = { person: 'person', organization: 'organisation', group: 'group', anonymous: 'anonymous source' };

export function speakerView(id) {
  const heading = h('h1', { tabindex: -1 }, 'Speaker');
  const about = h('div', { class: 'about' });
  const quotesSection = h('section', { class: 'speaker-quotes', 'aria-labelledby': 'quotes-heading', hidden: true });
  const el = h('div', { class: 'view speaker-view' },
    h('p', { class: 'back' }, h('a', { href: '#/speakers' }, '← All speakers')), heading, about, quotesSection);
  const articles = new Map();
  let params = new URLSearchParams();
  let controller = null;
  let speaker = null;
  const view = { el, title: 'Speaker' };

  function quoteItem(q) {
    const article = { ...(q.article || {}), ...(articles.get(q.article && q.article.id) || {}) };
    const lang = article.lang || null;
    const where = article.title
      ? h('a', { href: hashFor('article', article.id, { quote: q.id }) }, 'in ', h('cite', { lang }, article.title))
      : h('a', { href: hashFor('article', article.id, { quote: q.id }) },
        `in an untitled article${article.date ? ` of ${formatDate(article.date)}` : ''}`);
    return h('li', { class: 'card quote-card', dataset: { id: q.id } },
      h('blockquote', { lang }, h('p', {}, q.text)),
      h('p', { class: 'meta' },
        article.date ? h('time', { datetime: article.date }, formatDate(article.date)) : 'Undated', ' · ', where,
        q.role ? [' · ', h('span', { class: 'role', lang }, q.role)] : null,
        q.cue ? [' · ', h('span', { class: 'cue' }, 'cue: ', h('q', { lang }, q.cue))] : null));
  }

  const pager = new Pager({
    load: (cursor) => get(`speakers/${encodeURIComponent(id)}/quotes`, { limit: params.get('limit'), cursor },
      { signal: controller.signal }),
    render: quoteItem,
    describe: (total, shown) => `${plural(total, 'quote')}, newest article first${shown < total ? `; showing ${shown}` : ''}.`,
    moreLabel: 'Load more quotes',
    listClass: 'cards quotes',
    empty: 'No quote.',
  });
  quotesSection.append(h('h2', { id: 'quotes-heading' }, 'Quotes'), pager.el);

  function renderAbout(s) {
    heading.textContent = s.name;
    view.title = s.name;
    const range = dateRange(s.first_date, s.last_date);
    about.replaceChildren(...[
      h('p', { class: 'meta' }, h('span', { class: 'kind' }, KINDS[s.kind] || s.kind), ' · ',
        `${plural(s.quote_count, 'quote')} in ${plural(s.article_count, 'article')}`, range ? [' · ', range] : null),
      s.roles && s.roles.length
        ? h('div', { class: 'roles' }, h('h2', {}, s.roles.length === 1 ? 'Role' : 'Roles'), h('ul', {}, s.roles.map((r) => h('li', {}, r))))
        : null,
      s.aliases && s.aliases.length ? h('p', {}, 'Also named: ', s.aliases.join(', ')) : null,
    ].filter(Boolean));
  }

  view.update = async (next) => {
    params = new URLSearchParams([...next].filter(([key]) => key === 'limit'));
    if (controller) controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    const one = speaker ? { ok: true, body: { data: speaker } } : await get(`speakers/${encodeURIComponent(id)}`, {}, { signal });
    if (one.aborted) return;
    if (!one.ok) {
      heading.textContent = one.status === 404 ? 'Speaker not found' : 'Speaker';
      about.replaceChildren(problemBox(one), h('p', {}, h('a', { href: '#/speakers' }, 'See all speakers')));
      quotesSection.hidden = true;
      return;
    }
    speaker = one.body.data;
    for (const a of speaker.articles || []) articles.set(a.id, a);
    renderAbout(speaker);
    quotesSection.hidden = false;
    await pager.first();
  };
  view.destroy = () => {
    if (controller) controller.abort();
    pager.cancel();
  };
  return view;
}
