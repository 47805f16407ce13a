/* replay.c - a main for the fuzz targets without libFuzzer: feeds every file
 * of the directories (and files) given to LLVMFuzzerTestOneInput once, in
 * name order, so corpora and crash regressions run as plain tests under any
 * compiler (make fuzz-replay builds it with gcc and ASan/UBSan).
 *
 *   fuzz_NAME [-v] DIR|FILE...      (-v: name each input as it runs)
 *
 * Inputs run in batches, each in a forked child that ends with one leak
 * check (LeakSanitizer's check costs milliseconds, and once it has seen a
 * leak it reports it again at every later check). A batch that leaks runs
 * again one input per child, to name the inputs that leak. A crash or
 * sanitizer report ends the run and names the input. An input slower than
 * VB_REPLAY_SLOW_MS (default 2000) fails the run. Ends with the slowest
 * input and one line "fuzz_NAME: N passed, N failed". */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

#define BATCH 256
#define LEAKED 42 /* a child's exit status: its inputs leaked */

static const char *current = "(none)";

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

/* What the children report, in memory shared with the parent. */
typedef struct stats {
    size_t slow;
    double slowest_ms;
    char slowest[4096];
} stats;

typedef struct paths {
    char **v;
    size_t count, cap;
} paths;

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void add_path(paths *p, const char *s)
{
    if (p->count == p->cap) {
        char **grown = realloc(p->v, (p->cap = p->cap ? p->cap * 2 : 256) * sizeof *grown);
        if (!grown) exit(1);
        p->v = grown;
    }
    if (!(p->v[p->count++] = strdup(s))) exit(1);
}

/* The regular files under path, folders in name order. */
static int collect(paths *out, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return 0; /* a corpus or regression folder not made yet */
    if (!S_ISDIR(st.st_mode)) { add_path(out, path); return 0; }
    DIR *d = opendir(path);
    if (!d) { fprintf(stderr, "replay: cannot open %s\n", path); return 1; }
    paths names = {0};
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* ., .., .gitkeep */
        size_t n = strlen(path) + strlen(e->d_name) + 2;
        char *full = malloc(n);
        if (!full) exit(1);
        snprintf(full, n, "%s/%s", path, e->d_name);
        add_path(&names, full);
        free(full);
    }
    closedir(d);
    if (names.count) qsort(names.v, names.count, sizeof *names.v, by_name);
    int bad = 0;
    for (size_t i = 0; i < names.count; i++) {
        if (stat(names.v[i], &st) == 0 && S_ISDIR(st.st_mode)) bad |= collect(out, names.v[i]);
        else if (stat(names.v[i], &st) == 0 && S_ISREG(st.st_mode)) add_path(out, names.v[i]);
        free(names.v[i]);
    }
    free(names.v);
    return bad;
}

/* Runs one input from a buffer of its exact size (so ASan sees reads past
 * its end). Returns the milliseconds it took, or -1 if it cannot be read. */
static double run_input(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 4096, n = 0, got;
    uint8_t *data = malloc(cap);
    while (data && (got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *grown = realloc(data, cap *= 2);
            if (!grown) free(data);
            data = grown;
        }
    }
    fclose(f);
    if (!data) { fprintf(stderr, "replay: out of memory for %s\n", path); exit(1); }
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) exit(1);
    memcpy(exact, data, n);
    free(data);
    current = path;
    double t0 = now_ms();
    LLVMFuzzerTestOneInput(exact, n);
    double ms = now_ms() - t0;
    free(exact);
    return ms;
}

static int leaked(void)
{
#ifdef REPLAY_ASAN
    return __lsan_do_recoverable_leak_check() != 0;
#else
    return 0;
#endif
}

/* Runs inputs [a, b) in a child; its exit status: 0, LEAKED, or what the
 * sanitizer or signal made it (a crash, already reported by the child). */
static int run_child(char **v, size_t a, size_t b, int quiet, double slow_ms, stats *st)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) { perror("replay: fork"); exit(1); }
    if (pid == 0) {
        for (size_t i = a; i < b; i++) {
            if (!quiet) fprintf(stderr, "replay: %s\n", v[i]);
            double ms = run_input(v[i]);
            if (ms < 0) { fprintf(stderr, "replay: cannot read %s\n", v[i]); st->slow++; continue; }
            if (ms > st->slowest_ms) {
                st->slowest_ms = ms;
                snprintf(st->slowest, sizeof st->slowest, "%s", v[i]);
            }
            if (ms > slow_ms) {
                fprintf(stderr, "replay: slow input (%.0f ms > %.0f ms): %s\n", ms, slow_ms, v[i]);
                st->slow++;
            }
        }
        current = "(the leak check after the inputs)";
        int leak = leaked();
        fflush(NULL);
        _exit(leak ? LEAKED : 0); /* no second leak check at exit */
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {}
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
    const char *slow = getenv("VB_REPLAY_SLOW_MS");
    double slow_ms = slow && atof(slow) > 0 ? atof(slow) : 2000;
    const char *program = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    int quiet = 1, first = 1;
    if (argc > 1 && !strcmp(argv[1], "-v")) { quiet = 0; first = 2; }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-v] DIR|FILE...\n", program);
        return 2;
    }
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    signal(SIGABRT, on_signal);
    signal(SIGSEGV, on_signal);
    signal(SIGBUS, on_signal);
    signal(SIGFPE, on_signal);
    signal(SIGILL, on_signal);
#ifdef REPLAY_ASAN
    __sanitizer_set_death_callback(say_current);
#endif
    paths all = {0};
    size_t failed = 0, done = 0;
    for (int i = first; i < argc; i++) failed += (size_t)collect(&all, argv[i]);

    stats *st = mmap(NULL, sizeof *st, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (st == MAP_FAILED) { perror("replay: mmap"); return 1; }
    memset(st, 0, sizeof *st);
    for (size_t a = 0; a < all.count; a += BATCH) {
        size_t b = a + BATCH < all.count ? a + BATCH : all.count;
        int rc = run_child(all.v, a, b, quiet, slow_ms, st);
        if (rc == LEAKED) {
            fprintf(stderr, "replay: a leak in inputs %zu..%zu; running them one by one\n", a + 1, b);
            size_t named = 0;
            for (size_t i = a; i < b; i++)
                if (run_child(all.v, i, i + 1, 1, slow_ms, st) == LEAKED) {
                    fprintf(stderr, "replay: leak on input %s\n", all.v[i]);
                    named++;
                }
            failed += named ? named : 1;
        } else if (rc != 0) {
            /* a crash: the child said which input; the run ends here */
            fprintf(stderr, "replay: stopped (status %d) in inputs %zu..%zu\n", rc, a + 1, b);
            done = a;
            break;
        }
        done = b;
    }
    failed += st->slow;
    if (done > all.count) done = all.count;
    printf("%s: %zu inputs of %zu, slowest %.0f ms%s%s\n", program, done, all.count, st->slowest_ms,
           st->slowest[0] ? ": " : "", st->slowest);
    /* inputs after a crash count as neither */
    size_t passed = done > failed ? done - failed : 0;
    if (done < all.count) failed++;
    printf("%s: %zu passed, %zu failed\n", program, passed, failed);
    fflush(stdout);
    for (size_t i = 0; i < all.count; i++) free(all.v[i]);
    free(all.v);
    munmap(st, sizeof *st);
    return failed ? 1 : 0;
}
