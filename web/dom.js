// dom.js - building elements without innerHTML, problem messages, and the
// "load more" pager that follows the API's cursors.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** h('a', {href: '#/x', class: 'y'}, 'text', otherNode): an HTML element. */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** Like h, for SVG elements. */
export function svg(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** A problem from api.js as a message: an alert with its title and detail. */
export function problemBox(result, what) {
  const { problem = {}, status } = result;
  return h('div', { class: 'problem', role: 'alert' },
    h('p', { class: 'problem-title' }, what ? `${what}: ` : '', problem.title || 'Something went wrong',
      status ? h('span', { class: 'status' }, ` (HTTP ${status})`) : null),
    problem.detail ? h('p', { class: 'problem-detail' }, problem.detail) : null);
}

/**
 * A list that loads page after page from a list endpoint:
 *   load(cursor) → api result (cursor null for the first page)
 *   render(item) → <li>
 *   describe(total, shown) → the status line's text
 * Its element holds a live status line, the <ol>, a place for problems and
 * the "Load more" button, shown while meta.next is not null.
 */
export class Pager {
  constructor({ load, render, describe, moreLabel, listClass, empty }) {
    this.loadPage = load;
    this.render = render;
    this.describe = describe;
    this.empty = empty || 'Nothing here.';
    this.status = h('p', { class: 'list-status', role: 'status', tabindex: -1 });
    this.list = h('ol', { class: listClass || 'cards' });
    this.problem = h('div', { class: 'problem-slot' });
    this.button = h('button', { type: 'button', class: 'more', hidden: true, onclick: () => this.more() }, moreLabel || 'Load more');
    this.el = h('div', { class: 'pager' }, this.status, this.problem, this.list, this.button);
    this.next = null;
    this.total = 0;
    this.generation = 0;
  }

  /** Loads the first page in place of whatever is shown; resolves when shown. */
  async first() {
    const generation = ++this.generation;
    this.list.setAttribute('aria-busy', 'true');
    const result = await this.loadPage(null);
    if (generation !== this.generation || result.aborted) return result;
    this.list.removeAttribute('aria-busy');
    this.list.replaceChildren();
    this.problem.replaceChildren();
    this.next = null;
    if (!result.ok) {
      this.status.textContent = '';
      this.button.hidden = true;
      this.problem.append(problemBox(result));
      return result;
    }
    this.append(result.body);
    return result;
  }

  /** Loads the next page after what is shown, then moves focus to its first item. */
  async more() {
    if (!this.next) return;
    const generation = this.generation;
    this.button.disabled = true;
    this.list.setAttribute('aria-busy', 'true');
    const result = await this.loadPage(this.next);
    if (generation !== this.generation || result.aborted) return;
    this.button.disabled = false;
    this.list.removeAttribute('aria-busy');
    this.problem.replaceChildren();
    if (!result.ok) {
      this.problem.append(problemBox(result, 'The next page could not be loaded'));
      if (result.status === 410) {
        // The cursor expired (the server's format changed): start over from the first page.
        const again = h('button', { type: 'button', class: 'secondary', onclick: () => this.first().then(() => this.status.focus()) },
          'Start over');
        this.problem.append(again);
        this.button.hidden = true;
        again.focus();
      } else {
        this.button.focus();
      }
      return;
    }
    const firstNew = this.append(result.body);
    const target = firstNew && (firstNew.querySelector('a, button, [tabindex]') || firstNew);
    if (target) {
      if (target === firstNew) firstNew.tabIndex = -1;
      target.focus();
    }
  }

  append(body) {
    const items = Array.isArray(body.data) ? body.data : [];
    const nodes = items.map((item) => this.render(item));
    this.list.append(...nodes);
    const meta = body.meta || {};
    this.total = Number.isInteger(meta.total) ? meta.total : this.list.children.length;
    this.next = meta.next || null;
    this.button.hidden = !this.next;
    const shown = this.list.children.length;
    this.status.textContent = shown === 0 ? this.empty : this.describe(this.total, shown);
    return nodes[0] || null;
  }

  /** Forgets pending answers (the view is going away or reloading). */
  cancel() {
    this.generation++;
  }
}
