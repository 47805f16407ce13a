/* files.c - reading article files safely. */
#include "verbatim/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void identity_of(const struct stat *st, vb_file_id *id)
{
    id->size = (long long)st->st_size;
    id->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
    id->ctime_ns = (long long)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec;
    id->inode = (long long)st->st_ino;
}

bool vb_file_identity(const char *path, vb_file_id *id)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return false;
    identity_of(&st, id);
    return true;
}

bool vb_file_id_settled(const vb_file_id *id)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long now_ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec, recent = now_ns - 2000000000LL;
    return id->mtime_ns < recent && id->ctime_ns < recent;
}

bool vb_file_id_equal(const vb_file_id *a, const vb_file_id *b)
{
    return a->size == b->size && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns && a->inode == b->inode;
}

vb_status vb_read_file(const char *path, size_t max_size, char **data, size_t *len, char why[96], vb_file_id *id)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    /* O_NONBLOCK: a FIFO must not hang the load; O_NOFOLLOW is not used so
     * that a folder of symlinks to articles works, but fstat below refuses
     * anything that is not a regular file. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    *data = NULL;
    *len = 0;
    if (fd < 0) { snprintf(why, 96, "cannot open: %s", strerror(errno)); return VB_ERR; }
    if (fstat(fd, &st) != 0) { snprintf(why, 96, "cannot stat: %s", strerror(errno)); close(fd); return VB_ERR; }
    if (!S_ISREG(st.st_mode)) { snprintf(why, 96, "not a regular file"); close(fd); return VB_EINVAL; }
    if (id) identity_of(&st, id);
    if ((size_t)st.st_size > max_size) {
        snprintf(why, 96, "too large (%lld bytes, limit %zu)", (long long)st.st_size, max_size);
        close(fd);
        return VB_EINVAL;
    }
    if (!(buf = malloc((size_t)st.st_size + 1))) { snprintf(why, 96, "out of memory"); close(fd); return VB_ENOMEM; }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { snprintf(why, 96, "read error: %s", strerror(errno)); free(buf); close(fd); return VB_ERR; }
        if (n == 0) break; /* shrank while we read: take what is there */
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return VB_OK;
}
