/* article.c - raw article text in, cleaned article out.
 *
 * Crawled articles arrive as lines: a possible " date YYYY-MM " marker, site
 * chrome ("Skip to main content", "Lire et commenter"), a headline that the
 * page printed twice, a dateline, the story, footers. Each line of the story
 * becomes a paragraph of the body. The rules work line by line on what any
 * news page looks like, not on any one site. */
#define _GNU_SOURCE /* memmem */
#include "verbatim/article.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verbatim/text.h"
#include "verbatim/tokens.h"

typedef struct line {
    const char *s;
    size_t n;
    bool dropped;
} line;

/* Lines that are site navigation and never part of a story, compared folded
 * and without trailing punctuation. */
static const char *const chrome[] = {
    "skip to main content", "skip to content", "aller au contenu principal", "aller au contenu",
    "lire et commenter", "plus d'articles", "en video", "sur le meme sujet", "lire aussi",
    "a lire aussi", "a lire egalement", "voir aussi", "partager", "partager cet article",
    "partager sur facebook", "partager sur twitter", "envoyer par email", "imprimer",
    "share", "share this article", "share this", "read more", "related articles", "advertisement",
    "publicite", "aucun commentaire", "enregistrer un commentaire", "ajouter un commentaire",
    "commentaires", "newsletter", "abonnez-vous", "s'abonner", "se connecter", "sign in", "sign up",
    "subscribe", "menu", "accueil", "home", "tweet", "facebook", "twitter", "linkedin", "whatsapp",
    "print", "email", "ecouter cet article", "listen to this article", "close", "fermer", NULL};

static bool is_chrome(const char *s, size_t n)
{
    if (n > 48) return false; /* chrome is a few words; a paragraph is not */
    char *buf = malloc(n + 1), *f;
    bool hit = false;
    if (!buf) return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    f = vb_fold(buf);
    free(buf);
    if (!f) return false;
    size_t len = strlen(f);
    while (len > 0 && strchr(" .:!>|-", f[len - 1])) f[--len] = '\0';
    for (const char *const *c = chrome; *c && !hit; c++) hit = strcmp(f, *c) == 0;
    free(f);
    return hit;
}

static void trim(const char **s, size_t *n)
{
    size_t i = 0;
    while (*n > 0) { /* leading white space, including no-break spaces */
        size_t k = 0;
        uint32_t cp = vb_utf8_next(*s, *n, &k);
        if (!vb_is_space(cp) && cp != 0xFEFF) break;
        *s += k;
        *n -= k;
    }
    while (*n > 0) {
        /* step back over one code point */
        i = *n - 1;
        while (i > 0 && ((unsigned char)(*s)[i] & 0xC0) == 0x80) i--;
        size_t k = i;
        uint32_t cp = vb_utf8_next(*s, *n, &k);
        if (!vb_is_space(cp)) break;
        *n = i;
    }
}

static bool same(const line *a, const line *b)
{
    return a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
}

/* b is a's tail: "SECURITEMarseille: ..." printed before "Marseille: ...". */
static bool ends_with(const line *a, const line *b)
{
    return b->n >= 12 && a->n > b->n && memcmp(a->s + a->n - b->n, b->s, b->n) == 0;
}

static size_t words_in(const char *s, size_t n) { return vb_word_count(s, n); }

/* A headline: short, one line, not a sentence that ends in a full stop. */
static bool title_like(const line *l)
{
    char last = l->s[l->n - 1];
    if (l->n > 200) return false;
    size_t words = words_in(l->s, l->n);
    if (words > 28 || words < 2) return false;
    return last != '.' && last != ',' && last != ';' && last != ':';
}

/* " date 2020-06 " at the very start of a file: a crawler's own marker. */
static size_t date_marker(const char *s, size_t n, vb_date *out)
{
    size_t i = 0;
    if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) i = 3; /* a byte order mark */
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    if (n - i < 9 || memcmp(s + i, "date ", 5) != 0) return 0;
    i += 5;
    size_t start = i;
    while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '-')) i++;
    if (i - start > 10 || (i < n && s[i] != ' ' && s[i] != '\n')) return 0;
    char buf[11];
    memcpy(buf, s + start, i - start);
    buf[i - start] = '\0';
    if (vb_date_parse(buf, out) != VB_OK) return 0;
    while (i < n && s[i] == ' ') i++;
    return i;
}

