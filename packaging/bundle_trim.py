"""What coderai.spec leaves out of the bundle, and why each cut is safe (sizes: Linux x86-64, PySide6 6.11).

The spec imports this module. packaging/check_bundle.py checks every build: the bundle's --self-test imports
every module of the app, paints the login dialog, reads each document format and writes each export format;
then the bundled GUI is started up to its login dialog.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable

# Python modules PyInstaller would follow but the app never imports.
EXCLUDED_MODULES = [
    # Not ours to ship: no Tk GUI (which also leaves out matplotlib's Tk backends), no notebook.
    "tkinter",
    "IPython",
    # matplotlib draws the charts (coderai_desktop/charts) on its Agg canvas only; its own test suite
    # (~6 MB) and testing helpers (which import pytest) are never imported.
    "matplotlib.tests",
    "matplotlib.testing",
    # Qt bindings the app does not import (it uses QtCore, QtGui and QtWidgets only). Leaving out QtNetwork
    # also leaves out libQt6Network and its tls/networkinformation plugins (~5 MB); libQt6DBus itself stays,
    # QtGui links it.
    "PySide6.QtNetwork",
    "PySide6.QtDBus",
    "PySide6.QtWebEngineCore",
    "PySide6.Qt3DCore",
    # zstandard (24 MB, two backends) comes with langsmith. Both importers guard it: httpx only offers zstd to
    # servers when it is importable, and langsmith needs it only to compress traces uploaded to LangSmith,
    # which the app never enables.
    "zstandard",
    # numpy's Fortran wrapper generator: a build tool, imported lazily by numpy only when asked for.
    "numpy.f2py",
    # SciPy (about 73 MB with its libraries) is in a build venv with the test extras (scikit-learn needs it);
    # pandas imports it only inside the interpolation and sparse functions, which the app never calls.
    "scipy",
    # Line editing for an interactive prompt (pulls libreadline and libtinfo); the app has no REPL.
    "readline",
]

# Qt plugins by type: None drops the whole type, a set drops the plugins so named (the file name without "lib"
# and extension: "qeglfs" is libqeglfs.so, qeglfs.dll and libqeglfs.dylib).
UNUSED_QT_PLUGINS: dict[str, set[str] | None] = {
    # Embedded-device platforms (no window system), VNC and Vulkan-display: the app runs on xcb, wayland,
    # cocoa or windows (and offscreen/minimal for tests and the self-test).
    "platforms": {"qeglfs", "qlinuxfb", "qminimalegl", "qvnc", "qvkkhrdisplay", "qdirect2d"},
    "egldeviceintegrations": None,  # used by eglfs only
    # evdev/tslib/TUIO input for eglfs and linuxfb; xcb and wayland read input themselves.
    "generic": None,
    # The GTK3 theme only supplies GTK's file dialogs, palette and fonts; the app draws itself (Fusion and its
    # own stylesheet). It drags in cairo, pango, gdk-pixbuf, atk, gio... from the build machine (~8 MB), which
    # would then meet the user's own GTK 3 at run time: a known source of symbol clashes in Linux bundles.
    # The xdg-desktop-portal theme (file dialogs through the portal, e.g. in Flatpak) stays.
    "platformthemes": {"qgtk3"},
    # Image formats the app never reads or writes (its icon is SVG; PNG is built into QtGui).
    "imageformats": {"qtiff", "qwebp", "qtga", "qwbmp", "qicns", "qpdf"},
    # QtNetwork plugins (QtNetwork is not shipped, see EXCLUDED_MODULES).
    "tls": None,
    "networkinformation": None,
    "bearer": None,
}

QT_PLUGIN_DIRS = ("PySide6/Qt/plugins/", "PySide6/plugins/")  # Linux/macOS wheels, Windows wheel
QT_TRANSLATIONS_DIRS = ("PySide6/Qt/translations/", "PySide6/translations/")


def _posix(dest: str) -> str:
    return dest.replace("\\", "/")


def _plugin_stem(file_name: str) -> str:
    stem = file_name.split(".")[0]
    return stem[3:] if stem.startswith("lib") else stem


def unused_qt_plugin(dest: str) -> bool:
    dest = _posix(dest)
    for plugin_dir in QT_PLUGIN_DIRS:
        if dest.startswith(plugin_dir):
            plugin_type, _, file_name = dest[len(plugin_dir) :].partition("/")
            if plugin_type not in UNUSED_QT_PLUGINS:
                return False
            names = UNUSED_QT_PLUGINS[plugin_type]
            return names is None or _plugin_stem(file_name) in names
    return False


def qt_translation(dest: str) -> bool:
    """Qt's own translations (qtbase_*.qm, ~7 MB): the app installs no QTranslator, so Qt never loads them.
    Ship the needed qtbase_<lang>.qm again the day the UI is translated."""
    return _posix(dest).startswith(QT_TRANSLATIONS_DIRS)


def trim(binaries: list[tuple], datas: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """The Analysis' binaries and datas without the unused Qt plugins and translations, nor the shared
    libraries that only those plugins needed (Linux: they come from the build machine's /usr/lib)."""
    removed = [entry for entry in binaries if unused_qt_plugin(entry[0])]
    kept = [entry for entry in binaries if not unused_qt_plugin(entry[0])]
    orphans = _orphaned_libraries(removed, kept) if sys.platform.startswith("linux") else set()
    kept = [entry for entry in kept if entry[0] not in orphans]
    _report("Qt plugins", removed)
    _report("libraries only those plugins needed", [e for e in binaries if e[0] in orphans])
    translations = [entry for entry in datas if qt_translation(entry[0])]
    _report("Qt translations", translations)
    return kept, [entry for entry in datas if not qt_translation(entry[0])]


def _orphaned_libraries(removed: Iterable[tuple], kept: list[tuple]) -> set[str]:
    """Shared libraries (not Python extensions) needed by a removed plugin and by nothing kept.

    `get_imports` runs ldd, which lists every library loaded, not only direct ones, so one pass suffices.
    A library nobody links (loaded with dlopen, like libdbus-1 by QtDBus) is never in `needed_by_removed`."""
    from PyInstaller.depend.bindepend import get_imports

    def needed(entries: Iterable[tuple]) -> set[str]:
        names: set[str] = set()
        for _dest, src, _kind in entries:
            try:
                names.update(os.path.basename(name) for name, _path in get_imports(src))
            except Exception:  # not a binary ldd reads: it needs nothing we could drop
                continue
        return names

    libraries = {os.path.basename(dest): dest for dest, _src, kind in kept if kind == "BINARY"}
    needed_by_removed = needed(removed) & libraries.keys()
    if not needed_by_removed:
        return set()
    still_needed = needed(e for e in kept if os.path.basename(e[0]) not in needed_by_removed)
    return {libraries[name] for name in needed_by_removed - still_needed}


def strip_debug_info(binaries: list[tuple], folder: str) -> list[tuple]:
    """Linux: binaries that carry debug information are replaced by copies without it (`strip --strip-debug`
    into `folder`): ~47 MB, most of it the build machine's libpython and Cython extensions of the wheels.

    Files whose RPATH/RUNPATH holds $ORIGIN are left alone: auditwheel rewrote them with patchelf, and binutils'
    strip turns some of those into files the loader refuses ("ELF load command address/offset not
    page-aligned": numpy's OpenBLAS did, with PyInstaller's own strip option, which strips every file).
    """
    if not sys.platform.startswith("linux") or not (shutil.which("strip") and shutil.which("readelf")):
        return binaries
    result, removed, count = [], 0, 0
    for dest, src, kind in binaries:
        if kind in ("BINARY", "EXTENSION") and _strippable(src):
            target = os.path.join(folder, dest)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            subprocess.run(["strip", "--strip-debug", "-o", target, src], check=True)
            removed += os.path.getsize(src) - os.path.getsize(target)
            count += 1
            src = target
        result.append((dest, src, kind))
    print(
        f"coderai.spec: stripped debug information from {count} binaries ({removed / 1e6:.1f} MB)",
        file=sys.stderr,
    )
    return result


def _strippable(path: str) -> bool:
    """Debug sections, and no $ORIGIN in RPATH/RUNPATH (the mark of a wheel repaired by auditwheel)."""
    found = subprocess.run(["readelf", "-S", "-d", "--wide", path], capture_output=True, text=True)
    if found.returncode != 0 or " .debug_info " not in found.stdout:
        return False
    return not any("$ORIGIN" in line for line in found.stdout.splitlines() if "PATH)" in line)


def _report(what: str, entries: list[tuple]) -> None:
    size = sum(os.path.getsize(src) for _dest, src, _kind in entries if os.path.isfile(src))
    print(f"coderai.spec: left out {len(entries)} {what} ({size / 1e6:.1f} MB)", file=sys.stderr)
