"""Entry point of ``python3 -m specsim_plots`` (what ``specsim plot`` runs).

A Python without one of the modules the figures need gets one line naming the Debian package
(exit 2), not a traceback; a closed pipe (``specsim plot ... | head``) ends the command quietly.
"""

import os
import sys

DEBIAN_PACKAGES = {"numpy": "python3-numpy", "h5py": "python3-h5py", "matplotlib": "python3-matplotlib",
                   "yaml": "python3-yaml"}

try:
    from .cli import main
except ModuleNotFoundError as e:
    top = (e.name or "").split(".")[0]
    package = DEBIAN_PACKAGES.get(top)
    hint = f": apt-get install {package}" if package else ""
    print(f"specsim plot: {sys.executable} has no module {top}{hint} (or set SPECSIM_PYTHON)", file=sys.stderr)
    sys.exit(2)

try:
    main()
except BrokenPipeError:
    # The reader has gone: send what is still buffered nowhere, and stop without a traceback.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
