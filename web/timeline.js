// timeline.js - articles per month as an SVG bar chart (GET /v1/dates).
//
// Months run from the first to the last period, empty months included, so
// the gaps show. A year-only period ("2019", an article dated to the year)
// gets a bar of its own before that year's January. Each bar with articles
// is a toggle button: click, Enter or Space picks its period (again: unpicks).

import { getCached } from './api.js';
import { h, svg, problemBox } from './dom.js';
import { formatDate, plural } from './text.js';

const HEIGHT = 170;
const TOP = 22;
const BOTTOM = 40;
const SIDE = 6;
const MIN_SLOT = 24; // px per month at least: bars stay 24 px targets; the chart scrolls sideways past that

function nextMonth(month) {
  let [y, m] = month.split('-').map(Number);
  m += 1;
  if (m > 12) { m = 1; y += 1; }
  return `${y}-${String(m).padStart(2, '0')}`;
}

/** The chart's slots, in order: {period, count, year: bool}. */
export function timelineSlots(periods) {
  const counts = new Map();
  const years = new Map();
  for (const { period, count } of periods) {
    if (/^\d{4}-\d{2}$/.test(period)) counts.set(period, count);
    else if (/^\d{4}$/.test(period)) years.set(period, count);
  }
  const starts = [...counts.keys(), ...[...years.keys()].map((y) => `${y}-01`)].sort();
  if (starts.length === 0) return [];
  const slots = [];
  const last = starts[starts.length - 1];
  for (let month = starts[0]; month <= last; month = nextMonth(month)) {
    const year = month.slice(0, 4);
    if (month.endsWith('-01') || month === starts[0]) {
      if (years.has(year)) {
        slots.push({ period: year, count: years.get(year), year: true });
        years.delete(year);
      }
    }
    slots.push({ period: month, count: counts.get(month) || 0, year: false });
  }
  return slots;
}

/**
 * The timeline: {el, load(), select(period)}. onPick(period) is called when a
 * bar is chosen, with the bar's period.
 */
