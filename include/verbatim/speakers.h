/* speakers.h - what a speaker's name is and what kind of speaker it is.
 *
 * Pure string rules shared by extraction (one article) and the store (one
 * speaker across articles). */
#ifndef VERBATIM_SPEAKERS_H
#define VERBATIM_SPEAKERS_H

#include <stdbool.h>
#include <stddef.h>

#include "verbatim/quotes.h"
#include "verbatim/tokens.h"

/* Kind of a name made of tokens [a, b) of t: a person ("Nicole Ozer": a known
 * first name, or two or three capitalised words with no organisation marker),
 * else an organisation. */
vb_kind vb_name_kind(const vb_text *t, size_t a, size_t b);

/* Kind of a common noun phrase [a, b) (determiner included): a group for a
 * plural noun of people ("les actionnaires"), anonymous for one unnamed
 * person ("un employé d'Amazon"), organisation for a company noun. */
vb_kind vb_description_kind(const vb_text *t, size_t a, size_t b);

/* The name of tokens [a, b) without leading titles and determiners (and,
 * for groups, quantities: "une trentaine de groupes militants" -> "groupes
 * militants"). New string, or NULL. */
char *vb_speaker_name(const vb_text *t, size_t a, size_t b);

#endif
