#!/usr/bin/env python3
"""answer_on_tty.py ANSWER COMMAND...: runs COMMAND (through sh) with a pseudo-terminal as its
controlling terminal, types ANSWER and a newline whenever it prints "[y/N]" there, and
exits with its status. With TTY_LOG set, everything the command printed on the terminal
is saved to that file. Lets a test answer llm-tools --confirm the way a person would."""
import os
import pty
import sys

answer = sys.argv[1]
pid, master = pty.fork()
if pid == 0:
    os.execvp("sh", ["sh", "-c", sys.argv[2]])
seen = b""
everything = b""
while True:
    try:
        data = os.read(master, 1024)
    except OSError:
        break
    if not data:
        break
    seen += data
    everything += data
    if b"[y/N]" in seen:
        seen = b""
        os.write(master, (answer + "\n").encode())
_, status = os.waitpid(pid, 0)
if os.environ.get("TTY_LOG"):
    with open(os.environ["TTY_LOG"], "wb") as log:
        log.write(everything)
sys.exit(os.waitstatus_to_exitcode(status))
