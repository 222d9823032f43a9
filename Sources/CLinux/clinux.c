#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "clinux.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef RESOLVE_NO_MAGICLINKS
#define RESOLVE_NO_MAGICLINKS 0x02
#endif
#ifndef RESOLVE_BENEATH
#define RESOLVE_BENEATH 0x08
#endif

int llmkit_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int llmkit_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowfd) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowfd);
}

int llmkit_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int llmkit_set_nondumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int llmkit_set_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

/* Declared here rather than from <linux/openat2.h>, which older kernel headers lack. */
struct llmkit_open_how {
    uint64_t flags;
    uint64_t mode;
    uint64_t resolve;
};

int llmkit_openat2_beneath(int dirfd, const char *path, int flags, unsigned int mode) {
    struct llmkit_open_how how = { (uint64_t)flags, (flags & O_CREAT) ? mode : 0, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
    long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (fd < 0 && errno == EPERM) errno = ENOSYS; /* a seccomp filter that refuses new calls */
    return (int)fd;
}

int llmkit_o_path(void) {
    return O_PATH;
}

static volatile sig_atomic_t end_signal_caught = 0;
static int end_signal_pipe[2] = { -1, -1 };

static void llmkit_end_signal_handler(int signo) {
    int saved = errno;
    if (!end_signal_caught) end_signal_caught = signo;
    unsigned char byte = (unsigned char)signo;
    (void)!write(end_signal_pipe[1], &byte, 1);
    errno = saved;
}

int llmkit_catch_end_signals(void) {
    if (end_signal_pipe[0] >= 0) return end_signal_pipe[0];
    if (pipe2(end_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
    /* The read end blocks: one thread waits on it. The write end never blocks a handler. */
    fcntl(end_signal_pipe[0], F_SETFL, fcntl(end_signal_pipe[0], F_GETFL) & ~O_NONBLOCK);
    struct sigaction action = { 0 };
    action.sa_handler = llmkit_end_signal_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
    for (unsigned i = 0; i < sizeof signals / sizeof *signals; i++) {
        sigaddset(&action.sa_mask, signals[i]);
    }
    for (unsigned i = 0; i < sizeof signals / sizeof *signals; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
    }
    return end_signal_pipe[0];
}

int llmkit_end_signal_caught(void) {
    return end_signal_caught;
}
