/*
 * cache_dir.h - where scorch keeps what it derives once and reuses across
 * runs (this boot's kernel symbols and kernel types, inflated debug
 * files): the directory
 * $SCORCH_CACHE_DIR, else $XDG_CACHE_HOME/scorch, else ~/.cache/scorch,
 * made with mode 0700.  SCORCH_CACHE_DIR set but empty turns caching off.
 * Only paths here; the files' formats belong to their owners.
 */
#ifndef SCORCH_SYMBOLS_CACHE_DIR_H
#define SCORCH_SYMBOLS_CACHE_DIR_H

/* "<cache dir>/<name>" (malloc'ed), NULL when caching is off or there
 * is no home.  With make, creates the directories on the way (name may
 * hold one "sub/" level); failures show later when the file is opened. */
char *cache_dir_path(const char *name, int make);

/* The cache file name opened for reading when it exists, is a regular
 * file and belongs to this user (*st filled); -1 otherwise, quietly. */
struct stat;
int cache_dir_open_own(const char *name, struct stat *st);

/* This boot's id (/proc/sys/kernel/random/boot_id: 36 characters, NUL
 * padded to 40), the key of what holds until the next boot; -1 when
 * unreadable. */
int cache_dir_boot_id(char id[40]);

#endif
