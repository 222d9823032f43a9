#!/usr/bin/env python3
"""peak_rss.py COMMAND...: runs COMMAND and prints its exit status and peak resident memory
in KiB (`STATUS KIB`) on the last line of stdout, after COMMAND's own stdout."""
import resource
import subprocess
import sys

status = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL).returncode
print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, flush=True)
