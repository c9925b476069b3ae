"""PyInstaller hook: the migrations' env.py and revisions are imported by Alembic from files, and what
they import must be in the bundle too."""

from PyInstaller.utils.hooks import collect_submodules

hiddenimports = [*collect_submodules("coderai_desktop"), "alembic.runtime.migration", "alembic.op"]
