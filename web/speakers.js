// speakers.js - #/speakers?q=: speakers, most quoted first, with a search
// box (GET /v1/speakers?q=...).

import { get } from './api.js';
import { h, Pager } from './dom.js';
import { formatDate, plural } from './text.js';
import { hashFor, navigate } from './router.js';

const KINDS = { person: 'Person', organization: 'Organisation', group: 'Group', anonymous: 'Anonymous source' };

export function dateRange(first, last) {
  if (!first && !last) return null;
  if (first === last || !last) return formatDate(first);
  return `${formatDate(first)} – ${formatDate(last)}`;
}

function speakerCard(speaker) {
  const range = dateRange(speaker.first_date, speaker.last_date);
  return h('li', { class: 'card speaker-card', dataset: { id: speaker.id } },
    h('h2', { class: 'card-title' }, h('a', { href: hashFor('speaker', speaker.id) }, speaker.name)),
    h('p', { class: 'meta' },
      h('span', { class: 'kind' }, KINDS[speaker.kind] || speaker.kind), ' · ',
      h('span', { class: 'counts' }, `${plural(speaker.quote_count, 'quote')} in ${plural(speaker.article_count, 'article')}`),
      range ? [' · ', range] : null),
    speaker.roles && speaker.roles.length ? h('p', { class: 'roles' }, speaker.roles[0]) : null);
}

export function speakersView() {
  let params = new URLSearchParams();
  let controller = null;
  let timer = 0;

  const input = h('input', { id: 'speaker-q', name: 'q', type: 'search', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'speaker-hint' });
  const search = () => {
    clearTimeout(timer);
    const next = new URLSearchParams(params);
    const value = input.value.trim();
    if (value) next.set('q', value);
    else next.delete('q');
    if (next.toString() !== params.toString()) navigate(hashFor('speakers', null, next), { replace: true });
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 300);
  });
  const form = h('form', { class: 'search', role: 'search', 'aria-label': 'Speakers' },
    h('label', { for: 'speaker-q' }, 'Search speakers'),
    h('div', { class: 'inline' }, input, h('button', { type: 'submit' }, 'Search')),
    h('p', { id: 'speaker-hint', class: 'hint' }, 'Part of a name or alias; case and accents do not matter.'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    search();
  });

  const pager = new Pager({
    load: (cursor) => get('speakers', { q: params.get('q'), limit: params.get('limit'), cursor }, { signal: controller.signal }),
    render: speakerCard,
    describe: (total, shown) => {
      const text = params.get('q') ? `${plural(total, 'speaker')} matching “${params.get('q')}”` : `${plural(total, 'speaker')}, most quoted first`;
      return shown < total ? `${text}; showing ${shown}.` : `${text}.`;
    },
    moreLabel: 'Load more speakers',
    listClass: 'cards speakers',
    empty: 'No speaker matches.',
  });

  const el = h('div', { class: 'view speakers-view' }, h('h1', { tabindex: -1 }, 'Speakers'), form, pager.el);
  return {
    el,
    title: 'Speakers',
    async update(next) {
      clearTimeout(timer);
      params = new URLSearchParams([...next].filter(([key]) => key === 'q' || key === 'limit'));
      if (document.activeElement !== input || input.value.trim() !== (params.get('q') || '')) input.value = params.get('q') || '';
      if (controller) controller.abort();
      controller = new AbortController();
      await pager.first();
    },
    destroy() {
      clearTimeout(timer);
      if (controller) controller.abort();
      pager.cancel();
    },
  };
}
