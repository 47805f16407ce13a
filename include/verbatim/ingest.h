/* ingest.h - loading a folder of articles into the store, as one
 * transaction: files -> document pipeline -> store. */
#ifndef VERBATIM_INGEST_H
#define VERBATIM_INGEST_H

#include <stddef.h>

#include "verbatim/config.h"
#include "verbatim/status.h"
#include "verbatim/store.h"

typedef struct vb_load_stats {
    size_t files, parsed, unchanged, skipped, removed, quotes;
    double seconds;
    vb_finish_times phases; /* where the end of the load went */
    double files_seconds;   /* reading, parsing and writing the files */
} vb_load_stats;

/* Loads every *.txt of dir into s. Unchanged files (same content hash and
 * extractor version) are not parsed again; bad files are skipped with one
 * log line each. On failure nothing of this load is kept. */
vb_status vb_ingest(vb_store *s, const char *dir, size_t max_file_size, vb_load_stats *stats);

/* `verbatimd ingest`: opens the database, loads, prints a summary line. */
int vb_ingest_command(const vb_config *cfg);

#endif