static bool is_url_char(char c)
{
    return c > ' ' && c != '"' && c != '<' && c != '>' && (unsigned char)c < 0x7F; /* no DEL either */
}

static char *copy_url(const char *s, size_t n)
{
    size_t len = 0;
    while (len < n && is_url_char(s[len])) len++;
    while (len > 0 && strchr(".,;:)]}'", s[len - 1])) len--;
    if (len < 12) return NULL;
    char *url = malloc(len + 1);
    if (url) { memcpy(url, s, len); url[len] = '\0'; }
    return url;
}

static const char *find_str(const char *s, size_t n, const char *needle)
{
    return memmem(s, n, needle, strlen(needle));
}

/* The first "http://" or "https://" in s[0..n), or NULL. Found by its
 * colon: colons are rare in prose, the letters "http" are not. */
static const char *find_url(const char *s, size_t n)
{
    const char *end = s + n;
    for (const char *p = memchr(s, ':', n); p; p = memchr(p + 1, ':', (size_t)(end - p - 1))) {
        if (end - p < 3 || p[1] != '/' || p[2] != '/') continue;
        if (p - s >= 5 && !memcmp(p - 5, "https", 5)) return p - 5;
        if (p - s >= 4 && !memcmp(p - 4, "http", 4)) return p - 4;
    }
    return NULL;
}

/* The article's own URL: one named as its source ("à l'URL https://...",
 * "Source : https://..."), else the first line that is nothing but a URL in
 * the second half of the text (where pages print their permalink). */
static char *source_url(const line *lines, size_t count)
{
    static const char *const lead_ins[] = {"à l’URL ", "à l'URL ", "at the URL ", "Source : ", "Source: ",
                                           "source : ", "Lien : ", "Original: ", "Article original : ", NULL};
    const char *http = NULL; /* the next URL in the text, found once for all lines */
    for (size_t i = 0; i < count; i++) {
        if (http != NULL && http < lines[i].s) http = NULL;
        if (!http) {
            const char *end = lines[count - 1].s + lines[count - 1].n;
            if (!(http = find_url(lines[i].s, (size_t)(end - lines[i].s)))) break;
        }
        if (http + 7 > lines[i].s + lines[i].n) continue;
        for (const char *const *l = lead_ins; *l; l++) {
            const char *at = find_str(lines[i].s, lines[i].n, *l);
            if (!at) continue;
            at += strlen(*l);
            size_t rest = lines[i].n - (size_t)(at - lines[i].s);
            if (rest > 8 && (strncmp(at, "http://", 7) == 0 || strncmp(at, "https://", 8) == 0))
                return copy_url(at, rest);
        }
    }
    for (size_t i = count / 2; i < count; i++) {
        const char *s = lines[i].s;
        size_t n = lines[i].n;
        if (n > 2 && s[0] == '>') { s += 1; n -= 1; trim(&s, &n); }
        if (n > 8 && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0)) {
            size_t k = 0;
            while (k < n && is_url_char(s[k])) k++;
            if (k == n) return copy_url(s, n);
        }
    }
    return NULL;
}

