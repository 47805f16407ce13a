/* server.h - `verbatimd serve`: the store, the loader, the HTTP server and
 * the signals that drive them. */
#ifndef VERBATIM_SERVER_H
#define VERBATIM_SERVER_H

#include "verbatim/config.h"

/* Serves until SIGTERM or SIGINT; SIGHUP reloads the articles. Returns the
 * process exit status. */
int vb_serve(const vb_config *cfg);

#endif
