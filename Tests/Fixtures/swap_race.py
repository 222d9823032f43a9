#!/usr/bin/env python3
"""swap_race.py A B SECONDS: exchanges the names A and B (a directory and a symlink) with
renameat2(RENAME_EXCHANGE) as fast as it can, for SECONDS, so that a path through A points
inside the root one moment and outside it the next. Prints the number of swaps."""
import ctypes
import os
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE = -100, 2
a, b, seconds = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2]), float(sys.argv[3])
end = time.monotonic() + seconds
swaps = 0
while time.monotonic() < end:
    if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
        sys.exit("renameat2: " + os.strerror(ctypes.get_errno()))
    swaps += 1
if swaps % 2:  # leave the names as they were
    libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
print(swaps)
