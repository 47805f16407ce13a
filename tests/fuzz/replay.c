/* replay.c - a main for the fuzz targets without libFuzzer: feeds every file
 * of the directories (and files) given to LLVMFuzzerTestOneInput once, in
 * name order, so corpora and crash regressions run as plain tests under any
 * compiler (make fuzz-replay builds it with gcc and ASan/UBSan).
 *
 *   fuzz_NAME [-v] DIR|FILE...      (-v: name each input as it runs)
 *
 * A crash or sanitizer report ends the run and names the input. Leaks are
 * checked after each input when LeakSanitizer is there. An input slower than
 * VB_REPLAY_SLOW_MS (default 2000) fails the run. Ends with the slowest input
 * and one line "fuzz_NAME: N passed, N failed". */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REPLAY_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define REPLAY_ASAN 1
#endif

#ifdef REPLAY_ASAN
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static const char *current = "(none)";
static const char *program = "replay";

static void say_current(void)
{
    /* async-signal-safe: write(2) only */
    static const char a[] = "\nreplay: failed on input: ";
    ssize_t r = write(2, a, sizeof a - 1);
    r = write(2, current, strlen(current));
    r = write(2, "\n", 1);
    (void)r;
}

static void on_signal(int sig)
{
    say_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct run {
    size_t inputs, failed;
    double slow_ms, slowest_ms;
    char slowest[4096];
    int quiet;
} run;

static void one_file(run *r, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "replay: cannot open %s\n", path); r->inputs++; r->failed++; return; }
    size_t cap = 4096, len = 0, got;
    uint8_t *data = malloc(cap);
    while (data && (got = fread(data + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *grown = realloc(data, cap *= 2);
            if (!grown) { free(data); data = NULL; }
            data = grown;
        }
    }
    fclose(f);
    if (!data) { fprintf(stderr, "replay: out of memory for %s\n", path); exit(1); }
    /* an exact-size copy, so ASan sees reads past the input's end */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) exit(1);
    memcpy(exact, data, len);
    free(data);
    current = path;
    if (!r->quiet) fprintf(stderr, "replay: %s\n", path);
    double t0 = now_ms();
    LLVMFuzzerTestOneInput(exact, len);
    double ms = now_ms() - t0;
    free(exact);
    r->inputs++;
    int bad = 0;
#ifdef REPLAY_ASAN
    if (__lsan_do_recoverable_leak_check()) {
        fprintf(stderr, "replay: leak on input %s\n", path);
        bad = 1;
    }
#endif
    if (ms > r->slowest_ms) {
        r->slowest_ms = ms;
        snprintf(r->slowest, sizeof r->slowest, "%s", path);
    }
    if (ms > r->slow_ms) {
        fprintf(stderr, "replay: slow input (%.0f ms > %.0f ms): %s\n", ms, r->slow_ms, path);
        bad = 1;
    }
    r->failed += bad;
}

static void one_path(run *r, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return; /* a corpus or regression folder not made yet */
    if (!S_ISDIR(st.st_mode)) { one_file(r, path); return; }
    DIR *d = opendir(path);
    if (!d) { fprintf(stderr, "replay: cannot open %s\n", path); r->inputs++; r->failed++; return; }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* ., .., .gitkeep */
        if (count == cap) {
            char **grown = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (!grown) exit(1);
            names = grown;
        }
        size_t n = strlen(path) + strlen(e->d_name) + 2;
        if (!(names[count] = malloc(n))) exit(1);
        snprintf(names[count++], n, "%s/%s", path, e->d_name);
    }
    closedir(d);
    if (count) qsort(names, count, sizeof *names, by_name);
    for (size_t i = 0; i < count; i++) {
        if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode)) one_path(r, names[i]);
        else if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) one_file(r, names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    run r = {0};
    const char *slow = getenv("VB_REPLAY_SLOW_MS");
    r.slow_ms = slow && atof(slow) > 0 ? atof(slow) : 2000;
    r.quiet = 1;
    program = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    signal(SIGABRT, on_signal);
    signal(SIGSEGV, on_signal);
    signal(SIGBUS, on_signal);
    signal(SIGFPE, on_signal);
    signal(SIGILL, on_signal);
#ifdef REPLAY_ASAN
    __sanitizer_set_death_callback(say_current);
#endif
    int first = 1;
    if (argc > 1 && !strcmp(argv[1], "-v")) { r.quiet = 0; first = 2; }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-v] DIR|FILE...\n", program);
        return 2;
    }
    for (int i = first; i < argc; i++) one_path(&r, argv[i]);
    current = "(after the last input)";
    printf("%s: %zu inputs, slowest %.0f ms%s%s\n", program, r.inputs, r.slowest_ms, r.slowest[0] ? ": " : "",
           r.slowest);
    printf("%s: %zu passed, %zu failed\n", program, r.inputs - r.failed, r.failed);
    fflush(stdout);
    return r.failed ? 1 : 0;
}
