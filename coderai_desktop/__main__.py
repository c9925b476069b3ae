"""`python -m coderai_desktop` behaves exactly like the `coderai` command."""

import sys

from coderai_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