const char *vb_detect_lang(const char *text, size_t n)
{
    int score_fr = 0, score_en = 0;
    size_t i = 0;
    if (n > 1500) n = 1500; /* two hundred words tell the language */
    while (i < n) {
        size_t len = 0;
        uint32_t word = 0; /* its folded bytes, packed as vb_lex_lists_short takes them */
        bool too_long = false;
        while (i < n) {
            unsigned char b = (unsigned char)text[i];
            if (b < 0x80) { /* ASCII: no decoding, folding is lower-casing */
                i++;
                bool letter = (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
                if (!letter && !(b >= '0' && b <= '9')) { if (len > 0 || too_long) break; continue; }
                if (len < 4) word |= (uint32_t)(letter ? b | 0x20 : b) << 8 * len++;
                else too_long = true;
                continue;
            }
            uint32_t cp = vb_utf8_next(text, n, &i), f[2];
            if (!vb_is_alnum(cp)) { if (len > 0 || too_long) break; continue; }
            size_t k = vb_fold_cp(cp, f);
            for (size_t j = 0; j < k; j++) {
                if (f[j] < 0x80 && len < 4) word |= f[j] << 8 * len++;
                else too_long = true;
            }
        }
        if (len == 0 || too_long) continue; /* every word counted has 1 to 4 letters */
        uint32_t lists = vb_lex_lists_short(word);
        score_fr += (lists >> VB_LEX_STOP_FR) & 1;
        score_en += (lists >> VB_LEX_STOP_EN) & 1;
    }
    return score_en > score_fr ? "en" : "fr";
}

char *vb_excerpt(const char *body, size_t max_chars)
{
    /* No more than max_chars + 1 code points are read: at most 4 bytes each. */
    size_t n = strnlen(body, 4 * (max_chars + 2)), i = 0, chars = 0, cut = 0, last_space = 0, limit_at = 0;
    bool cut_needed = false;
    while (i < n) {
        size_t before = i;
        uint32_t cp = vb_utf8_next(body, n, &i);
        if (chars == max_chars) {
            cut_needed = true;
            limit_at = before;
            /* the limit falls between words: keep the last one whole */
            cut = vb_is_space(cp) || strchr(",;:.!?", (int)(cp < 0x80 ? cp : 'x')) ? before : 0;
            break;
        }
        if (vb_is_space(cp)) last_space = before;
        chars++;
    }
    if (!cut_needed) cut = n;
    else if (cut == 0 && last_space > 0) cut = last_space;
    else if (cut == 0) cut = limit_at; /* one long word: cut inside it */
    /* No dangling punctuation or space before the ellipsis. */
    while (cut_needed && cut > 0 && strchr(" ,;:.-\n", body[cut - 1])) cut--; /* "pas.…" reads "pas…" */
    char *out = malloc(cut + 4 + 1);
    if (!out) return NULL;
    memcpy(out, body, cut);
    size_t len = cut;
    for (size_t k = 0; k < len; k++)
        if (out[k] == '\n') out[k] = ' ';
    if (cut_needed) { memcpy(out + len, "…", 3); len += 3; }
    out[len] = '\0';
    /* Paragraph breaks became double spaces: fold them. */
    size_t w = 0;
    for (size_t r = 0; r < len; r++)
        if (!(out[r] == ' ' && w > 0 && out[w - 1] == ' ')) out[w++] = out[r];
    out[w] = '\0';
    return out;
}

/* True when s[0..n) holds no control byte and no two spaces in a row: a
 * line copy_line copies as it is. Eight bytes at a time, overlapping by one
 * so that every pair of neighbours is seen together. */
static bool clean_line(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    size_t i = 0;
    for (uint64_t w; i + 8 <= n; i += 7) {
        memcpy(&w, s + i, 8);
        uint64_t x = w ^ ones * ' ', space = (x - ones) & ~x & high; /* bytes equal to ' ' */
        uint64_t control = (w - ones * ' ') & ~w & high;              /* bytes below ' ' */
        if (control || (space & space >> 8)) return false;
    }
    for (; i < n; i++)
        if ((unsigned char)s[i] < ' ' || (s[i] == ' ' && i + 1 < n && s[i + 1] == ' ')) return false;
    return true;
}

/* Copies a line into dst with runs of ASCII blanks folded to one space. */
static size_t copy_line(char *dst, const char *s, size_t n)
{
    size_t len = 0;
    if (clean_line(s, n)) { /* most lines */
        memcpy(dst, s, n);
        return n;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] > ' ') { dst[len++] = s[i]; continue; } /* most bytes */
        char c = s[i] == '\t' ? ' ' : s[i];
        if (c == '\r') continue;
        if (c == ' ' && len > 0 && dst[len - 1] == ' ') continue;
        dst[len++] = c;
    }
    return len;
}

