/* quotes.c - direct quotes in an article body, with who said them.
 *
 * Stages, each a pass over the tokens of the body:
 *   1. spans: pair quotation marks; nested marks stay inside; a paragraph
 *      that reopens « continues the quote; an unclosed mark ends at its
 *      paragraph (or at the end of the text, for a quote cut off there);
 *   2. cues: for each span, the attribution after it (", a indiqué X",
 *      ", écrivent-ils", "," said X"), before it in the same sentence ("X a
 *      appelé «", "X said: "", "selon X", a colon after a noun phrase), or
 *      failing both, the speaker of the sentence's other quotes, or of the
 *      previous quote when this one continues it;
 *   3. mentions: the noun phrase a cue points at, with its role in apposition
 *      ("Nicole Ozer, directrice ..."), an acronym in parentheses as alias;
 *   4. resolution: pronouns to the latest entity of the same number,
 *      descriptions ("la société", "un porte-parole") to the organisation
 *      the passage is about, last names to the full name given earlier. */
#include "verbatim/quotes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verbatim/speakers.h"
#include "verbatim/text.h"
#include "verbatim/tokens.h"

#define NONE ((size_t)-1)

typedef enum mention_type { M_NONE, M_NAME, M_PRONOUN, M_DESCRIPTION } mention_type;

typedef struct mention {
    mention_type type;
    size_t a, b;           /* tokens of the speaker's phrase */
    size_t role_a, role_b; /* tokens of its role, or role_a == role_b */
    size_t alias_a, alias_b; /* an acronym in parentheses */
    size_t cue_a, cue_b;   /* tokens of the cue */
} mention;

typedef struct span {
    size_t open, close;  /* tokens of the marks; close == NONE if not closed */
    size_t start, end;   /* code points of the text */
    size_t sentence_a, sentence_b; /* tokens of its sentence */
    mention m;
    size_t continues;    /* index of the span whose speaker it takes, or NONE */
} span;

typedef struct extractor {
    vb_text t;
    span *spans;
    size_t count, cap;
    size_t *in_span;     /* per token: span index + 1, or 0 */
    bool inside;         /* reading an incise between the marks: spans do not stop phrases */
    uint64_t *cap_mid;   /* hashes of words capitalised inside a sentence: a set, 0 for empty */
    size_t cap_mid_mask; /* its size - 1 */
    bool cap_mid_zero;   /* the hash 0, which has no slot */
    const void *dominant; /* cached dominant organisation (an entity), once known */
    bool dominant_known;
    struct scored *surnames; /* persons' full names by the hash of their last word */
    size_t surname_count;
    bool surnames_built;
} extractor;

/* Token i is quoted text, which noun phrases do not cross (unless reading an
 * incise inside the marks). */
static bool quoted(const extractor *x, size_t i) { return x->in_span[i] && !x->inside; }

static bool sentence_initial(const extractor *x, size_t i);
static bool name_at_sentence_start(const extractor *x, size_t i, size_t b);

/* ---- stage 1: spans ------------------------------------------------------ */

/* (The first bytes are compared first: most tokens differ there.) */
static bool is_fold(const vb_token *k, const char *s) { return !k->word && k->fold[0] == s[0] && !strcmp(k->fold, s); }
static bool word_is(const vb_token *k, const char *s) { return k->word && k->fold[0] == s[0] && !strcmp(k->fold, s); }

static bool opener(const char *f)
{
    unsigned char lead = (unsigned char)f[0];
    if (lead == '"') return f[1] == '\0';
    if (lead != 0xC2 && lead != 0xE2) return false; /* the UTF-8 lead bytes of the marks below */
    return !strcmp(f, "«") || !strcmp(f, "“") || !strcmp(f, "„") || !strcmp(f, "‹");
}

/* Space (or start of text) right before token i. */
static bool space_before(const extractor *x, size_t i)
{
    size_t at = x->t.tok[i].start;
    return at == 0 || vb_is_space(x->t.cp[at - 1]) || x->t.cp[at - 1] == '(' || x->t.cp[at - 1] == '[';
}

static bool space_after(const extractor *x, size_t i)
{
    size_t at = x->t.tok[i].end;
    return at >= x->t.len || vb_is_space(x->t.cp[at]) || !vb_is_alnum(x->t.cp[at]);
}

static bool closes(const extractor *x, const char *open, size_t j)
{
    const char *f = x->t.tok[j].fold;
    if (x->t.tok[j].word) return false;
    if (!strcmp(open, "«")) return !strcmp(f, "»");
    if (!strcmp(open, "‹")) return !strcmp(f, "›");
    if (!strcmp(open, "„")) return !strcmp(f, "“") || !strcmp(f, "”");
    if (!strcmp(open, "“")) return !strcmp(f, "”") || (!strcmp(f, "“") && !space_before(x, j) && space_after(x, j));
    if (!strcmp(open, "\"")) return !strcmp(f, "\"") && !space_before(x, j);
    return false;
}

static bool push_span(extractor *x, size_t open, size_t close, size_t last)
{
    if (x->count == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 16;
        span *grown = realloc(x->spans, cap * sizeof *grown);
        if (!grown) return false;
        x->spans = grown;
        x->cap = cap;
    }
    span *s = &x->spans[x->count];
    memset(s, 0, sizeof *s);
    s->open = open;
    s->close = close;
    s->continues = NONE;
    s->start = x->t.tok[open].end;
    s->end = close != NONE ? x->t.tok[close].start : x->t.tok[last].end;
    while (s->start < s->end && vb_is_space(x->t.cp[s->start])) s->start++;
    while (s->end > s->start && vb_is_space(x->t.cp[s->end - 1])) s->end--;
    size_t index = ++x->count;
    for (size_t i = open; i <= (close != NONE ? close : last); i++) x->in_span[i] = index;
    return true;
}

/* Is the mark at token i introduced as a quotation: a speech verb or a
 * colon just before it ("Il dit « ...", "a déclaré : « ...")? */
static bool introduced(const extractor *x, size_t i)
{
    char pron[8];
    for (size_t k = i, n = 0; k-- > 0 && n < 3 && !x->t.tok[k + 1].para_start; n++) {
        const vb_token *p = &x->t.tok[k];
        if (!p->word && !strcmp(p->fold, ":")) return true;
        if (p->word && vb_tok_inverted(p, VB_LEX_SPEECH, pron)) return true;
    }
    return false;
}

static bool find_spans(extractor *x)
{
    const vb_token *tok = x->t.tok;
    for (size_t i = 0; i < x->t.count; i++) {
        if (tok[i].word || !opener(tok[i].fold)) continue;
        if (!strcmp(tok[i].fold, "\"") && (!space_before(x, i) || i + 1 == x->t.count || space_before(x, i + 1)))
            continue; /* a straight quote that cannot open */
        const char *open = tok[i].fold;
        size_t depth = 0, j, last = i;
        bool closed = false, broke = false;
        for (j = i + 1; j < x->t.count; j++) {
            if (tok[j].para_start) {
                /* A paragraph that reopens the same mark goes on with the quote. */
                if (!tok[j].word && !strcmp(tok[j].fold, open) && strcmp(open, "\"") != 0) continue;
                broke = true;
                break;
            }
            if (depth == 0 && closes(x, open, j)) { closed = true; break; }
            if (!tok[j].word && !strcmp(tok[j].fold, open) && strcmp(open, "\"") != 0 && strcmp(open, "“") != 0) depth++;
            else if (depth > 0 && !strcmp(open, "«") && !strcmp(tok[j].fold, "»")) depth--;
            last = j;
        }
        if (last == i && !closed) continue; /* nothing inside */
        if (closed) {
            if (j == i + 1) continue;
            if (!push_span(x, i, j, j - 1)) return false;
            i = j;
        } else {
            /* Unclosed: a quote cut off by the end of the text counts; one
             * cut by its paragraph counts only when it opens the paragraph
             * (a forgotten closing mark); a stray mark inside a paragraph
             * (a title missing its closer) quotes nothing. */
            if (broke && !tok[i].para_start && !introduced(x, i)) continue;
            if (!push_span(x, i, NONE, last)) return false;
            i = last;
        }
    }
    return true;
}

