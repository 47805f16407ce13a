// app.js - the verbatim web app: routes each hash to its view, marks the
// page busy while a view loads, then says which hash it finished rendering
// (main[data-rendered]) and moves focus to the new page's heading.

import { h } from './dom.js';
import { parseHash, startRouter } from './router.js';
import { articlesView } from './articles.js';
import { articleView } from './article.js';
import { speakersView } from './speakers.js';
import { speakerView } from './speaker.js';

const VIEWS = {
  articles: { make: () => articlesView(), nav: 'articles', needsId: false },
  article: { make: (id) => articleView(id), nav: 'articles', needsId: true },
  speakers: { make: () => speakersView(), nav: 'speakers', needsId: false },
  speaker: { make: (id) => speakerView(id), nav: 'speakers', needsId: true },
};

const main = document.getElementById('main');
let current = null;
let generation = 0;
let first = true;

function notFoundView(hash) {
  return {
    el: h('div', { class: 'view' }, h('h1', { tabindex: -1 }, 'Page not found'),
      h('div', { class: 'problem', role: 'alert' }, h('p', {}, `There is no page at ${hash}.`)),
      h('p', {}, h('a', { href: '#/articles' }, 'See the articles'), ' or ', h('a', { href: '#/speakers' }, 'the speakers'), '.')),
    title: 'Page not found',
    update: async () => {},
  };
}

async function route() {
  const hash = location.hash;
  const parsed = parseHash(hash);
  if (!parsed) {
    history.replaceState(history.state, '', '#/articles');
    route();
    return;
  }
  const token = ++generation;
  const spec = VIEWS[parsed.name];
  const valid = spec && !parsed.extra && Boolean(parsed.id) === spec.needsId;
  const key = valid ? `${parsed.name}/${parsed.id || ''}` : `?${hash}`;
  main.setAttribute('aria-busy', 'true');
  for (const link of document.querySelectorAll('.site-nav a')) {
    if (valid && link.dataset.nav === spec.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  let fresh = false;
  if (!current || current.key !== key) {
    if (current && current.view.destroy) current.view.destroy();
    const view = valid ? spec.make(parsed.id) : notFoundView(hash);
    current = { key, view };
    main.replaceChildren(view.el);
    fresh = true;
  }
  const { view } = current;
  try {
    await view.update(parsed.params);
  } catch (err) {
    // A bug of ours, not the API's: say so on the page rather than leave it half drawn.
    main.append(h('div', { class: 'problem', role: 'alert' }, h('p', {}, `This page could not be shown: ${err && err.message || err}`)));
    setTimeout(() => { throw err; });
  }
  if (token !== generation) return;
  document.title = `${view.title} — verbatim`;
  if (fresh) {
    if (!first && !view.focused) {
      const heading = view.el.querySelector('h1');
      if (heading) heading.focus();
    }
    if (!view.focused) window.scrollTo(0, 0);
  }
  first = false;
  main.dataset.rendered = hash;
  main.setAttribute('aria-busy', 'false');
}

document.querySelector('.skip').addEventListener('click', (event) => {
  event.preventDefault();
  const heading = main.querySelector('h1');
  (heading || main).focus();
});

startRouter(route);
