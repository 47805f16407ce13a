/* speakers.c - what a speaker's name is and what kind of speaker it is. */
#include "verbatim/speakers.h"

#include <stdlib.h>
#include <string.h>

vb_kind vb_name_kind(const vb_text *t, size_t a, size_t b)
{
    size_t words = 0, capitals = 0;
    bool marker = false, acronym = false;
    for (size_t i = a; i < b; i++) {
        const vb_token *k = &t->tok[i];
        if (!k->word) continue;
        if (vb_tok_is(k, VB_LEX_TITLE)) continue;
        words++;
        capitals += k->cap;
        marker |= vb_tok_is(k, VB_LEX_ORG_MARKER);
        acronym |= k->upper;
    }
    if (marker || acronym) return VB_KIND_ORGANIZATION;
    /* skip titles to find the first word */
    size_t first = a;
    while (first < b && (vb_tok_is(&t->tok[first], VB_LEX_TITLE) || !t->tok[first].word)) first++;
    if (first < b) {
        if (vb_tok_is(&t->tok[first], VB_LEX_FIRST_NAME)) return VB_KIND_PERSON;
        if (first > a) return VB_KIND_PERSON; /* "Mme Ozer" */
    }
    if (words >= 2 && words <= 3 && capitals == words) return VB_KIND_PERSON;
    return VB_KIND_ORGANIZATION;
}

static bool plural_word(const char *w)
{
    size_t n = strlen(w);
    return n > 3 && (w[n - 1] == 's' || w[n - 1] == 'x');
}

vb_kind vb_description_kind(const vb_text *t, size_t a, size_t b)
{
    /* English puts the head last ("union members", "a Harlow Motors
     * employee"), French first ("les militants de X"): a noun of a group of
     * people anywhere makes a group, then a noun of one person, then a
     * company noun. */
    bool human = false, company = false, indef = false;
    for (size_t i = a; i < b; i++) {
        const vb_token *k = &t->tok[i];
        if (!k->word) continue;
        if (!strcmp(k->fold, "un") || !strcmp(k->fold, "une") || !strcmp(k->fold, "a") || !strcmp(k->fold, "an")) indef = true;
        if (vb_tok_is(k, VB_LEX_COLLECTIVE) && !k->cap) return VB_KIND_GROUP;
        human |= vb_tok_is(k, VB_LEX_HUMAN) && !k->cap;
        company |= vb_tok_is(k, VB_LEX_COMPANY) && !k->cap;
    }
    if (human) return VB_KIND_ANONYMOUS;
    if (company && !indef) return VB_KIND_ORGANIZATION;
    bool plural_det = false, indefinite = false;
    for (size_t i = a; i < b; i++) {
        const char *w = t->tok[i].fold;
        const vb_token *k = &t->tok[i];
        if (vb_tok_is(k, VB_LEX_DET)) {
            plural_det |= !strcmp(w, "les") || !strcmp(w, "des") || !strcmp(w, "ces") || !strcmp(w, "leurs") ||
                          !strcmp(w, "plusieurs") || !strcmp(w, "these") || !strcmp(w, "those");
            indefinite |= !strcmp(w, "un") || !strcmp(w, "une") || !strcmp(w, "a") || !strcmp(w, "an");
            continue;
        }
        if (!t->tok[i].word) continue;
        /* quantities: "une trentaine de", "17" */
        size_t n = strlen(w);
        if ((w[0] >= '0' && w[0] <= '9') || (n > 4 && !strcmp(w + n - 4, "aine")) || !strcmp(w, "de") || !strcmp(w, "d'")) {
            plural_det = true;
            continue;
        }
        if (vb_tok_is(k, VB_LEX_COLLECTIVE) || (plural_det && plural_word(w))) return VB_KIND_GROUP;
        if (vb_tok_is(k, VB_LEX_COMPANY)) return VB_KIND_ORGANIZATION;
        if (vb_tok_is(k, VB_LEX_HUMAN)) return VB_KIND_ANONYMOUS;
        if (!indefinite && plural_word(w) && !t->tok[i].cap) return VB_KIND_GROUP;
        break; /* the head noun decides */
    }
    return indefinite ? VB_KIND_ANONYMOUS : VB_KIND_GROUP;
}

char *vb_speaker_name(const vb_text *t, size_t a, size_t b)
{
    /* Drop titles, determiners and quantities ("une trentaine de"). */
    for (;;) {
        while (a < b && (!t->tok[a].word && strcmp(t->tok[a].fold, ".") == 0)) a++;
        if (a >= b) break;
        const char *w = t->tok[a].fold;
        bool is_title = vb_tok_is(&t->tok[a], VB_LEX_TITLE);
        bool title = is_title && a + 1 < b && t->tok[a + 1].word == false &&
                     strcmp(t->tok[a + 1].fold, ".") == 0;
        if (is_title && (title || (a + 1 < b && t->tok[a + 1].cap))) { a += title ? 2 : 1; continue; }
        if (vb_tok_is(&t->tok[a], VB_LEX_DET) && a + 1 < b) { a++; continue; }
        /* "une trentaine de", "17 actionnaires", "une dizaine d'" */
        size_t n = strlen(w);
        bool number = n > 0 && w[0] >= '0' && w[0] <= '9';
        bool about = n > 4 && (strcmp(w + n - 4, "aine") == 0 || strcmp(w + n - 5, "aines") == 0);
        if ((number || about) && a + 1 < b) {
            a++;
            if (a < b && (!strcmp(t->tok[a].fold, "de") || !strcmp(t->tok[a].fold, "d'") || !strcmp(t->tok[a].fold, "of"))) a++;
            continue;
        }
        break;
    }
    while (b > a && !t->tok[b - 1].word && strcmp(t->tok[b - 1].fold, ")") != 0) b--;
    if (a >= b) return NULL;
    return vb_text_slice(t, t->tok[a].start, t->tok[b - 1].end);
}