/* ---- sentences ----------------------------------------------------------- */

static bool sentence_end(const extractor *x, size_t i)
{
    const vb_token *k = &x->t.tok[i];
    if (k->word || x->in_span[i]) return false;
    if (strcmp(k->fold, ".") && strcmp(k->fold, "!") && strcmp(k->fold, "?") && strcmp(k->fold, "…")) return false;
    if (i > 0 && x->t.tok[i - 1].word) {
        const vb_token *p = &x->t.tok[i - 1];
        /* "M. Das", "J. Smith": initials and titles do not end sentences. */
        if (p->cap && (p->end - p->start == 1 || vb_tok_is(p, VB_LEX_TITLE)) && !strcmp(k->fold, ".")) return false;
    }
    return true;
}

/* Sentences are bounded (MAX_SENTENCE tokens each way): text with no full
 * stop must not make the work quadratic. */
#define MAX_SENTENCE 400
/* How far back (tokens) a pronoun or a description looks for what it means. */
#define WINDOW 3000

static void sentence_of(const extractor *x, size_t i, size_t *a, size_t *b)
{
    size_t s = i, e = i;
    while (s > 0 && i - s < MAX_SENTENCE && !x->t.tok[s].para_start && !sentence_end(x, s - 1)) s--;
    while (e + 1 < x->t.count && e - i < MAX_SENTENCE && !x->t.tok[e + 1].para_start && !sentence_end(x, e)) e++;
    *a = s;
    *b = e + 1;
}

/* ---- stage 3: mentions --------------------------------------------------- */

/* A word that links the words of a name ("de", "of"), or "&". */
static bool is_connector(const vb_token *k)
{
    return k->word ? vb_tok_is(k, VB_LEX_CONNECTOR) : !strcmp(k->fold, "&");
}

/* A role: the words after a comma up to the end of the apposition. */
static size_t read_role(const extractor *x, size_t i, size_t limit)
{
    size_t n = 0;
    while (i < limit && n < 24) {
        const vb_token *k = &x->t.tok[i];
        if (quoted(x, i)) break;
        if (!k->word && (strchr(".,;:!?()«»\"“”", k->fold[0]) || !strcmp(k->fold, "«") || !strcmp(k->fold, "»"))) break;
        if (k->word && (!strcmp(k->fold, "qui") || !strcmp(k->fold, "dans") || !strcmp(k->fold, "lors") ||
                        !strcmp(k->fold, "who") || !strcmp(k->fold, "in") || !strcmp(k->fold, "sous") ||
                        !strcmp(k->fold, "lundi") || !strcmp(k->fold, "mardi") || !strcmp(k->fold, "mercredi") ||
                        !strcmp(k->fold, "jeudi") || !strcmp(k->fold, "vendredi") || !strcmp(k->fold, "samedi") ||
                        !strcmp(k->fold, "dimanche") || vb_tok_is(k, VB_LEX_SPEECH)))
            break;
        i++;
        n++;
    }
    return i;
}

/* Reads the noun phrase that starts at token i (before limit) into *m. */
/* A French verb in the third person plural right after a plural noun:
 * "les représentants des usagers restent sceptiques". */
static bool plural_verb_after(const vb_token *prev, const vb_token *k)
{
    size_t n = strlen(k->fold), p = strlen(prev->fold);
    return prev->word && k->word && !k->cap && n >= 5 && !strcmp(k->fold + n - 3, "ent") && p > 2 &&
           (prev->fold[p - 1] == 's' || prev->fold[p - 1] == 'x') && !vb_tok_is(k, VB_LEX_HUMAN) &&
           !vb_tok_is(k, VB_LEX_COLLECTIVE) && !vb_tok_is(k, VB_LEX_COMPANY);
}

/* Reads the noun phrase that starts at token i (before limit) into *m:
 * a pronoun, a proper name, or a description; with, where the text gives
 * them, a role ("Nicole Ozer, directrice ...", "Fire Chief Daniel Okafor",
 * "l'architecte Guillaume Petit") and an acronym alias. */
