/* main.c - verbatimd: serve, ingest, extract. */
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbatim/config.h"
#include "verbatim/document.h"
#include "verbatim/files.h"
#include "verbatim/ingest.h"
#include "verbatim/log.h"
#include "verbatim/render.h"
#include "verbatim/server.h"
#include "verbatim/version.h"

static int extract(const vb_config *cfg)
{
    json_t *out = json_array();
    int rc = 0;
    for (int i = 0; i < cfg->file_count; i++) {
        const char *path = cfg->files[i];
        char why[96], *data = NULL, *copy = strdup(path);
        size_t len;
        vb_document doc;
        const char *name = copy ? basename(copy) : path;
        vb_status st = vb_read_file(path, cfg->max_file_size, &data, &len, why);
        if (st == VB_OK) st = vb_document_parse(name, data, len, &doc, why);
        if (st == VB_OK) {
            json_array_append_new(out, vb_render_document(&doc));
            vb_document_free(&doc);
        } else {
            vb_log("warn", "skipped %s: %s", path, why[0] ? why : "out of memory");
            json_array_append_new(out, json_pack("{s:s, s:s}", "file", name, "error", why));
            rc = 1;
        }
        free(data);
        free(copy);
    }
    json_dumpf(out, stdout, JSON_INDENT(1) | JSON_ENSURE_ASCII * 0);
    fputc('\n', stdout);
    json_decref(out);
    return rc;
}

int main(int argc, char **argv)
{
    vb_config cfg;
    char err[256];
    if (vb_config_parse(argc, argv, &cfg, err) != VB_OK) {
        fprintf(stderr, "verbatimd: %s\n", err);
        return 2;
    }
    vb_log_set_json(strcmp(cfg.log_format, "json") == 0);
    switch (cfg.command) {
    case VB_CMD_HELP: vb_config_usage(); return 0;
    case VB_CMD_VERSION: printf("verbatimd %s\n", VB_VERSION); return 0;
    case VB_CMD_EXTRACT: return extract(&cfg);
    case VB_CMD_INGEST: return vb_ingest_command(&cfg);
    case VB_CMD_SERVE: return vb_serve(&cfg);
    }
    return 2;
}
