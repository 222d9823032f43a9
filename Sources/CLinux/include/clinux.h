#ifndef LLMKIT_CSYSTEM_H
#define LLMKIT_CSYSTEM_H

#include <spawn.h>

/* Linux calls and GNU extensions the Swift Glibc module does not expose (they need
   _GNU_SOURCE, or are raw system calls). */

/* pipe2(fds, O_CLOEXEC): no window in which another thread's spawn inherits the pipe. */
int llmkit_pipe_cloexec(int fds[2]);

/* Closes every descriptor >= lowfd in the child, whatever its close-on-exec flag. */
int llmkit_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowfd);

/* chdir in the child before exec. */
int llmkit_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/* prctl(PR_SET_DUMPABLE, 0): other processes of the same user (a tool) can no longer read
   this one's memory or /proc/PID/environ, where the keys are. */
int llmkit_set_nondumpable(void);

/* prctl(PR_SET_CHILD_SUBREAPER, 1): descendants whose parent dies are re-parented here,
   not to init, so a tool's daemonized grandchild can still be found and killed. */
int llmkit_set_child_subreaper(void);

/* openat2(dirfd, path, {flags, mode, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS}): the kernel
   resolves path without ever leaving dirfd's tree. -1 with errno ENOSYS where the kernel
   (or a seccomp filter) does not offer openat2. */
int llmkit_openat2_beneath(int dirfd, const char *path, int flags, unsigned int mode);

/* O_PATH (a GNU flag): a descriptor that names a file without opening it. */
int llmkit_o_path(void);

/* Catches SIGINT, SIGTERM, SIGHUP and SIGQUIT with a handler (SA_RESTART) that records the
   first one and writes its number to a pipe: async-signal-safe, whichever thread the kernel
   picks. Returns the pipe's read end, for one thread to wait on; -1 on failure. */
int llmkit_catch_end_signals(void);

/* The first end signal caught, or 0: read at exit, so a run that a signal already ended
   never also exits as finished. */
int llmkit_end_signal_caught(void);

#endif