static bool read_np(const extractor *x, size_t i, size_t limit, mention *m)
{
    const vb_token *tok = x->t.tok;
    size_t a = i, b;
    if (i >= limit || quoted(x, i) || !tok[i].word) return false;
    if (vb_tok_is(&tok[i], VB_LEX_PRONOUN)) {
        m->type = M_PRONOUN;
        m->a = i;
        m->b = i + 1;
        return true;
    }
    /* determiners and titles */
    while (i < limit && tok[i].word && (vb_tok_is(&tok[i], VB_LEX_DET) || vb_tok_is(&tok[i], VB_LEX_TITLE)) &&
           !(tok[i].cap && tok[i].upper)) {
        i++;
        if (i < limit && is_fold(&tok[i], ".")) i++;
    }
    if (i >= limit || !tok[i].word || quoted(x, i)) return false;
    bool office_of = vb_tok_is(&tok[i], VB_LEX_HUMAN) && i + 1 < limit && is_connector(&tok[i + 1]);
    if (tok[i].cap && !vb_tok_is(&tok[i], VB_LEX_STOP_NP) && !office_of) {
        /* A proper name: capitalised words, with connectors between them;
         * an organisation name may carry lower-case words ("Commissariat à
         * la protection de la vie privée du Canada"). */
        bool org = vb_tok_is(&tok[i], VB_LEX_ORG_MARKER);
        b = i + 1;
        size_t j = b;
        while (j < limit && !quoted(x, j) && j - i < 14) {
            const vb_token *k = &tok[j];
            if (k->word && k->cap) { b = ++j; continue; }
            if (k->word && is_connector(k)) { j++; continue; }
            /* lower-case words only after "à", "de", "la" ... and at most two
             * in a row (a noun and its adjective): "à la protection de la vie
             * privée du Canada", never "Police Chief X defended the program" */
            bool after_link = j > i && (is_connector(&tok[j - 1]) || !strcmp(tok[j - 1].fold, "a") ||
                                        (j >= 2 && !tok[j - 1].cap && is_connector(&tok[j - 2])));
            if (org && k->word && !vb_tok_is(k, VB_LEX_SPEECH) && (after_link || !strcmp(k->fold, "a")) &&
                (!strcmp(k->fold, "a") || (!vb_tok_is(k, VB_LEX_STOP_NP) && !vb_tok_is(k, VB_LEX_AUX)))) {
                j++;
                b = j;
                continue;
            }
            break;
        }
        m->type = M_NAME;
        /* "a Harlow Motors employee", "union members": a name that qualifies
         * a noun of people is a description of them. */
        if (b < limit && !tok[b].cap && (vb_tok_is(&tok[b], VB_LEX_HUMAN) || vb_tok_is(&tok[b], VB_LEX_COLLECTIVE))) {
            b++;
            m->type = M_DESCRIPTION;
            /* "Board member Luis Romero": the office, then the name */
            size_t n = b;
            while (n < limit && !quoted(x, n) && tok[n].word && tok[n].cap) n++;
            if (n > b) {
                m->type = M_NAME;
                m->role_a = a;
                m->role_b = b;
                a = b;
                b = n;
            }
        }
    } else {
        /* A description: the head noun, its adjectives and complements
         * ("de X"; "aux finances", "à la culture" after a noun of office). */
        bool office = vb_tok_is(&tok[i], VB_LEX_HUMAN);
        b = i + 1;
        while (b < limit && !quoted(x, b) && b - a < 14) {
            const vb_token *k = &tok[b];
            if (!k->word) {
                if (!strcmp(k->fold, "-")) { b++; continue; }
                break;
            }
            if (k->cap) { /* "l'architecte Guillaume Petit", "employé d'Amazon": see below */
                b++;
                continue;
            }
            if (office && b + 1 < limit && tok[b + 1].word && !tok[b + 1].cap &&
                (((!strcmp(k->fold, "aux") || !strcmp(k->fold, "au")) && !vb_tok_is(&tok[b + 1], VB_LEX_DET) &&
                  !vb_tok_is(&tok[b + 1], VB_LEX_SPEECH)) ||
                 (!strcmp(k->fold, "a") && (!strcmp(tok[b + 1].fold, "la") || !strcmp(tok[b + 1].fold, "l'"))))) {
                b++;
                continue;
            }
            if (vb_tok_is(k, VB_LEX_STOP_NP) && !is_connector(k)) break;
            if (vb_tok_is(k, VB_LEX_AUX)) break; /* "des associations ... ont exhorté" */
            if (vb_tok_is(k, VB_LEX_SPEECH) && !vb_tok_is(k, VB_LEX_HUMAN)) break;
            if (k->inverted) break;
            if (plural_verb_after(&tok[b - 1], k)) break;
            b++;
        }
        while (b > i + 1 && is_connector(&tok[b - 1])) b--;
        m->type = M_DESCRIPTION;
        /* "council member Rachel Ortiz", "l'élu écologiste Antoine Ferrer",
         * "le groupe de matériaux de construction Batiroc": the name that ends
         * the phrase is the speaker, the words before it its role. */
        size_t n = b;
        while (n > i && tok[n - 1].cap && tok[n - 1].word) n--;
        if (n < b && n > i && !is_connector(&tok[n - 1])) {
            m->type = M_NAME;
            m->role_a = a;
            m->role_b = n;
            a = n;
        }
    }
    m->a = a;
    m->b = b;
    /* "Mayor Jane Doe", "Fire Chief Daniel Okafor", "Attorney General Nadia
     * Brooks": capitalised titles of office before a name are its role. */
    if (m->type == M_NAME && !m->role_b) {
        size_t last_title = b;
        for (size_t k = a; k + 2 < b + 1 && k + 1 < b; k++)
            if (vb_tok_is(&tok[k], VB_LEX_HUMAN) && tok[k + 1].cap) last_title = k;
        if (last_title < b && b - (last_title + 1) >= 1 && b - (last_title + 1) <= 3 &&
            !vb_tok_is(&tok[last_title + 1], VB_LEX_ORG_MARKER) && b - a >= 2) {
            m->role_a = a;
            m->role_b = last_title + 1;
            m->a = last_title + 1;
        }
    }
    /* "American Civil Liberties Union (ACLU)" */
    if (b + 2 < limit && is_fold(&tok[b], "(") && tok[b + 1].word && tok[b + 1].upper && is_fold(&tok[b + 2], ")")) {
        m->alias_a = b + 1;
        m->alias_b = b + 2;
        b += 3;
    }
    /* Role in apposition: "Nicole Ozer, directrice ..." or "le directeur
     * général de la police nationale, Frédéric Péchenard"; and "Nicole Ozer
     * de la branche californienne d'ACLU". */
    if (m->type == M_NAME && b + 1 < limit && word_is(&tok[b], "de") && !tok[b + 1].cap) {
        m->role_a = b;
        m->role_b = read_role(x, b, limit);
    } else if (b + 1 < limit && is_fold(&tok[b], ",")) {
        if (m->type == M_DESCRIPTION && tok[b + 1].cap && tok[b + 1].word) {
            mention name = {0};
            if (read_np(x, b + 1, limit, &name) && name.type == M_NAME) {
                m->role_a = m->a;
                m->role_b = m->b;
                m->type = M_NAME;
                m->a = name.a;
                m->b = name.b;
                m->alias_a = name.alias_a;
                m->alias_b = name.alias_b;
            }
        } else if (m->type == M_NAME && tok[b + 1].word &&
                   (!vb_tok_is(&tok[b + 1], VB_LEX_STOP_NP) ||
                    ((!strcmp(tok[b + 1].fold, "a") || !strcmp(tok[b + 1].fold, "an") || !strcmp(tok[b + 1].fold, "the")) &&
                     b + 2 < limit && tok[b + 2].word && !tok[b + 2].cap))) {
            m->role_a = b + 1;
            m->role_b = read_role(x, b + 1, limit);
        }
    }
    return true;
}

/* ---- stage 2: cues ------------------------------------------------------- */

/* Skips words that stand between a cue and its subject (", le 22 juin
 * dernier,", "mercredi", "également"). */
static size_t skip_between(const extractor *x, size_t k, size_t limit)
{
    const vb_token *tok = x->t.tok;
    for (int guard = 0; k < limit && guard < 12; guard++) {
        if (tok[k].word && vb_tok_is(&tok[k], VB_LEX_SKIP)) { k++; continue; }
        /* "de son côté", "pour sa part", "à son tour", "for her part" */
        if (k + 2 < limit && tok[k + 1].word && tok[k + 2].word &&
            (!strcmp(tok[k + 1].fold, "son") || !strcmp(tok[k + 1].fold, "sa") || !strcmp(tok[k + 1].fold, "leur") ||
             !strcmp(tok[k + 1].fold, "his") || !strcmp(tok[k + 1].fold, "her") || !strcmp(tok[k + 1].fold, "their")) &&
            (!strcmp(tok[k + 2].fold, "cote") || !strcmp(tok[k + 2].fold, "part") || !strcmp(tok[k + 2].fold, "tour"))) {
            k += 3;
            continue;
        }
        if (is_fold(&tok[k], ",")) {
            /* an insertion between commas with no name in it */
            size_t j = k + 1;
            bool name = false;
            while (j < limit && j - k < 8 && !is_fold(&tok[j], ",") && !sentence_end(x, j)) name |= tok[j++].cap;
            if (j < limit && is_fold(&tok[j], ",") && !name) { k = j + 1; continue; }
        }
        break;
    }
    return k;
}

/* The cue after a span: ", a indiqué X", ", écrivent-ils", "," said X",
 * "," X said". */
static bool cue_after(const extractor *x, const span *s, mention *m)
{
    const vb_token *tok = x->t.tok;
    size_t k = s->close + 1, limit = s->sentence_b;
    char pron[8] = "";
    if (s->close == NONE) return false;
    while (k < limit && (is_fold(&tok[k], ",") || is_fold(&tok[k], "-") || is_fold(&tok[k], "–"))) k++;
    if (k >= limit || !tok[k].word || x->in_span[k]) return false;
    size_t cue_a = k;
    if (vb_tok_inverted(&tok[k], VB_LEX_AUX, pron)) {
        k++;
        while (k < limit && tok[k].word && vb_tok_is(&tok[k], VB_LEX_SKIP)) k++;
    }
    char vpron[8] = "";
    if (k < limit && tok[k].word && vb_tok_inverted(&tok[k], VB_LEX_SPEECH, vpron)) {
        m->cue_a = cue_a;
        m->cue_b = ++k;
        if (vpron[0] || pron[0]) {
            m->type = M_PRONOUN;
            m->a = vpron[0] ? k - 1 : cue_a;
            m->b = m->a + 1;
            return true;
        }
        k = skip_between(x, k, limit);
        return read_np(x, k, limit, m);
    }
    /* English and French subject-first: "," X said", "» X dit". */
    mention np = {0};
    if (read_np(x, cue_a, limit, &np) && np.b < limit) {
        size_t v = np.role_b > np.b ? np.role_b : np.b;
        if (np.alias_b) v = np.alias_b + 1 > v ? np.alias_b + 1 : v;
        if (v < limit && is_fold(&tok[v], ",")) v++;
        if (v < limit && vb_tok_is(&tok[v], VB_LEX_AUX)) v++;
        if (v < limit && tok[v].word && vb_tok_is(&tok[v], VB_LEX_SPEECH)) {
            *m = np;
            m->cue_a = v;
            m->cue_b = v + 1;
            return true;
        }
    }
    return false;
}

