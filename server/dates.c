/* dates.c - publication dates with a precision, and the ways text gives them.
 *
 * Datelines are recognised on folded tokens (case and accents gone), so
 * "Fév", "fev." and "FEVRIER" are one month. A line counts as a dateline only
 * when every token is part of a date, a time, or a word that goes with a date
 * ("publié le", a weekday): that is what keeps "le 22 juin dernier" inside a
 * story from ever becoming a publication date. */
#include "verbatim/dates.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbatim/text.h"

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

bool vb_date_valid(int year, int month, int day)
{
    if (year < 1000 || year > 9999) return false;
    if (month == 0) return day == 0;
    if (month < 1 || month > 12) return false;
    return day == 0 || (day >= 1 && day <= days_in_month(year, month));
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

vb_status vb_date_parse(const char *s, vb_date *out)
{
    size_t n = strlen(s);
    vb_date d = {0, 0, 0, VB_PRECISION_NONE};
    if (n != 4 && n != 7 && n != 10) return VB_EINVAL;
    if ((d.year = digits(s, 4)) < 0) return VB_EINVAL;
    d.precision = VB_PRECISION_YEAR;
    if (n >= 7) {
        if (s[4] != '-' || (d.month = digits(s + 5, 2)) < 0) return VB_EINVAL;
        d.precision = VB_PRECISION_MONTH;
    }
    if (n == 10) {
        if (s[7] != '-' || (d.day = digits(s + 8, 2)) < 0) return VB_EINVAL;
        d.precision = VB_PRECISION_DAY;
    }
    if (!vb_date_valid(d.year, d.month, d.day) || (n >= 7 && d.month == 0) || (n == 10 && d.day == 0))
        return VB_EINVAL;
    *out = d;
    return VB_OK;
}

void vb_date_format(const vb_date *d, char buf[11])
{
    switch (d->precision) {
    case VB_PRECISION_YEAR: snprintf(buf, 11, "%04d", d->year); break;
    case VB_PRECISION_MONTH: snprintf(buf, 11, "%04d-%02d", d->year, d->month); break;
    case VB_PRECISION_DAY: snprintf(buf, 11, "%04d-%02d-%02d", d->year, d->month, d->day); break;
    default: buf[0] = '\0';
    }
}

const char *vb_precision_name(vb_precision p)
{
    switch (p) {
    case VB_PRECISION_YEAR: return "year";
    case VB_PRECISION_MONTH: return "month";
    case VB_PRECISION_DAY: return "day";
    default: return NULL;
    }
}

int vb_date_first_day(const vb_date *d)
{
    if (d->precision == VB_PRECISION_NONE) return 0;
    return d->year * 10000 + (d->month ? d->month : 1) * 100 + (d->day ? d->day : 1);
}

int vb_date_last_day(const vb_date *d)
{
    int m, day;
    if (d->precision == VB_PRECISION_NONE) return 0;
    m = d->month ? d->month : 12;
    day = d->day ? d->day : days_in_month(d->year, m);
    return d->year * 10000 + m * 100 + day;
}

bool vb_date_within(const vb_date *a, const vb_date *b)
{
    return vb_date_first_day(a) <= vb_date_first_day(b) && vb_date_last_day(b) <= vb_date_last_day(a);
}

/* ---- tokens -------------------------------------------------------------- */

#define MAX_TOKENS 48
#define TOKEN_LEN 24

typedef struct tokens {
    char text[MAX_TOKENS][TOKEN_LEN]; /* folded word, number or one punctuation */
    int count;
} tokens;

/* Splits a line into folded tokens; false if it has too many or too long
 * ones to be a dateline. */
static bool tokenize(const char *s, size_t n, tokens *t)
{
    size_t i = 0;
    t->count = 0;
    while (i < n) {
        size_t at = i;
        uint32_t cp = vb_utf8_next(s, n, &i), f[2];
        if (vb_is_space(cp)) continue;
        if (t->count == MAX_TOKENS) return false;
        char *tok = t->text[t->count++];
        size_t len = 0;
        if (!vb_is_alnum(cp)) {
            size_t k = vb_fold_cp(cp, f);
            len = k ? vb_utf8_put(tok, f[0]) : 0;
            tok[len] = '\0';
            continue;
        }
        i = at;
        while (i < n) {
            size_t before = i;
            cp = vb_utf8_next(s, n, &i);
            if (!vb_is_alnum(cp)) { i = before; break; }
            size_t k = vb_fold_cp(cp, f);
            for (size_t j = 0; j < k; j++) {
                if (len + 4 >= TOKEN_LEN) return false;
                len += vb_utf8_put(tok + len, f[j]);
            }
        }
        tok[len] = '\0';
    }
    return true;
}

static bool is_number(const char *tok, int max_digits)
{
    int len = (int)strlen(tok);
    if (len == 0 || len > max_digits) return false;
    for (int i = 0; i < len; i++)
        if (tok[i] < '0' || tok[i] > '9') return false;
    return true;
}

/* "19th", "1st", "22nd", "3rd", "1er": a day with its ordinal suffix. */
static bool ordinal(const char *tok)
{
    size_t n = strlen(tok), d = 0;
    while (d < n && tok[d] >= '0' && tok[d] <= '9') d++;
    if (d == 0 || d > 2) return false;
    const char *suffix = tok + d;
    return !strcmp(suffix, "th") || !strcmp(suffix, "st") || !strcmp(suffix, "nd") || !strcmp(suffix, "rd") ||
           !strcmp(suffix, "er");
}

static const struct { const char *name; int month; } months[] = {
    {"janvier", 1}, {"janv", 1}, {"jan", 1}, {"january", 1},
    {"fevrier", 2}, {"fevr", 2}, {"fev", 2}, {"february", 2}, {"feb", 2},
    {"mars", 3}, {"march", 3}, {"mar", 3},
    {"avril", 4}, {"avr", 4}, {"april", 4}, {"apr", 4},
    {"mai", 5}, {"may", 5},
    {"juin", 6}, {"june", 6}, {"jun", 6},
    {"juillet", 7}, {"juil", 7}, {"july", 7}, {"jul", 7},
    {"aout", 8}, {"august", 8}, {"aug", 8},
    {"septembre", 9}, {"sept", 9}, {"september", 9}, {"sep", 9},
    {"octobre", 10}, {"oct", 10}, {"october", 10},
    {"novembre", 11}, {"nov", 11}, {"november", 11},
    {"decembre", 12}, {"dec", 12}, {"december", 12},
};

static int month_of(const char *tok)
{
    for (size_t i = 0; i < sizeof months / sizeof months[0]; i++)
        if (strcmp(tok, months[i].name) == 0) return months[i].month;
    return 0;
}

static bool in_list(const char *tok, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(tok, *list) == 0) return true;
    return false;
}

