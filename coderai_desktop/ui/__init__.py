"""The only package that imports Qt: the window, its pages and dialogs, the task runner."""

import os

# qasync picks its Qt binding from QT_API, else from the first it can import (PyQt5 before PySide6).
os.environ.setdefault("QT_API", "pyside6")
