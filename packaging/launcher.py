"""Entry point of the PyInstaller bundle: the same `coderai` command (no arguments opens the GUI)."""

import sys

from coderai_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