static const char *const weekdays[] = {
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun", NULL};

/* Words that go with a printed date and say nothing else. */
static const char *const date_words[] = {
    "le", "publie", "publiee", "published", "posted", "on", "mis", "mise", "en", "ligne", "a",
    "at", "jour", "derniere", "last", "updated", "update", "modifie", "modified", "the", "date",
    "h", "am", "pm", "utc", "gmt", "cet", "cest", "edt", "est", "pst", "pdt", "of", "du", "er",
    "-", "|", ",", ":", ".", "/", "(", ")", "+", "·", "•", "–", "—", NULL};

/* Reads a date at tokens [i..]; returns the tokens used, 0 if none. */
static int read_date(const tokens *t, int i, vb_date *out)
{
    const int n = t->count;
#define TOK(k) ((k) < n ? t->text[k] : "")
    int day, month, year, k;
    /* YYYY-MM-DD */
    if (is_number(TOK(i), 4) && strlen(TOK(i)) == 4 && strcmp(TOK(i + 1), "-") == 0 &&
        is_number(TOK(i + 2), 2) && strcmp(TOK(i + 3), "-") == 0 && is_number(TOK(i + 4), 2)) {
        year = atoi(TOK(i)); month = atoi(TOK(i + 2)); day = atoi(TOK(i + 4));
        if (!vb_date_valid(year, month, day) || !month || !day) return 0;
        *out = (vb_date){year, month, day, VB_PRECISION_DAY};
        return 5;
    }
    /* DD/MM/YYYY and DD.MM.YYYY */
    if (is_number(TOK(i), 2) && (strcmp(TOK(i + 1), "/") == 0 || strcmp(TOK(i + 1), ".") == 0) &&
        is_number(TOK(i + 2), 2) && strcmp(TOK(i + 3), TOK(i + 1)) == 0 && is_number(TOK(i + 4), 4) &&
        strlen(TOK(i + 4)) == 4) {
        day = atoi(TOK(i)); month = atoi(TOK(i + 2)); year = atoi(TOK(i + 4));
        if (!vb_date_valid(year, month, day) || !month || !day) return 0;
        *out = (vb_date){year, month, day, VB_PRECISION_DAY};
        return 5;
    }
    /* D[er] MONTH[.][,] YYYY */
    k = i;
    if (is_number(TOK(k), 2) || ordinal(TOK(k))) {
        day = atoi(TOK(k));
        k++;
        if ((month = month_of(TOK(k))) != 0) {
            k++;
            if (strcmp(TOK(k), ".") == 0) k++;
            if (strcmp(TOK(k), ",") == 0) k++;
            if (is_number(TOK(k), 4) && strlen(TOK(k)) == 4) {
                year = atoi(TOK(k));
                if (!vb_date_valid(year, month, day) || !day) return 0;
                *out = (vb_date){year, month, day, VB_PRECISION_DAY};
                return k + 1 - i;
            }
        }
    }
    /* MONTH[.] D[th][,] YYYY and MONTH YYYY */
    k = i;
    if ((month = month_of(TOK(k))) != 0) {
        k++;
        if (strcmp(TOK(k), ".") == 0) k++;
        if (is_number(TOK(k), 2) || ordinal(TOK(k))) {
            day = atoi(TOK(k));
        k++;
            if (strcmp(TOK(k), "th") == 0 || strcmp(TOK(k), "st") == 0 || strcmp(TOK(k), "nd") == 0 ||
                strcmp(TOK(k), "rd") == 0) k++;
            if (strcmp(TOK(k), ",") == 0) k++;
            if (is_number(TOK(k), 4) && strlen(TOK(k)) == 4) {
                year = atoi(TOK(k));
                if (!vb_date_valid(year, month, day) || !day) return 0;
                *out = (vb_date){year, month, day, VB_PRECISION_DAY};
                return k + 1 - i;
            }
        } else if (is_number(TOK(k), 4) && strlen(TOK(k)) == 4) {
            year = atoi(TOK(k));
            if (!vb_date_valid(year, month, 0)) return 0;
            *out = (vb_date){year, month, 0, VB_PRECISION_MONTH};
            return k + 1 - i;
        }
    }
    return 0;
#undef TOK
}

/* A clock time: "21h59", "21h", "01:08:42" (its numbers and colons), "+0000". */
static int read_time(const tokens *t, int i)
{
    const char *tok = t->text[i];
    const char *h = strchr(tok, 'h');
    if (h && h != tok && is_number(h + 1, 2) == (h[1] != '\0')) {
        char hours[TOKEN_LEN];
        memcpy(hours, tok, (size_t)(h - tok));
        hours[h - tok] = '\0';
        if (is_number(hours, 2)) return 1;
    }
    if (is_number(tok, 2) && i + 2 < t->count && strcmp(t->text[i + 1], ":") == 0 &&
        is_number(t->text[i + 2], 2)) {
        int k = i + 3;
        if (k + 1 < t->count && strcmp(t->text[k], ":") == 0 && is_number(t->text[k + 1], 2)) k += 2;
        return k - i;
    }
    if (is_number(tok, 4) && i > 0 && (strcmp(t->text[i - 1], "+") == 0 || strcmp(t->text[i - 1], "-") == 0))
        return 1;
    return 0;
}

/* ---- the words of a dateline ----------------------------------------------
 *
 * Every word of letters alone that a dateline may hold: month names,
 * weekdays, date words and ordinal suffixes. Each is packed as a number,
 * five bits a letter, into a sorted array, so that a line of prose is turned
 * down at its first word that is none of them, before it is tokenized. */
#define VOCAB_LETTERS 12

static uint64_t pack_word(const char *w, size_t n)
{
    uint64_t key = 0;
    for (size_t i = 0; i < n; i++) key = key << 5 | (uint64_t)((w[i] | 0x20) - 'a' + 1);
    return key;
}

#define COUNT(a) (sizeof (a) / sizeof *(a))
static const char *const ordinal_suffixes[] = {"th", "st", "nd", "rd", NULL};
static uint64_t vocab[COUNT(months) + COUNT(weekdays) + COUNT(date_words) + COUNT(ordinal_suffixes)];
static size_t vocab_count;
static pthread_once_t vocab_once = PTHREAD_ONCE_INIT;

static int compare_keys(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void add_vocab(const char *w)
{
    size_t n = strlen(w);
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z') return; /* a mark: not a word */
    if (n <= VOCAB_LETTERS) vocab[vocab_count++] = pack_word(w, n); /* vocab has room for every word */
}

static void build_vocab(void)
{
    const char *const *lists[] = {weekdays, date_words, ordinal_suffixes};
    for (size_t i = 0; i < COUNT(months); i++) add_vocab(months[i].name);
    for (size_t l = 0; l < COUNT(lists); l++)
        for (const char *const *w = lists[l]; *w; w++) add_vocab(*w);
    qsort(vocab, vocab_count, sizeof vocab[0], compare_keys);
}

/* False when line holds a word of ASCII letters that no dateline holds;
 * true when it may be a dateline. Words that touch other letters (accents)
 * or hold digits are left to the tokenizer. */
static bool may_be_dateline(const char *line, size_t n)
{
    pthread_once(&vocab_once, build_vocab);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)line[i];
        if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !(c >= '0' && c <= '9')) { i++; continue; }
        size_t start = i;
        bool digits = false;
        for (; i < n; i++) {
            c = (unsigned char)line[i];
            if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') continue;
            if (c >= '0' && c <= '9') { digits = true; continue; }
            break;
        }
        bool touches = (i < n && (unsigned char)line[i] >= 0x80) || (start > 0 && (unsigned char)line[start - 1] >= 0x80);
        if (digits || touches) continue;
        if (i - start > VOCAB_LETTERS) return false;
        uint64_t key = pack_word(line + start, i - start);
        if (!bsearch(&key, vocab, vocab_count, sizeof vocab[0], compare_keys)) return false;
    }
    return true;
}

