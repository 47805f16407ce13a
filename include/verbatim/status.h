/* status.h - the one status convention of verbatim. */
#ifndef VERBATIM_STATUS_H
#define VERBATIM_STATUS_H

typedef enum vb_status {
    VB_OK = 0,
    VB_ERR = -1,      /* generic failure, the log says why */
    VB_ENOMEM = -2,   /* an allocation failed */
    VB_EINVAL = -3,   /* malformed input */
    VB_ENOTFOUND = -4 /* no such thing */
} vb_status;

#endif
