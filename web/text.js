// text.js - quote offsets in an article body, and dates for people.
//
// The API gives quote offsets as Unicode code point indexes into the body;
// JavaScript strings index UTF-16 code units, which differ as soon as a
// character lies outside the Basic Multilingual Plane (an emoji, say). So the
// body is walked once by code point to map each code point index to its
// UTF-16 index, and the quotes are cut with that map.

/** codePointMap(s)[i] is the UTF-16 index of code point i; one entry past the end. */
export function codePointMap(s) {
  const map = [];
  let unit = 0;
  for (const ch of s) {
    map.push(unit);
    unit += ch.length;
  }
  map.push(unit);
  return map;
}

/** The code points [start, end) of s, as a string. */
export function sliceCodePoints(s, start, end, map = codePointMap(s)) {
  return s.slice(map[start], map[end]);
}

/**
 * Cuts body into runs covering it in order: {text, quote} where quote is
 * the quote object that run is, or null between quotes. Quotes whose offsets
 * are not integers, fall outside the body, are empty or overlap an earlier
 * quote are left out of the runs and returned in `skipped`.
 */
export function quoteRuns(body, quotes) {
  const map = codePointMap(body);
  const length = map.length - 1;
  const sorted = [...quotes].sort((a, b) => a.offsets.start - b.offsets.start);
  const runs = [];
  const skipped = [];
  let at = 0;
  for (const q of sorted) {
    const { start, end } = q.offsets || {};
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < at || end <= start || end > length) {
      skipped.push(q);
      continue;
    }
    if (start > at) runs.push({ text: body.slice(map[at], map[start]), quote: null });
    runs.push({ text: body.slice(map[start], map[end]), quote: q });
    at = end;
  }
  if (at < length) runs.push({ text: body.slice(map[at]), quote: null });
  return { runs, skipped };
}

/**
 * Splits runs into paragraphs at blank lines: an array of paragraphs, each an
 * array of {text, quote, first, last} pieces (a quote spanning paragraphs
 * gives one piece per paragraph; first/last say which end of it a piece is).
 */
export function paragraphs(runs) {
  const out = [[]];
  for (const run of runs) {
    const parts = run.text.split(/\n[ \t]*\n\s*/);
    parts.forEach((text, i) => {
      if (i > 0) out.push([]);
      if (text) out[out.length - 1].push({ text, quote: run.quote, first: i === 0, last: i === parts.length - 1 });
    });
  }
  return out.filter((p) => p.length > 0 && p.some((piece) => piece.text.trim() !== ''));
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];

/** "2020-06-11" → "11 June 2020", "2020-06" → "June 2020", "2020" → "2020", null → "undated". */
export function formatDate(date) {
  if (!date) return 'undated';
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(date);
  if (!m) return date;
  const [, y, mo, d] = m;
  if (!mo) return y;
  const month = MONTHS[Number(mo) - 1] || mo;
  return d ? `${Number(d)} ${month} ${y}` : `${month} ${y}`;
}

/** "1 article", "2 articles". */
export function plural(n, one, many = one + 's') {
  return `${n} ${n === 1 ? one : many}`;
}
