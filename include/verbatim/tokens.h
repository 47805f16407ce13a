/* tokens.h - a body as words and marks, with folded forms and positions,
 * plus the word lists the extractor reasons with.
 *
 * Pure. Shared by quotes.c (spans and cues) and speakers.c (mentions). */
#ifndef VERBATIM_TOKENS_H
#define VERBATIM_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A token is small (48 bytes, its folded text kept apart): the extractor
 * walks every token of an article many times. */
typedef struct vb_token {
    size_t start, end;   /* code point offsets in the body */
    const char *fold;    /* folded text ("ecrivent-ils", "d'", ","), cut at VB_FOLD_MAX bytes */
    const char *pronoun; /* the subject pronoun of an inverted form ("il"), or "" */
    uint32_t lex;        /* bit l set: the word is in list l (vb_lex) */
    uint32_t inverted;   /* bit l set: a form of list l with a subject pronoun ("ecrit-il") */
    bool word;           /* letters or digits (else one mark) */
    bool cap;            /* starts with a capital letter */
    bool upper;          /* all capitals, 2+ letters (an acronym: ACLU) */
    bool para_start;     /* first token of a paragraph */
} vb_token;

#define VB_FOLD_MAX 47

typedef struct vb_text {
    uint32_t *cp;       /* the body's code points */
    size_t len;
    vb_token *tok;
    size_t count;
    char *folds;        /* the tokens' folded texts, one after the other */
} vb_text;

/* Splits body into tokens. Elided articles stand alone ("d'", "l'"); a
 * hyphenated word stays one token ("porte-parole", "a-t-elle"). */
bool vb_text_init(vb_text *t, const char *body, size_t n);
void vb_text_free(vb_text *t);

/* The body's code points [start, end) as a new UTF-8 string, white space
 * folded to single spaces and trimmed. */
char *vb_text_slice(const vb_text *t, size_t start, size_t end);

/* Word lists (folded words). */
typedef enum vb_lex {
    VB_LEX_SPEECH,      /* speech verb forms in every tense and person */
    VB_LEX_AUX,         /* auxiliaries: a, ont, avait, has, was */
    VB_LEX_SKIP,        /* words between a cue and its subject: mercredi, hier, also */
    VB_LEX_DET,         /* determiners: le, la, les, un, the */
    VB_LEX_TITLE,       /* M., Mme, Dr */
    VB_LEX_PRONOUN,     /* il, elle, ils, elles, he, she, they */
    VB_LEX_HUMAN,       /* nouns for people: porte-parole, employé, directrice */
    VB_LEX_COLLECTIVE,  /* plural nouns for groups: militants, actionnaires */
    VB_LEX_COMPANY,     /* nouns that stand for an organisation: société, groupe, firm */
    VB_LEX_ORG_MARKER,  /* words in organisation names: Union, Foundation, Commission */
    VB_LEX_FIRST_NAME,  /* common first names */
    VB_LEX_STOP_NP,     /* words that end a noun phrase: dans, lors, qui, in, at */
    VB_LEX_ACCORDING,   /* selon, d'après (one token "d'apres" is never made: see quotes.c) */
    VB_LEX_STOP_FR,     /* the most common French words */
    VB_LEX_STOP_EN,     /* the most common English words */
    VB_LEX_CONNECTOR,   /* short words inside names: de, la, van, of, the, and */
    VB_LEX_PREPOSITION, /* de, dans, pour, of, in, with */
    VB_LEX_COUNT
} vb_lex;

bool vb_lex_has(vb_lex list, const char *folded);

/* The lists the folded word w[0..n) belongs to: bit l for list l. */
uint32_t vb_lex_lists(const char *w, size_t n);

/* The same for a word of 1 to 4 bytes given packed, byte j in bits 8j to
 * 8j + 7 (so "le" is 'l' | 'e' << 8): no hashing, one probe. */
uint32_t vb_lex_lists_short(uint32_t packed);

/* The same questions of a token, answered once when the text was split. */
static inline bool vb_tok_is(const vb_token *k, vb_lex list) { return (k->lex >> list) & 1u; }

/* A form of list, bare or with an inverted subject pronoun; *pronoun gets
 * the pronoun or "". */
bool vb_tok_inverted(const vb_token *k, vb_lex list, char pronoun[8]);

/* A speech verb form, possibly with an inverted subject pronoun
 * ("ecrivent-ils", "a-t-elle", "dit-il"): true if the part before the
 * pronoun is in list; *pronoun gets the pronoun ("" if none). */
bool vb_lex_inverted(vb_lex list, const char *folded, char pronoun[8]);

#endif
