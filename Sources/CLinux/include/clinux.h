#ifndef LLMKIT_CSPAWN_H
#define LLMKIT_CSPAWN_H

#include <spawn.h>

/* GNU extensions the Swift Glibc module does not expose (they need _GNU_SOURCE). */

/* pipe2(fds, O_CLOEXEC): no window in which another thread's spawn inherits the pipe. */
int llmkit_pipe_cloexec(int fds[2]);

/* Closes every descriptor >= lowfd in the child, whatever its close-on-exec flag. */
int llmkit_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowfd);

/* chdir in the child before exec. */
int llmkit_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

#endif