/* Does token i start a noun phrase (a determiner, a name, a noun)? */
static bool starts_np(const extractor *x, size_t i)
{
    const vb_token *k = &x->t.tok[i];
    if (i >= x->t.count || quoted(x, i) || !k->word) return false;
    if (vb_tok_is(k, VB_LEX_STOP_NP) && !vb_tok_is(k, VB_LEX_DET)) return false;
    return k->cap || vb_tok_is(k, VB_LEX_DET) || vb_tok_is(k, VB_LEX_HUMAN) || vb_tok_is(k, VB_LEX_COLLECTIVE) ||
           vb_tok_is(k, VB_LEX_COMPANY);
}

/* The start of the clause that ends before token end: after a comma,
 * colon, conjunction or the sentence start. */
static size_t clause_start(const extractor *x, size_t sentence_a, size_t end)
{
    const vb_token *tok = x->t.tok;
    size_t start = end;
    while (start > sentence_a) {
        const vb_token *p = &tok[start - 1];
        if (x->in_span[start - 1]) break;
        if (!p->word && strchr(",;:()", p->fold[0])) break;
        if (p->word && (!strcmp(p->fold, "que") || !strcmp(p->fold, "qu'") || !strcmp(p->fold, "quand") ||
                        !strcmp(p->fold, "lorsque") || !strcmp(p->fold, "lorsqu'") || !strcmp(p->fold, "mais") ||
                        !strcmp(p->fold, "car") || !strcmp(p->fold, "et") || !strcmp(p->fold, "that") ||
                        !strcmp(p->fold, "but") || !strcmp(p->fold, "and") || !strcmp(p->fold, "when")))
            break;
        start--;
    }
    return start;
}

/* The start of the phrase between the previous comma (or the sentence
 * start) and end: an apposition may hold "et" ("technologies et libertés"). */
static size_t comma_segment(const extractor *x, size_t sentence_a, size_t end)
{
    size_t start = end;
    while (start > sentence_a && !x->in_span[start - 1] &&
           !(!x->t.tok[start - 1].word && strchr(",;:()", x->t.tok[start - 1].fold[0])))
        start--;
    return start;
}

/* The subject of the speech verb at v: the noun phrase that starts its
 * clause ("Nicole Ozer a appelé", "elles accusent", "X said:"); past an
 * apposition ("Le recteur, Yves Bertin, estime", "Nicole Ozer, directrice
 * de ..., a déclaré"); after the verb in an incise (", a indiqué l'OPC,");
 * or the pronoun of an inverted auxiliary ("a-t-il poursuivi"). */
static bool subject_of(const extractor *x, size_t sentence_a, size_t v, mention *m)
{
    const vb_token *tok = x->t.tok;
    size_t k = v;
    char pron[8];
    /* back over the auxiliary, negation, adverbs, reflexive */
    while (k > sentence_a && tok[k - 1].word &&
           (vb_tok_inverted(&tok[k - 1], VB_LEX_AUX, pron) || vb_tok_is(&tok[k - 1], VB_LEX_SKIP) ||
            !strcmp(tok[k - 1].fold, "n'") || !strcmp(tok[k - 1].fold, "ne") || !strcmp(tok[k - 1].fold, "s'"))) {
        if (tok[k - 1].pronoun[0] && vb_tok_inverted(&tok[k - 1], VB_LEX_AUX, pron)) {
            m->type = M_PRONOUN;
            m->a = k - 1;
            m->b = k;
            m->cue_a = k - 1;
            m->cue_b = v + 1;
            return true;
        }
        k--;
    }
    size_t end = k;
    bool after_comma = end > sentence_a && !tok[end - 1].word && strchr(",;:", tok[end - 1].fold[0]);
    if (after_comma && tok[end - 1].fold[0] == ',') {
        /* "X, apposition, verb": the phrase between the commas, or the one
         * before it when the one between describes X. Each must be one whole
         * noun phrase, or it is no apposition. */
        size_t seg = comma_segment(x, sentence_a, end - 1);
        mention inner = {0}, outer = {0};
        size_t role = seg > sentence_a + 1 && tok[seg - 1].fold[0] == ',' ? comma_segment(x, sentence_a, seg - 1) : seg;
        bool verbless = true; /* an apposition has no verb: "se poursuivra" is a clause */
        for (size_t t = seg; t < end - 1 && verbless; t++)
            verbless = !(tok[t].word && ((vb_tok_is(&tok[t], VB_LEX_AUX) && !word_is(&tok[t], "a")) ||
                                         vb_tok_is(&tok[t], VB_LEX_SPEECH) ||
                                         word_is(&tok[t], "se") || word_is(&tok[t], "s'") || word_is(&tok[t], "qui") ||
                                         word_is(&tok[t], "who") || word_is(&tok[t], "que")));
        if (seg < end - 1 && read_np(x, seg, end - 1, &inner) &&
            (inner.b >= end - 1 || (inner.type == M_DESCRIPTION && verbless))) {
            if (inner.type == M_NAME) {
                *m = inner;
                /* "Le recteur, Yves Bertin,": the phrase before is the role */
                if (seg > 0 && role < seg - 1) { m->role_a = role; m->role_b = seg - 1; }
                m->cue_a = end;
                m->cue_b = v + 1;
                return true;
            }
            if (inner.type == M_DESCRIPTION && role < seg - 1 && read_np(x, role, seg - 1, &outer) &&
                outer.type == M_NAME && outer.b >= seg - 1 &&
                (!sentence_initial(x, outer.a) || name_at_sentence_start(x, outer.a, outer.b))) {
                *m = outer;
                m->role_a = seg;
                m->role_b = end - 1;
                m->cue_a = end;
                m->cue_b = v + 1;
                return true;
            }
        }
    }
    /* An incise with the subject after the verb: ", a indiqué l'OPC, et". */
    size_t after = skip_between(x, v + 1, x->t.count);
    if ((end == sentence_a || after_comma) && starts_np(x, after)) {
        if (read_np(x, after, x->t.count, m) && m->type != M_PRONOUN) {
            m->cue_a = end;
            m->cue_b = v + 1;
            return true;
        }
    }
    if (end == sentence_a || after_comma) return false;
    size_t start = clause_start(x, sentence_a, end);
    if (start == end || end - start > 16) return false;
    if (!read_np(x, start, end, m)) return false;
    m->cue_a = end;
    m->cue_b = v + 1;
    return m->b <= end;
}

static bool according_to(const extractor *x, size_t i, size_t limit, mention *m, bool weak)
{
    const vb_token *tok = x->t.tok;
    size_t np;
    if (word_is(&tok[i], "selon")) np = i + 1;
    else if (word_is(&tok[i], "d'") && i + 1 < limit && word_is(&tok[i + 1], "apres")) np = i + 2;
    else if (word_is(&tok[i], "according") && i + 1 < limit && word_is(&tok[i + 1], "to")) np = i + 2;
    else if (weak && word_is(&tok[i], "pour") && i + 1 < limit && (tok[i + 1].cap || word_is(&tok[i + 1], "la") || word_is(&tok[i + 1], "l'") || word_is(&tok[i + 1], "le"))) np = i + 1;
    else return false;
    if (!read_np(x, np, limit, m)) return false;
    if (weak && m->type != M_NAME) return false;
    m->cue_a = i;
    m->cue_b = np;
    return true;
}

/* An incise between the marks: « Nous espérons, a-t-il dit, que ... »,
 * «... temps réel, assure-t-elle. Depuis ... ». */