vb_status vb_article_parse(const char *raw, size_t n, vb_article *out)
{
    vb_status rc = VB_ENOMEM;
    size_t text_len = 0, count = 0, cap = 64;
    vb_date marker = {0}, dateline = {0}, stamp = {0};
    line *lines = NULL;
    char *text = NULL;

    memset(out, 0, sizeof *out);
    text = vb_mojibake_repair(raw, n, &text_len, &out->mojibake_repaired);
    if (!text) goto fail;
    if (!(lines = malloc(cap * sizeof *lines))) goto fail;

    /* Split into trimmed, non-empty lines. */
    size_t skip = date_marker(text, text_len, &marker);
    for (size_t i = skip; i < text_len;) {
        const char *nl = memchr(text + i, '\n', text_len - i);
        size_t end = nl ? (size_t)(nl - text) : text_len;
        const char *s = text + i;
        size_t len = end - i;
        trim(&s, &len);
        if (len > 0) {
            if (count == cap) {
                line *grown = realloc(lines, (cap *= 2) * sizeof *lines);
                if (!grown) goto fail;
                lines = grown;
            }
            lines[count++] = (line){s, len, false};
        }
        i = end + 1;
    }

    /* Chrome and datelines go wherever they are; the first dateline dates it. */
    for (size_t i = 0; i < count; i++) {
        vb_date d;
        if (is_chrome(lines[i].s, lines[i].n)) {
            lines[i].dropped = true;
        } else if (vb_dateline(lines[i].s, lines[i].n, &d)) {
            lines[i].dropped = true;
            if (dateline.precision == VB_PRECISION_NONE) dateline = d;
        }
    }
    vb_find_rfc2822(text, text_len, &stamp);

    /* The headline: the first line, when the page printed it twice or when it
     * looks like one and no date marker says the story starts right away. */
    size_t first = 0, next;
    while (first < count && lines[first].dropped) first++;
    next = first + 1;
    while (next < count && lines[next].dropped) next++;
    if (first < count && next < count) {
        const line *a = &lines[first], *b = &lines[next];
        const line *headline = NULL;
        if (same(a, b) || ends_with(a, b)) {
            headline = b;
            lines[first].dropped = lines[next].dropped = true;
        } else if (!skip && title_like(a)) {
            headline = a;
            lines[first].dropped = true;
        }
        if (headline) {
            if (!(out->title = malloc(headline->n + 1))) goto fail;
            out->title[copy_line(out->title, headline->s, headline->n)] = '\0';
            for (size_t i = next + 1; i < count; i++) /* printed once more, further down */
                if (same(&lines[i], headline)) lines[i].dropped = true;
        }
    }
    /* Between the headline and the story, pages print section names, bylines
     * and counters ("International", "DirectLCI", "Info Marsactu", "29"):
     * short lines with no sentence in them, before the first paragraph. */
    for (size_t i = 0; i < count; i++) {
        if (lines[i].dropped) continue;
        size_t words = vb_word_count(lines[i].s, lines[i].n);
        if (words >= 8) break;
        char last = lines[i].s[lines[i].n - 1];
        if (words <= 3 && !strchr(".!?»\"", last)) lines[i].dropped = true;
    }
    /* A caption or paragraph printed twice in a row is printed once. */
    for (size_t i = 0, prev = SIZE_MAX; i < count; i++) {
        if (lines[i].dropped) continue;
        if (prev != SIZE_MAX && same(&lines[prev], &lines[i])) lines[i].dropped = true;
        else prev = i;
    }

    /* Body: the lines that are left, a paragraph each. */
    if (!(out->body = malloc(text_len + 2 * count + 1))) goto fail;
    for (size_t i = 0; i < count; i++) {
        if (lines[i].dropped) continue;
        if (out->body_len) { memcpy(out->body + out->body_len, "\n\n", 2); out->body_len += 2; }
        out->body_len += copy_line(out->body + out->body_len, lines[i].s, lines[i].n);
    }
    out->body[out->body_len] = '\0';
    if (out->body_len == 0) { rc = VB_EINVAL; goto fail; }

    /* The date: the marker, else the dateline, else the stamp; a more precise
     * one that agrees with it refines it. */
    const vb_date *order[3] = {&marker, &dateline, &stamp};
    for (size_t i = 0; i < 3; i++) {
        if (order[i]->precision == VB_PRECISION_NONE) continue;
        if (out->date.precision == VB_PRECISION_NONE) out->date = *order[i];
        else if (order[i]->precision > out->date.precision && vb_date_within(&out->date, order[i]))
            out->date = *order[i];
    }

    memcpy(out->lang, vb_detect_lang(out->body, out->body_len), 3);
    out->source_url = source_url(lines, count);
    out->word_count = vb_word_count(out->body, out->body_len);
    free(lines);
    free(text);
    return VB_OK;
fail:
    free(lines);
    free(text);
    vb_article_free(out);
    return rc;
}

void vb_article_free(vb_article *a)
{
    if (!a) return;
    free(a->title);
    free(a->body);
    free(a->source_url);
    memset(a, 0, sizeof *a);
}
