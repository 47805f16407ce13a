/* config.h - verbatimd's settings, from flags, then environment, then
 * defaults (flags win). */
#ifndef VERBATIM_CONFIG_H
#define VERBATIM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "verbatim/status.h"

typedef enum vb_command { VB_CMD_SERVE, VB_CMD_INGEST, VB_CMD_EXTRACT, VB_CMD_HELP, VB_CMD_VERSION } vb_command;

typedef struct vb_config {
    vb_command command;
    const char *articles;    /* folder of *.txt */
    const char *db;          /* SQLite file */
    const char *listen;      /* HOST:PORT */
    const char *cors_origin;
    const char *public_url;  /* base of absolute links, or NULL: from Host */
    const char *log_format;  /* "text" or "json" */
    const char *web_root;    /* folder of the frontend's static files */
    unsigned threads;
    unsigned cache_max_age;  /* seconds */
    unsigned connection_limit;
    unsigned per_ip_limit;
    unsigned timeout;        /* seconds of inactivity before a connection is closed */
    size_t memory_limit;     /* bytes per connection */
    size_t max_file_size;    /* bytes; larger article files are skipped */
    size_t cache_size;       /* bytes of rendered responses kept in memory; 0: none */
    char **files;            /* extract: the files */
    int file_count;
} vb_config;

/* Fills *cfg from argv and the environment. On VB_EINVAL, err says why. */
vb_status vb_config_parse(int argc, char **argv, vb_config *cfg, char err[256]);

void vb_config_usage(void);

#endif