static bool incise_inside(const extractor *x, const span *s, mention *m)
{
    const vb_token *tok = x->t.tok;
    size_t end = s->close != NONE ? s->close : x->t.count;
    for (size_t i = s->open + 2; i + 1 < end; i++) {
        char pron[8] = "", vpron[8] = "";
        if (!is_fold(&tok[i - 1], ",") || !tok[i].word) continue;
        size_t k = i;
        if (vb_tok_inverted(&tok[k], VB_LEX_AUX, pron)) k++;
        if (k >= end || !vb_tok_inverted(&tok[k], VB_LEX_SPEECH, vpron)) continue;
        if (!pron[0] && !vpron[0]) {
            /* « Nous espérons, a déclaré le maire, Denis Lacombe, que ... » */
            mention np = {0};
            size_t after = skip_between(x, k + 1, end);
            extractor *rw = (extractor *)(uintptr_t)x; /* reading inside the marks, for this call only */
            rw->inside = true;
            bool found = starts_np(x, after) && read_np(x, after, end, &np) && np.type != M_PRONOUN;
            rw->inside = false;
            if (!found) continue;
            size_t stop = np.role_b > np.b ? np.role_b : np.b;
            if (np.alias_b) stop = np.alias_b + 1 > stop ? np.alias_b + 1 : stop;
            if (stop >= end || !is_fold(&tok[stop], ",")) continue;
            *m = np;
            m->cue_a = i;
            m->cue_b = k + 1;
            return true;
        }
        if (k + 1 < end && !(is_fold(&tok[k + 1], ",") || is_fold(&tok[k + 1], "."))) continue;
        m->type = M_PRONOUN;
        m->a = vpron[0] ? k : i;
        m->b = m->a + 1;
        m->cue_a = i;
        m->cue_b = k + 1;
        return true;
    }
    return false;
}

/* Cues before the span, in its sentence. */
static bool cue_before(const extractor *x, const span *s, mention *m)
{
    const vb_token *tok = x->t.tok;
    size_t a = s->sentence_a;
    /* the last speech verb before the span, outside other quotes */
    for (size_t v = s->open; v-- > a;) {
        if (x->in_span[v] || !tok[v].word) continue;
        char pron[8];
        if (!vb_tok_inverted(&tok[v], VB_LEX_SPEECH, pron)) continue;
        /* "explique-t-elle :" */
        if (pron[0]) { m->type = M_PRONOUN; m->a = v; m->b = v + 1; m->cue_a = v; m->cue_b = v + 1; return true; }
        if (subject_of(x, a, v, m)) return true;
    }
    /* "selon X", "d'après X", "according to X" anywhere in the sentence */
    for (size_t i = a; i < s->sentence_b; i++)
        if (!x->in_span[i] && according_to(x, i, s->sentence_b, m, false)) return true;
    /* "une brève réponse d'un porte-parole : «": the last speaker-like
     * phrase before the colon. */
    if (s->open > a && is_fold(&tok[s->open - 1], ":")) {
        for (size_t i = s->open - 1; i-- > a;) {
            if (x->in_span[i] || !tok[i].word) continue;
            if (vb_tok_is(&tok[i], VB_LEX_HUMAN) || vb_tok_is(&tok[i], VB_LEX_COLLECTIVE) ||
                vb_tok_is(&tok[i], VB_LEX_COMPANY)) {
                size_t d = i;
                while (d > a && vb_tok_is(&tok[d - 1], VB_LEX_DET)) d--;
                if (read_np(x, d, s->open - 1, m)) { m->cue_a = m->cue_b = s->open - 1; return true; }
            }
        }
        for (size_t i = a; i + 1 < s->open; i++)
            if (!x->in_span[i] && according_to(x, i, s->open - 1, m, true)) return true;
        /* "Carla Nunez, who owns a bakery, put it bluntly: «": the name that
         * is the subject of the clause the colon ends. */
        mention subject = {0};
        if (read_np(x, a, s->open - 1, &subject) && subject.type == M_NAME &&
            (!sentence_initial(x, subject.a) || name_at_sentence_start(x, subject.a, subject.b)) &&
            subject.b < s->open && (is_fold(&tok[subject.b], ",") || vb_tok_is(&tok[subject.b], VB_LEX_AUX) ||
                                    (tok[subject.b].word && !tok[subject.b].cap))) {
            *m = subject;
            m->cue_a = m->cue_b = s->open - 1;
            return true;
        }
    }
    return false;
}

/* ---- stage 4: resolution ------------------------------------------------- */

typedef struct entity {
    size_t at;      /* token where it is mentioned */
    size_t a, b;    /* its name's tokens */
    vb_kind kind;
    bool plural;
    bool subject;   /* it starts a clause */
    bool description; /* a noun phrase, not a name ("la société") */
    size_t role;    /* token of the office its apposition gives ("maire"), or NONE */
} entity;

typedef struct entities {
    entity *items;
    size_t count, cap;
} entities;

static bool add_entity(entities *e, entity en)
{
    if (e->count == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 32;
        entity *grown = realloc(e->items, cap * sizeof *grown);
        if (!grown) return false;
        e->items = grown;
        e->cap = cap;
    }
    e->items[e->count++] = en;
    return true;
}

/* Does the clause that token i belongs to start at i (after ',', ';', ':',
 * a sentence end, "que"/"quand", or "selon"/"pour" which name a source)? */
static bool starts_clause(const extractor *x, size_t i)
{
    const vb_token *tok = x->t.tok;
    if (i == 0 || tok[i].para_start || sentence_end(x, i - 1)) return true;
    const vb_token *p = &tok[i - 1];
    if (!p->word) return !x->in_span[i - 1] && strchr(",;:", p->fold[0]) != NULL;
    /* Not after "que": the subject of reported speech is not the speaker. */
    return !strcmp(p->fold, "selon") || !strcmp(p->fold, "mais") || !strcmp(p->fold, "but");
}

static bool sentence_initial(const extractor *x, size_t i)
{
    return i == 0 || x->t.tok[i].para_start || sentence_end(x, i - 1) ||
           (!x->t.tok[i - 1].word && !strcmp(x->t.tok[i - 1].fold, "ⓘ"));
}

static uint64_t word_hash(const char *w)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *w; w++) h = (h ^ (unsigned char)*w) * 1099511628211ULL;
    return h;
}

/* The words the text capitalises inside sentences (names, not sentence
 * openers), as a set of hashes: built once per article. */
static bool index_capitalised(extractor *x)
{
    size_t caps = 0, size = 16;
    uint64_t *found = malloc((x->t.count + 1) * sizeof *found);
    if (!found) return false;
    for (size_t j = 0; j < x->t.count; j++)
        if (x->t.tok[j].cap && x->t.tok[j].word && !sentence_initial(x, j)) found[caps++] = word_hash(x->t.tok[j].fold);
    while (size < 2 * caps) size *= 2;
    if (!(x->cap_mid = calloc(size, sizeof *x->cap_mid))) { free(found); return false; }
    x->cap_mid_mask = size - 1;
    for (size_t j = 0; j < caps; j++) {
        uint64_t h = found[j];
        if (h == 0) { x->cap_mid_zero = true; continue; }
        size_t k = h & x->cap_mid_mask;
        while (x->cap_mid[k] && x->cap_mid[k] != h) k = (k + 1) & x->cap_mid_mask;
        x->cap_mid[k] = h;
    }
    free(found);
    return true;
}

static bool capitalised_mid_sentence(const extractor *x, uint64_t h)
{
    if (h == 0) return x->cap_mid_zero;
    for (size_t k = h & x->cap_mid_mask; x->cap_mid[k]; k = (k + 1) & x->cap_mid_mask)
        if (x->cap_mid[k] == h) return true;
    return false;
}

/* A capitalised word that opens a sentence is a name only if the text also
 * capitalises it elsewhere, or it is an acronym or a known first name. */
static bool name_at_sentence_start(const extractor *x, size_t i, size_t b)
{
    const vb_token *tok = x->t.tok;
    if (b - i > 1 || tok[i].upper || vb_tok_is(&tok[i], VB_LEX_FIRST_NAME) ||
        vb_tok_is(&tok[i], VB_LEX_ORG_MARKER))
        return true;
    /* "Amazon a publié", "Amazon said": the subject of a verb */
    if (b < x->t.count && tok[b].word && !tok[b].cap) {
        size_t n = strlen(tok[b].fold);
        if (vb_tok_is(&tok[b], VB_LEX_AUX) || vb_tok_is(&tok[b], VB_LEX_SPEECH)) return true;
        if (n > 4 && !strcmp(tok[b].fold + n - 2, "ed")) return true; /* "Amazon released" */
    }
    return capitalised_mid_sentence(x, word_hash(tok[i].fold));
}

