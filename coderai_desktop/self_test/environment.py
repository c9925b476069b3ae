"""What the app needs from the computer: a keyring for API keys, and Qt drawing the first window."""

from __future__ import annotations

import sys

import keyring
from keyring.backends import fail, null

from coderai_desktop.auth.secrets import SecretStore
from coderai_desktop.self_test.verdicts import CheckFailed, Verdict, ok, warn
from coderai_desktop.self_test.workspace import Workspace
from coderai_desktop.ui.offscreen import paint_login_dialog

# Where the operating system always has a keyring, finding none means keyring's backends were left out.
BUILT_IN_KEYRINGS = {"darwin": "the macOS Keychain", "win32": "the Windows Credential Locker"}


def keyring_backend() -> Verdict:
    """Only which backend keyring chose: nothing is read or written (that could prompt to unlock it)."""
    backend = keyring.get_keyring()
    name = SecretStore.backend_name()
    if isinstance(backend, null.Keyring):
        return warn(f"the keyring is turned off ({name}), so API keys are kept for the session only")
    if not isinstance(backend, fail.Keyring):
        return ok(name)
    if built_in := BUILT_IN_KEYRINGS.get(sys.platform):
        raise CheckFailed(
            f"no keyring backend found, although {built_in} exists: the installation is incomplete"
        )
    return warn(
        "no system keyring (Secret Service) is running, so API keys are kept for the session only; "
        "install and unlock GNOME Keyring or KWallet to save them"
    )


def paint_gui(workspace: Workspace) -> Verdict:
    context, _user, _project = workspace.opened()
    painted = paint_login_dialog(context.accounts)
    if painted.shades < 2:
        raise CheckFailed(f"the login dialog ({painted.width}x{painted.height}) was drawn blank")
    return ok(f"{painted.platform}: login dialog painted, {painted.width}x{painted.height}")
