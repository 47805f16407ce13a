/* files.h - reading article files safely: regular files only, bounded size. */
#ifndef VERBATIM_FILES_H
#define VERBATIM_FILES_H

#include <stddef.h>

#include "verbatim/status.h"

/* Reads path into a new buffer (*data, *len; NUL-terminated). Refuses what
 * is not a regular file, or is larger than max_size, with VB_EINVAL and a
 * reason in why; VB_ERR with the system's reason when it cannot be read. */
vb_status vb_read_file(const char *path, size_t max_size, char **data, size_t *len, char why[96]);

#endif