/* Every named entity and description of people or organisations outside the
 * quotes, in order. */
static bool index_entities(extractor *x, entities *e)
{
    const vb_token *tok = x->t.tok;
    for (size_t i = 0; i < x->t.count; i++) {
        if (x->in_span[i] || !tok[i].word) continue;
        mention m = {0};
        if (tok[i].cap && !vb_tok_is(&tok[i], VB_LEX_DET) && !vb_tok_is(&tok[i], VB_LEX_STOP_NP) &&
            !vb_tok_is(&tok[i], VB_LEX_PRONOUN) && !vb_tok_is(&tok[i], VB_LEX_SKIP) &&
            !vb_tok_is(&tok[i], VB_LEX_TITLE) && read_np(x, i, x->t.count, &m) && m.type == M_NAME) {
            size_t start = i;
            if (i > 0 && vb_tok_is(&tok[i - 1], VB_LEX_DET)) start = i - 1;
            if (!sentence_initial(x, i) || name_at_sentence_start(x, i, m.b)) {
                bool after_prep = start > 0 && vb_tok_is(&tok[start - 1], VB_LEX_PREPOSITION);
                entity en = {i, m.a, m.b, vb_name_kind(&x->t, m.a, m.b), false, starts_clause(x, start) && !after_prep,
                             false, NONE};
                if (!add_entity(e, en)) return false;
            }
            i = m.b - 1;
            continue;
        }
        bool people = vb_tok_is(&tok[i], VB_LEX_COLLECTIVE) || vb_tok_is(&tok[i], VB_LEX_HUMAN);
        bool company = vb_tok_is(&tok[i], VB_LEX_COMPANY);
        bool contracted = i > 0 && (word_is(&tok[i - 1], "au") || word_is(&tok[i - 1], "aux"));
        if (!tok[i].cap && (people || company) && i > 0 && (vb_tok_is(&tok[i - 1], VB_LEX_DET) || contracted)) {
            size_t d = contracted ? i : i - 1;
            while (d > 0 && tok[d - 1].word && !tok[d - 1].cap &&
                   (!strcmp(tok[d - 1].fold, "une") || !strcmp(tok[d - 1].fold, "un") || !strcmp(tok[d - 1].fold, "de") ||
                    !strcmp(tok[d - 1].fold, "d'") || (strlen(tok[d - 1].fold) > 4 &&
                    !strcmp(tok[d - 1].fold + strlen(tok[d - 1].fold) - 4, "aine"))))
                d--;
            bool after_prep = d > 0 && vb_tok_is(&tok[d - 1], VB_LEX_PREPOSITION);
            if (read_np(x, d, x->t.count, &m)) {
                vb_kind kind = m.type == M_NAME ? vb_name_kind(&x->t, m.a, m.b) : vb_description_kind(&x->t, m.a, m.b);
                /* "de l'adjointe au maire, Caroline Pozmentier": the name in
                 * apposition starts a clause of its own. */
                bool subject = (starts_clause(x, d) && !after_prep) || (m.type == M_NAME && starts_clause(x, m.a));
                entity en = {i, m.a, m.b, kind, kind == VB_KIND_GROUP, subject, m.type != M_NAME, NONE};
                for (size_t r = m.role_a; r < m.role_b && en.role == NONE; r++)
                    if (vb_tok_is(&tok[r], VB_LEX_HUMAN) || vb_tok_is(&tok[r], VB_LEX_COMPANY)) en.role = r;
                /* a company noun alone ("la société") stands for a named one: resolved later */
                if (m.type == M_NAME || people || company) {
                    if (!add_entity(e, en)) return false;
                }
                if (m.b > i) i = m.b - 1;
            }
        }
    }
    return true;
}


/* The organisation the article is about: the named one mentioned most,
 * subjects counting triple. */
typedef struct scored {
    uint64_t name; /* hash of the name's folded words */
    size_t index;  /* entity */
    size_t score;
} scored;

static int by_name_hash(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->name != y->name) return x->name < y->name ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static const entity *dominant_organisation(const extractor *cx, const entities *e)
{
    extractor *x = (extractor *)(uintptr_t)cx; /* the cache is not part of the answer */
    if (x->dominant_known) return x->dominant;
    x->dominant_known = true;
    x->dominant = NULL;
    scored *all = malloc((e->count + 1) * sizeof *all);
    size_t n = 0;
    if (!all) return NULL;
    for (size_t i = 0; i < e->count; i++) {
        const entity *en = &e->items[i];
        if (en->kind != VB_KIND_ORGANIZATION || en->description) continue;
        uint64_t h = 1469598103934665603ULL;
        for (size_t k = en->a; k < en->b; k++) h = (h ^ word_hash(x->t.tok[k].fold)) * 1099511628211ULL;
        all[n++] = (scored){h, i, en->subject ? 3 : 1};
    }
    qsort(all, n, sizeof *all, by_name_hash);
    size_t best_score = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i, score = 0;
        while (j < n && all[j].name == all[i].name) score += all[j++].score;
        /* ties go to the one named first: all[i] is its group's first mention */
        if (score > best_score || (score == best_score && x->dominant && all[i].index < (size_t)((const entity *)x->dominant - e->items))) {
            best_score = score;
            x->dominant = &e->items[all[i].index];
        }
        i = j;
    }
    free(all);
    return x->dominant;
}

/* The first entity mentioned at or after token at (entities are in order). */
static size_t entity_from(const entities *e, size_t at)
{
    size_t lo = 0, hi = e->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->items[mid].at < at) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The organisation a passage at token `at` is about: the latest organisation
 * named in the same paragraph before it, else the dominant one. */
static const entity *topic_organisation(const extractor *x, const entities *e, size_t at)
{
    size_t para = at;
    while (para > 0 && at - para < WINDOW && !x->t.tok[para].para_start) para--;
    for (size_t i = entity_from(e, at), first = entity_from(e, para); i-- > first;) {
        const entity *en = &e->items[i];
        if (en->kind == VB_KIND_ORGANIZATION && !en->description) return en;
    }
    return dominant_organisation(x, e);
}

typedef struct resolved {
    size_t a, b;       /* the name's tokens */
    vb_kind kind;
    bool description;  /* a noun phrase, not a name */
    size_t alias_a, alias_b;
    size_t role_a, role_b; /* "porte-parole" when a spokesperson speaks for it */
} resolved;

/* A person's last name alone, or with a title, resolves to the full name
 * given earlier in the article. */
static void full_name(const extractor *x, const entities *e, resolved *r)
{
    const vb_token *tok = x->t.tok;
    size_t a = r->a;
    while (a < r->b && (vb_tok_is(&tok[a], VB_LEX_TITLE) || !tok[a].word)) a++;
    if (r->b - a != 1) return;
    /* The full names of the article by their last word, indexed once. */
    extractor *cache = (extractor *)(uintptr_t)x;
    if (!cache->surnames_built) {
        cache->surnames_built = true;
        cache->surnames = calloc(e->count + 1, sizeof *cache->surnames);
        for (size_t i = 0; cache->surnames && i < e->count; i++) {
            const entity *en = &e->items[i];
            if (en->b - en->a >= 2 && en->kind == VB_KIND_PERSON)
                cache->surnames[cache->surname_count++] = (scored){word_hash(tok[en->b - 1].fold), i, 0};
        }
        if (cache->surnames) qsort(cache->surnames, cache->surname_count, sizeof *cache->surnames, by_name_hash);
    }
    scored key = {word_hash(tok[a].fold), 0, 0};
    size_t lo = 0, hi = x->surname_count;
    while (lo < hi) { /* the first entry of that hash: the earliest full name */
        size_t mid = (lo + hi) / 2;
        if (x->surnames[mid].name < key.name) lo = mid + 1;
        else hi = mid;
    }
    for (; lo < x->surname_count && x->surnames[lo].name == key.name; lo++) {
        const entity *en = &e->items[x->surnames[lo].index];
        if (strcmp(tok[en->b - 1].fold, tok[a].fold) != 0) continue;
        r->a = en->a;
        r->b = en->b;
        r->kind = VB_KIND_PERSON;
        return;
    }
}

