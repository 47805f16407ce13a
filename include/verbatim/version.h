/* version.h - verbatimd's version, and the extractor's: a change of the
 * extractor version re-parses every file at the next load. */
#ifndef VERBATIM_VERSION_H
#define VERBATIM_VERSION_H

#define VB_VERSION "0.1.0"
#define VB_EXTRACTOR_VERSION "1"

#endif
