/* main.c - verbatimd: serve, ingest, extract. */
#include <jansson.h>
#include <libgen.h>
#include <stdbool.h>
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

/* Prints the array one document at a time, so memory stays flat however
 * many files there are. Takes text. */
static void print_document(char *text, size_t len, bool first)
{
    if (!text) return;
    fputs(first ? "[\n" : ",\n", stdout);
    fwrite(text, 1, len, stdout);
    free(text);
}

static int extract(const vb_config *cfg)
{
    static char out[1 << 20]; /* a document is some 10 KB of JSON: few writes */
    int rc = 0;
    setvbuf(stdout, out, _IOFBF, sizeof out);
    for (int i = 0; i < cfg->file_count; i++) {
        const char *path = cfg->files[i];
        char why[96], *data = NULL, *copy = strdup(path);
        size_t len;
        vb_document doc;
        const char *name = copy ? basename(copy) : path;
        vb_status st = vb_read_file(path, cfg->max_file_size, &data, &len, why, NULL);
        if (st == VB_OK) st = vb_document_parse(name, data, len, &doc, why);
        if (st == VB_OK) {
            size_t n = 0;
            char *text = vb_render_document(&doc, &n);
            print_document(text, n, i == 0);
            vb_document_free(&doc);
        } else {
            vb_log("warn", "skipped %s: %s", path, why[0] ? why : "out of memory");
            vb_buf b = {0};
            vb_buf_str(&b, "{\"file\":");
            vb_buf_json(&b, name);
            vb_buf_str(&b, ",\"error\":");
            vb_buf_json(&b, why);
            vb_buf_str(&b, "}");
            print_document(b.failed ? NULL : b.s, b.n, i == 0);
            rc = 1;
        }
        free(data);
        free(copy);
    }
    fputs(cfg->file_count ? "\n]\n" : "[]\n", stdout);
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
    vb_log_set_json(cfg.log_format && strcmp(cfg.log_format, "json") == 0);
    switch (cfg.command) {
    case VB_CMD_HELP: vb_config_usage(); return 0;
    case VB_CMD_VERSION: printf("verbatimd %s\n", VB_VERSION); return 0;
    case VB_CMD_EXTRACT: return extract(&cfg);
    case VB_CMD_INGEST: return vb_ingest_command(&cfg);
    case VB_CMD_SERVE: return vb_serve(&cfg);
    }
    return 2;
}