static void resolve(const extractor *x, const entities *e, const span *spans, size_t index, resolved *out);

/* A pronoun at token `at` (before the quote at `quote`) stands for the latest
 * entity of its number mentioned before it: a clause's subject, or an earlier
 * quote's speaker. */
static void resolve_pronoun(const extractor *x, const entities *e, const span *spans, size_t index, size_t at,
                            const char *pronoun, resolved *out)
{
    bool plural = !strcmp(pronoun, "ils") || !strcmp(pronoun, "elles") || !strcmp(pronoun, "they");
    size_t best_at = 0;
    bool found = false;
    for (size_t i = entity_from(e, at > WINDOW ? at - WINDOW : 0), end = entity_from(e, at); i < end; i++) {
        const entity *en = &e->items[i];
        if (en->plural != plural) continue;
        if (!plural && !en->subject) continue;
        if (!found || en->at >= best_at) {
            best_at = en->at;
            out->a = en->a;
            out->b = en->b;
            out->kind = en->kind;
            out->description = en->description;
            found = true;
        }
    }
    for (size_t i = index > 50 ? index - 50 : 0; i < index; i++) {
        const span *p = &spans[i];
        if (p->m.type != M_NAME && p->m.type != M_DESCRIPTION) continue;
        if (p->open >= at || (found && p->open < best_at)) continue;
        bool p_plural = p->m.type == M_DESCRIPTION && vb_description_kind(&x->t, p->m.a, p->m.b) == VB_KIND_GROUP;
        if (p_plural != plural) continue;
        resolve(x, e, spans, i, out);
        best_at = p->open;
        found = true;
    }
    if (!found) out->kind = VB_KIND_NONE;
    /* A description of a company ("la société") stands for the organisation. */
    if (found && out->description && out->kind == VB_KIND_ORGANIZATION) {
        const entity *org = topic_organisation(x, e, at);
        if (org) { out->a = org->a; out->b = org->b; out->description = false; }
    }
}

static void resolve(const extractor *x, const entities *e, const span *spans, size_t index, resolved *out)
{
    const span *s = &spans[index];
    const mention *m = &s->m;
    const vb_token *tok = x->t.tok;
    memset(out, 0, sizeof *out);
    if (m->type == M_NAME) {
        out->a = m->a;
        out->b = m->b;
        out->kind = vb_name_kind(&x->t, m->a, m->b);
        out->alias_a = m->alias_a;
        out->alias_b = m->alias_b;
        full_name(x, e, out);
        return;
    }
    if (m->type == M_PRONOUN) {
        const vb_token *k = &tok[m->a];
        const char *p = vb_tok_is(k, VB_LEX_PRONOUN) ? k->fold : k->pronoun;
        resolve_pronoun(x, e, spans, index, m->a, p, out);
        return;
    }
    if (m->type == M_DESCRIPTION) {
        vb_kind kind = vb_description_kind(&x->t, m->a, m->b);
        /* "un porte-parole d'Amazon", "a spokesperson for X": the organisation. */
        bool spokes = false;
        for (size_t i = m->a; i < m->b; i++) {
            if (!spokes && (!strcmp(tok[i].fold, "porte-parole") || !strcmp(tok[i].fold, "spokesperson") ||
                            !strcmp(tok[i].fold, "spokesman") || !strcmp(tok[i].fold, "spokeswoman"))) {
                spokes = true;
                out->role_a = i;
                out->role_b = i + 1;
            }
            if (spokes && tok[i].cap) {
                size_t b = i + 1;
                while (b < m->b && (tok[b].cap || is_connector(&tok[b]))) b++;
                while (b > i + 1 && is_connector(&tok[b - 1])) b--;
                out->a = i;
                out->b = b;
                out->kind = VB_KIND_ORGANIZATION;
                return;
            }
        }
        /* "a ajouté le maire", "Réponse de l'association": the one the article
         * named with that noun ("face au maire sortant, Gérard Blanc",
         * "l'association Consom'Action"). Not for "un employé": indefinite
         * descriptions introduce someone new. */
        bool definite = !word_is(&tok[m->a], "un") && !word_is(&tok[m->a], "une") && !word_is(&tok[m->a], "a") &&
                        !word_is(&tok[m->a], "an");
        size_t head = NONE;
        for (size_t i = m->a; i < m->b && head == NONE; i++)
            if (vb_tok_is(&tok[i], VB_LEX_HUMAN) || vb_tok_is(&tok[i], VB_LEX_COMPANY)) head = i;
        if (definite && !spokes && head != NONE && kind != VB_KIND_GROUP) {
            for (size_t i = entity_from(e, s->open), first = entity_from(e, s->open > WINDOW ? s->open - WINDOW : 0);
                 i-- > first;) {
                const entity *en = &e->items[i];
                if (en->role == NONE || en->description) continue;
                if (strcmp(tok[en->role].fold, tok[head].fold) != 0) continue;
                out->a = en->a;
                out->b = en->b;
                out->kind = en->kind;
                return;
            }
        }
        /* An unnamed spokesperson speaks for the organisation the article is
         * about; "la société", "le groupe" for the one the passage is about. */
        const entity *org = spokes ? dominant_organisation(x, e)
                            : kind == VB_KIND_ORGANIZATION ? topic_organisation(x, e, s->open) : NULL;
        if (org) {
            out->a = org->a;
            out->b = org->b;
            out->kind = VB_KIND_ORGANIZATION;
            return;
        }
        out->a = m->a;
        out->b = m->b;
        out->kind = kind;
        out->description = true;
        /* "précise l'agence": the fuller phrase the article gave it earlier
         * ("l'agence régionale de santé"). */
        if (definite && head != NONE && m->b - head == 1) {
            size_t from = s->open > 4000 ? s->open - 4000 : 0;
            for (size_t i = from; i < m->a; i++) {
                if (quoted(x, i) || strcmp(tok[i].fold, tok[head].fold) != 0 || i == 0 ||
                    !vb_tok_is(&tok[i - 1], VB_LEX_DET))
                    continue;
                mention fuller = {0};
                if (!read_np(x, i - 1, x->t.count, &fuller)) continue;
                size_t fa = fuller.a, fb = fuller.b; /* the phrase, or the role it gave a name */
                if (fuller.type == M_NAME) { fa = fuller.role_a; fb = fuller.role_b; }
                if (fa == i - 1 && fb > i + 1 && fb - fa > out->b - out->a) {
                    out->a = fa;
                    out->b = fb;
                }
            }
        }
    }
}

/* ---- assembly ------------------------------------------------------------ */

const char *vb_kind_name(vb_kind k)
{
    switch (k) {
    case VB_KIND_PERSON: return "person";
    case VB_KIND_ORGANIZATION: return "organization";
    case VB_KIND_GROUP: return "group";
    case VB_KIND_ANONYMOUS: return "anonymous";
    default: return NULL;
    }
}

