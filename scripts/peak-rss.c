/* peak-rss COMMAND...: runs COMMAND (stdin, stdout and stderr inherited) and prints its peak
 * resident memory in KiB on stderr, as "peak-rss KIB". A process's peak survives exec, and
 * a child forked from Python starts with Python's; forked from this small program, the
 * figure is the command's own. Exits with COMMAND's status. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: peak-rss COMMAND...\n", stderr);
        return 64;
    }
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 71; }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror(argv[1]);
        _exit(127);
    }
    int status;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0) { perror("wait4"); return 71; }
    fprintf(stderr, "peak-rss %ld\n", usage.ru_maxrss);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
