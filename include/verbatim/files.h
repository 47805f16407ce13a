/* files.h - reading article files safely: regular files only, bounded size. */
#ifndef VERBATIM_FILES_H
#define VERBATIM_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "verbatim/status.h"

/* What a file looked like: any write changes its size, its modification
 * time or at least its change time (which no program can set back). */
typedef struct vb_file_id {
    long long size, mtime_ns, ctime_ns, inode;
} vb_file_id;

/* Reads path into a new buffer (*data, *len; NUL-terminated). Refuses what
 * is not a regular file, or is larger than max_size, with VB_EINVAL and a
 * reason in why; VB_ERR with the system's reason when it cannot be read.
 * id (may be NULL) gets the identity of the file that was read. */
vb_status vb_read_file(const char *path, size_t max_size, char **data, size_t *len, char why[96], vb_file_id *id);

/* The identity of the regular file at path; false when it has none. */
bool vb_file_identity(const char *path, vb_file_id *id);

/* Can id be trusted to tell a later change? Not when the file changed
 * less than two seconds before now: a second write in the same clock tick
 * could leave every field as it is (git calls such files "racy"). */
bool vb_file_id_settled(const vb_file_id *id);

bool vb_file_id_equal(const vb_file_id *a, const vb_file_id *b);

#endif
