/* fuzz_dates.c - the date readers: vb_dateline (one line of a page),
 * vb_find_rfc2822 (a whole text), vb_date_parse (an API parameter or the
 * crawler's marker). Input: the line, text or string, all three at once. */
#include "fuzz.h"
#include "verbatim/dates.h"

static void check_period(const vb_date *d, const char *who)
{
    FUZZ_CHECK(d->precision >= VB_PRECISION_YEAR && d->precision <= VB_PRECISION_DAY, "%s: precision %d", who,
               (int)d->precision);
    FUZZ_CHECK(vb_date_valid(d->year, d->month, d->day), "%s: %d-%d-%d is not a date", who, d->year, d->month, d->day);
    FUZZ_CHECK((d->precision >= VB_PRECISION_MONTH) == (d->month != 0), "%s: precision %d, month %d", who,
               (int)d->precision, d->month);
    FUZZ_CHECK((d->precision == VB_PRECISION_DAY) == (d->day != 0), "%s: precision %d, day %d", who, (int)d->precision,
               d->day);
    int first = vb_date_first_day(d), last = vb_date_last_day(d);
    FUZZ_CHECK(first >= 10000101 && first <= last && last <= 99991231, "%s: days %d..%d", who, first, last);
    FUZZ_CHECK(vb_date_within(d, d), "%s: not within itself", who);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    vb_date d = {-1, -1, -1, VB_PRECISION_NONE};

    if (vb_dateline(s, size, &d)) check_period(&d, "vb_dateline");

    d = (vb_date){-1, -1, -1, VB_PRECISION_NONE};
    if (vb_find_rfc2822(s, size, &d)) {
        check_period(&d, "vb_find_rfc2822");
        FUZZ_CHECK(d.precision == VB_PRECISION_DAY, "vb_find_rfc2822: precision %d", (int)d.precision);
    }

    /* vb_date_parse takes a C string: the input up to its first NUL. It
     * accepts exactly what vb_date_format prints back. */
    char *str = fuzz_strndup(data, size);
    d = (vb_date){-1, -1, -1, VB_PRECISION_NONE};
    if (vb_date_parse(str, &d) == VB_OK) {
        char buf[11];
        check_period(&d, "vb_date_parse");
        vb_date_format(&d, buf);
        FUZZ_CHECK(!strcmp(buf, str), "vb_date_parse('%s') formats back as '%s'", str, buf);
    } else {
        FUZZ_CHECK(d.year == -1, "vb_date_parse('%s') failed but wrote *out", str);
    }
    free(str);
    return 0;
}
