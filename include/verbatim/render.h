/* render.h - JSON of a parsed document, as `verbatimd extract` prints it:
 * the shape of GET /v1/articles/{id}'s data, plus "file".
 *
 * Returns new jansson references, or NULL when out of memory. */
#ifndef VERBATIM_RENDER_H
#define VERBATIM_RENDER_H

#include <jansson.h>

#include "verbatim/document.h"

json_t *vb_render_document(const vb_document *doc);

#endif