bool vb_dateline(const char *line, size_t n, vb_date *out)
{
    tokens t;
    bool found = false;
    if (n > 200) return false;
    if (!vb_has_digit(line, n) || !may_be_dateline(line, n)) return false; /* no date without a year */
    if (!tokenize(line, n, &t) || t.count == 0) return false;
    for (int i = 0; i < t.count;) {
        vb_date d;
        int used = read_date(&t, i, &d);
        if (used) {
            if (!found) *out = d;
            found = true;
            i += used;
        } else if ((used = read_time(&t, i)) != 0) {
            i += used;
        } else if (in_list(t.text[i], weekdays) || in_list(t.text[i], date_words)) {
            i++;
        } else {
            return false;
        }
    }
    return found;
}

bool vb_find_rfc2822(const char *text, size_t n, vb_date *out)
{
    static const char days[] = "Mon Tue Wed Thu Fri Sat Sun ";
    bool found = false;
    /* Every "Ddd, " is a candidate: find the commas, look back three letters. */
    for (const char *p = text; (p = memchr(p, ',', (size_t)(text + n - p))) != NULL; p++) {
        size_t i = (size_t)(p - text);
        if (i < 3 || i + 2 >= n || p[1] != ' ') continue;
        const char *day = p - 3;
        if (i > 3 && vb_is_alnum((unsigned char)day[-1])) continue;
        bool is_day = false;
        for (size_t d = 0; d < 7 && !is_day; d++) is_day = memcmp(day, days + d * 4, 3) == 0;
        if (!is_day) continue;
        /* "DD Mon YYYY HH:MM" must follow: tokenize a bounded window. */
        size_t start = i + 2, end = start + 40 < n ? start + 40 : n;
        tokens t;
        vb_date date;
        if (!tokenize(text + start, end - start, &t) || t.count < 3) continue;
        if (read_date(&t, 0, &date) == 3 && date.precision == VB_PRECISION_DAY && t.count > 3 &&
            read_time(&t, 3) >= 3) {
            *out = date;
            found = true;
        }
    }
    return found;
}