export function createTimeline({ onPick }) {
  const holder = h('div', { class: 'chart' });
  const caption = h('figcaption', { id: 'timeline-caption' }, 'Articles per month.');
  const scrollHint = h('span', { class: 'scroll-hint', hidden: true }, ' The chart scrolls sideways.');
  const el = h('figure', { class: 'timeline' }, holder, caption);
  let slots = null;
  let selected = null;
  let drawnWidth = 0;

  function bar(slot, x, width, y, barHeight, showCount, hitWidth) {
    const label = `${slot.year ? `${slot.period} (month not known)` : formatDate(slot.period)}: ${plural(slot.count, 'article')}`;
    const group = svg('g', {
      class: slot.year ? 'bar year' : 'bar', role: 'button', tabindex: 0, 'aria-label': label,
      'aria-pressed': String(selected === slot.period), dataset: { period: slot.period, count: String(slot.count) },
    },
    svg('title', {}, label),
    svg('rect', { class: 'hit', x: x + width / 2 - hitWidth / 2, y: 1, width: hitWidth, height: HEIGHT - BOTTOM + 3, rx: 3 }),
    svg('rect', { class: 'fill', x, y, width, height: barHeight, rx: Math.min(3, width / 3) }),
    showCount ? svg('text', { class: 'count', x: x + width / 2, y: y - 5, 'text-anchor': 'middle', 'aria-hidden': 'true' }, String(slot.count)) : null);
    group.addEventListener('click', () => onPick(slot.period));
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ' || event.key === 'Spacebar') {
        event.preventDefault();
        onPick(slot.period);
      }
    });
    return group;
  }

  function draw() {
    if (!slots) return;
    const focused = document.activeElement && holder.contains(document.activeElement)
      ? document.activeElement.dataset.period : null;
    const room = Math.round(holder.clientWidth || 600);
    drawnWidth = room;
    const width = Math.max(room, slots.length * MIN_SLOT + 2 * SIDE);
    if (slots.length === 0) {
      holder.replaceChildren(h('p', { class: 'empty' }, 'No dated article yet.'));
      return;
    }
    const plotHeight = HEIGHT - TOP - BOTTOM;
    const slotWidth = (width - 2 * SIDE) / slots.length;
    const barWidth = Math.max(3, Math.min(48, slotWidth * 0.7));
    const max = Math.max(1, ...slots.map((s) => s.count));
    const baseline = TOP + plotHeight;
    const children = [svg('line', { class: 'axis', x1: SIDE, x2: width - SIDE, y1: baseline + 0.5, y2: baseline + 0.5 })];
    let lastYear = null;
    slots.forEach((slot, i) => {
      const center = SIDE + slotWidth * (i + 0.5);
      const year = slot.period.slice(0, 4);
      if (year !== lastYear) {
        lastYear = year;
        const x = Math.max(SIDE, Math.min(center - barWidth / 2, width - SIDE - 32));
        children.push(svg('text', { class: 'year-label', x, y: baseline + 32, 'aria-hidden': 'true' }, year));
        if (i > 0) children.push(svg('line', { class: 'year-tick', x1: center - slotWidth / 2, x2: center - slotWidth / 2, y1: baseline, y2: baseline + 20 }));
      }
      if (!slot.year && slotWidth >= 14) {
        const initial = formatDate(slot.period).slice(0, 1);
        children.push(svg('text', { class: 'month-label', x: center, y: baseline + 14, 'text-anchor': 'middle', 'aria-hidden': 'true' }, initial));
      }
      if (slot.count > 0) {
        const barHeight = Math.max(3, Math.round((slot.count / max) * plotHeight));
        children.push(bar(slot, center - barWidth / 2, barWidth, baseline - barHeight, barHeight, slotWidth >= 12, slotWidth - 2));
      }
    });
    const chart = svg('svg', {
      width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, role: 'group', 'aria-labelledby': 'timeline-caption',
    }, children);
    holder.replaceChildren(chart);
    holder.classList.toggle('scrolls', width > room);
    scrollHint.hidden = !(width > room);
    const picked = selected && holder.querySelector(`[data-period="${CSS.escape(selected)}"]`);
    if (picked && width > room) holder.scrollLeft = Math.max(0, picked.getBBox().x - room / 2);
    if (focused) {
      const again = holder.querySelector(`[data-period="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }

  const resize = new ResizeObserver(() => {
    if (slots && Math.abs(Math.round(holder.clientWidth) - drawnWidth) >= 8) draw();
  });
  resize.observe(holder);

  return {
    el,
    /** Fetches the timeline (once per page load) and draws it; resolves to the API result. */
    async load() {
      if (slots) return { ok: true };
      const result = await getCached('dates', { granularity: 'month' });
      if (!result.ok) {
        holder.replaceChildren(problemBox(result, 'The timeline could not be loaded'));
        return result;
      }
      const data = Array.isArray(result.body.data) ? result.body.data : [];
      slots = timelineSlots(data);
      const meta = result.body.meta || {};
      const dated = slots.filter((s) => s.count > 0);
      caption.textContent = dated.length
        ? `Articles per month, ${formatDate(slots[0].period)} to ${formatDate(slots[slots.length - 1].period)}. `
          + 'Choose a bar to list that period’s articles; choose it again to list all.'
        : 'Articles per month.';
      if (meta.undated) caption.append(` ${plural(meta.undated, 'undated article')} ${meta.undated === 1 ? 'is' : 'are'} not shown.`);
      caption.append(scrollHint);
      draw();
      return result;
    },
    /** Marks the bar of this period as pressed (null: none). */
    select(period) {
      selected = period || null;
      for (const b of holder.querySelectorAll('.bar')) b.setAttribute('aria-pressed', String(b.dataset.period === selected));
    },
    destroy() {
      resize.disconnect();
    },
  };
}
