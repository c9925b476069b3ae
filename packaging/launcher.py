"""Entry point of the PyInstaller bundle: the same `coderai` command (no arguments opens the GUI)."""

import multiprocessing
import sys

from coderai_desktop.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # document readers run in spawned processes
    sys.exit(main())