static void attribute(extractor *x)
{
    for (size_t i = 0; i < x->count; i++) {
        span *s = &x->spans[i];
        sentence_of(x, s->open, &s->sentence_a, &s->sentence_b);
        if (s->close != NONE && s->sentence_b <= s->close) {
            /* the quote's own sentence marks do not end the sentence that holds it */
            size_t a, b;
            sentence_of(x, s->close, &a, &b);
            s->sentence_b = b;
        }
    }
    for (size_t i = 0; i < x->count; i++) {
        span *s = &x->spans[i];
        mention m = {0}, before = {0};
        if (incise_inside(x, s, &m)) {
            s->m = m;
        } else if (cue_after(x, s, &m)) {
            /* "selon la préfète, X : « ... » explique-t-elle": the name wins
             * over the pronoun that stands for it. */
            if (m.type == M_PRONOUN && cue_before(x, s, &before) && before.type != M_PRONOUN) {
                before.cue_a = m.cue_a;
                before.cue_b = m.cue_b;
                m = before;
            }
            s->m = m;
        } else if (cue_before(x, s, &m)) {
            s->m = m;
        }
    }
    /* Quotes in one sentence share its cue. */
    for (size_t i = 0; i < x->count; i++) {
        span *s = &x->spans[i];
        if (s->m.type != M_NONE) continue;
        for (size_t j = i + 1; j < x->count && x->spans[j].sentence_a == s->sentence_a; j++)
            if (x->spans[j].m.type != M_NONE) { s->continues = j; break; }
        for (size_t j = i; s->continues == NONE && j-- > 0 && x->spans[j].sentence_b > s->open;)
            if (x->spans[j].m.type != M_NONE && x->spans[j].sentence_a == s->sentence_a) s->continues = j;
    }
}

static size_t paragraph_of(const extractor *x, size_t tok)
{
    while (tok > 0 && !x->t.tok[tok].para_start) tok--;
    return tok;
}

static size_t words_of(const span *s, const extractor *x)
{
    size_t n = 0;
    for (size_t i = s->open + 1; i < x->t.count && (s->close == NONE ? x->in_span[i] == x->in_span[s->open] : i < s->close); i++)
        n += x->t.tok[i].word;
    return n;
}

/* A quote with no cue continues the words of the previous attributed quote
 * when it stands in the same paragraph or the next one, and no other
 * speaker is named as a subject in between. Short scare quotes ("travailler")
 * in between neither take nor break the chain. */
static void continue_speakers(extractor *x, const entities *e)
{
    for (size_t i = 1; i < x->count; i++) {
        span *s = &x->spans[i];
        if (s->m.type != M_NONE || s->continues != NONE) continue;
        size_t prev = NONE;
        for (size_t j = i; j-- > 0;) {
            const span *p = &x->spans[j];
            if (p->m.type != M_NONE || p->continues != NONE) { prev = p->continues != NONE ? p->continues : j; break; }
            if (words_of(p, x) >= 4) break;
        }
        if (prev == NONE) continue;
        const span *p = &x->spans[prev];
        size_t para = paragraph_of(x, s->open), prev_para = paragraph_of(x, p->open);
        if (para != prev_para) {
            /* only the next paragraph */
            size_t k = para;
            if (k == 0) continue;
            if (paragraph_of(x, k - 1) != prev_para) continue;
        }
        size_t from = p->close != NONE ? p->close : p->open;
        bool other = false;
        for (size_t k = entity_from(e, from + 1), last = entity_from(e, s->open); k < last && !other; k++) {
            const entity *en = &e->items[k];
            if (!en->subject) continue;
            /* the same speaker named again does not break the chain */
            if (p->m.type == M_NAME && !strcmp(x->t.tok[en->b - 1].fold, x->t.tok[p->m.b - 1].fold)) continue;
            if (p->m.type == M_PRONOUN && en->kind == VB_KIND_PERSON) continue;
            other = true;
        }
        if (!other) s->continues = prev;
    }
}

static char *tokens_text(const extractor *x, size_t a, size_t b)
{
    if (a >= b) return NULL;
    return vb_text_slice(&x->t, x->t.tok[a].start, x->t.tok[b - 1].end);
}

/* True when every word of a (folded) is a word of b: "militants" in
 * "groupes militants". */
static bool words_within(const char *a, const char *b)
{
    char word[64];
    for (const char *p = a; *p;) {
        size_t n = strcspn(p, " ");
        if (n == 0 || n >= sizeof word) return false;
        memcpy(word, p, n);
        word[n] = '\0';
        bool found = false;
        for (const char *q = b; *q && !found;) {
            size_t m = strcspn(q, " ");
            found = m == n && !memcmp(q, word, n);
            q += m;
            while (*q == ' ') q++;
        }
        if (!found) return false;
        p += n;
        while (*p == ' ') p++;
    }
    return true;
}

/* A group named again more briefly ("les militants" after "une trentaine de
 * groupes militants") is the same group: it takes the fuller name. */
static void merge_groups(vb_quotes *q)
{
    for (size_t i = 0; i < q->count; i++) {
        vb_quote *a = &q->items[i];
        if (a->kind != VB_KIND_GROUP || !a->speaker) continue;
        char *fa = vb_fold(a->speaker);
        for (size_t j = 0; j < i && fa; j++) {
            vb_quote *b = &q->items[j];
            if (b->kind != VB_KIND_GROUP || !b->speaker || !strcmp(a->speaker, b->speaker)) continue;
            char *fb = vb_fold(b->speaker);
            if (fb && strlen(fb) > strlen(fa) && words_within(fa, fb)) {
                char *name = strdup(b->speaker);
                if (name) { free(a->speaker); a->speaker = name; }
                free(fb);
                break;
            }
            free(fb);
        }
        free(fa);
    }
}

vb_status vb_extract_quotes(const char *body, size_t len, const char *lang, vb_quotes *out)
{
    extractor x;
    entities e = {0};
    vb_status rc = VB_ENOMEM;
    (void)lang;
    memset(&x, 0, sizeof x);
    memset(out, 0, sizeof *out);
    if (!vb_text_init(&x.t, body, len)) return VB_ENOMEM;
    if (!(x.in_span = calloc(x.t.count + 1, sizeof *x.in_span))) goto done;
    if (!find_spans(&x) || !index_capitalised(&x)) goto done;
    attribute(&x);
    if (!index_entities(&x, &e)) goto done;
    continue_speakers(&x, &e);
    if (x.count && !(out->items = calloc(x.count, sizeof *out->items))) goto done;
    for (size_t i = 0; i < x.count; i++) {
        const span *s = &x.spans[i];
        size_t from = s->continues != NONE ? s->continues : i;
        vb_quote *q = &out->items[out->count++];
        q->start = s->start;
        q->end = s->end;
        if (!(q->text = vb_utf8_encode(x.t.cp + s->start, s->end - s->start))) goto done;
        const span *src = &x.spans[from];
        if (src->m.type == M_NONE) continue;
        resolved r;
        resolve(&x, &e, x.spans, from, &r);
        if (r.kind == VB_KIND_NONE || r.a >= r.b) continue;
        q->kind = r.kind;
        q->speaker = vb_speaker_name(&x.t, r.a, r.b);
        if (!q->speaker) continue;
        if (src->m.cue_b > src->m.cue_a && from == i) q->cue = tokens_text(&x, src->m.cue_a, src->m.cue_b);
        if (src->m.role_b > src->m.role_a && from == i) q->role = tokens_text(&x, src->m.role_a, src->m.role_b);
        else if (r.role_b > r.role_a) q->role = tokens_text(&x, r.role_a, r.role_b);
        if (r.alias_b > r.alias_a) q->aliases = tokens_text(&x, r.alias_a, r.alias_b);
    }
    merge_groups(out);
    rc = VB_OK;
done:
    if (rc != VB_OK) vb_quotes_free(out);
    free(e.items);
    free(x.cap_mid);
    free(x.surnames);
    free(x.spans);
    free(x.in_span);
    vb_text_free(&x.t);
    return rc;
}

void vb_quotes_free(vb_quotes *q)
{
    if (!q) return;
    for (size_t i = 0; i < q->count; i++) {
        free(q->items[i].text);
        free(q->items[i].cue);
        free(q->items[i].speaker);
        free(q->items[i].role);
        free(q->items[i].aliases);
    }
    free(q->items);
    memset(q, 0, sizeof *q);
}
