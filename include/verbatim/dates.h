/* dates.h - publication dates with a precision, and the ways text gives them.
 *
 * Pure functions, no I/O. A vb_date is a period: a day, a month or a year. */
#ifndef VERBATIM_DATES_H
#define VERBATIM_DATES_H

#include <stdbool.h>
#include <stddef.h>

#include "verbatim/status.h"

typedef enum vb_precision {
    VB_PRECISION_NONE = 0,
    VB_PRECISION_YEAR = 1,
    VB_PRECISION_MONTH = 2,
    VB_PRECISION_DAY = 3
} vb_precision;

typedef struct vb_date {
    int year, month, day; /* month and day are 0 when the precision omits them */
    vb_precision precision;
} vb_date;

/* Parses exactly "YYYY", "YYYY-MM" or "YYYY-MM-DD" (a real calendar date,
 * years 1000..9999). VB_EINVAL for anything else. */
vb_status vb_date_parse(const char *s, vb_date *out);

/* Writes "YYYY", "YYYY-MM" or "YYYY-MM-DD" into buf (11 bytes); "" if none. */
void vb_date_format(const vb_date *d, char buf[11]);

/* "day", "month", "year" or NULL. */
const char *vb_precision_name(vb_precision p);

/* First and last day of the period as YYYYMMDD integers (0 if no date). */
int vb_date_first_day(const vb_date *d);
int vb_date_last_day(const vb_date *d);

bool vb_date_valid(int year, int month, int day);

/* True when line[0..n) is a dateline: nothing but a date in a form news sites
 * print ("19 Juin, 2018", "vendredi 4 décembre 2020", "June 19, 2018",
 * "le 14 Fév 2022", "2020-06-11", "29/10/2019", "Publié le 9 décembre 2014 à
 * 21h59 - Dernière mise à jour le ..."), with the words that go with one.
 * The first date of the line goes to *out. */
bool vb_dateline(const char *line, size_t n, vb_date *out);

/* Finds the last RFC 2822 stamp ("Thu, 11 Jun 2020 01:08:42 +0000") in
 * text[0..n); true and *out (day precision) if there is one. */
bool vb_find_rfc2822(const char *text, size_t n, vb_date *out);

/* True when the more precise date b lies inside the period a. */
bool vb_date_within(const vb_date *a, const vb_date *b);

#endif
