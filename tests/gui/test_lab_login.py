"""Logging in to a lab database from the login window: the form, the connection test, the errors a member
can meet (a closed port here; a wrong password, a database that is not a lab and a good login on the real
PostgreSQL lab with CODERAI_TEST_PG_URL), the password in the keyring only when asked, and the controller
opening the lab's database instead of this computer's, closing it at log out."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from coderai_desktop.config import Settings
from coderai_desktop.persistence import lab_admin
from coderai_desktop.persistence.engine import normalise_url
from coderai_desktop.ui.app import AppController
from coderai_desktop.ui.login.dialog import LoginDialog
from coderai_desktop.ui.login.lab_access import LabAccess, LabSession
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.ui_state import LabPlace, UiState
from tests.integration.conftest import PG_URL_VARIABLE, postgres_url  # noqa: F401  (a fixture)

SERVICE = "coderai-desktop"
MEMBER_PASSWORD = "a member's password, 'quoted' \\ and all"


@dataclass(frozen=True)
class Member:
    place: LabPlace  # where the lab is, and the member's name
    workspace_id: int


@pytest.fixture
def member(postgres_url: str) -> Iterator[Member]:  # noqa: F811
    """`coderai lab init` on a fresh database and one member; the database, then its roles, dropped after
    (roles are cluster-wide: the member's name is unique)."""
    url = make_url(normalise_url(postgres_url))
    assert url.database is not None
    name = f"ana_{uuid.uuid4().hex[:8]}"
    engine = lab_admin.admin_engine(url.render_as_string(hide_password=False))
    try:
        lab_admin.init_lab(engine)
        lab_admin.add_member(engine, name, MEMBER_PASSWORD)
        with engine.connect() as connection:
            workspace = connection.execute(
                sa.text("SELECT workspace_id FROM lab_members WHERE role_name = :name"), {"name": name}
            ).scalar_one()
    finally:
        engine.dispose()
    try:
        yield Member(LabPlace(url.host or "127.0.0.1", url.port or 5432, url.database, name), workspace)
    finally:
        server = sa.create_engine(normalise_url(os.environ[PG_URL_VARIABLE]), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
            for role in (name, f"{url.database}_owner", f"{url.database}_members"):
                connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
        server.dispose()


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def lab_dialog(qtbot: Any, settings: Settings, runner: TaskRunner, place: LabPlace) -> LoginDialog:
    never: asyncio.Future[Any] = asyncio.get_event_loop().create_future()  # no local accounts asked for
    dialog = LoginDialog(never, runner, lab=LabAccess(settings), last_lab=place, lab_mode=True)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_lab_form_replaces_the_accounts_and_asks_for_what_is_missing(
    qtbot: Any, settings: Settings, runner: TaskRunner, qt_loop: Any
) -> None:
    dialog = lab_dialog(qtbot, settings, runner, LabPlace(host="db.mylab.org"))
    assert dialog.lab_form.isVisible() and not dialog.mode_tabs.isVisible()
    assert dialog.lab_form.port_spin.value() == 5432
    assert dialog.focusWidget() is dialog.lab_form.database_edit, "typing starts at the first empty field"
    dialog.submit_button.click()
    assert "Enter the server, the database, your member name and your password" in dialog.error_label.text()
    assert not runner.busy
    dialog.local_radio.click()
    assert dialog.login_edit.isVisible() and not dialog.lab_form.isVisible()
    assert not dialog.error_label.isVisible()


def test_a_closed_port_is_explained_by_the_test_and_by_the_login(
    qtbot: Any, settings: Settings, runner: TaskRunner, qt_loop: Any
) -> None:
    place = LabPlace("127.0.0.1", closed_port(), "coderai_lab", "ana")
    dialog = lab_dialog(qtbot, settings, runner, place)
    dialog.lab_form.password_edit.setText("secret words")
    dialog.lab_form.test_button.click()
    assert dialog.submit_button.text() == "Testing…" and not dialog.lab_form.host_edit.isEnabled()
    qtbot.waitUntil(dialog.lab_form.test_label.isVisible, timeout=15_000)
    result = dialog.lab_form.test_label.text()
    assert f"Cannot reach the lab's database server at 127.0.0.1:{place.port}" in result
    assert "refused the connection" in result
    assert dialog.lab_form.test_label.objectName() == "error"
    assert dialog.lab_form.password_edit.text() == "secret words", "a test keeps the password"

    dialog.submit_button.click()
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=15_000)
    assert "refused the connection" in dialog.error_label.text()
    assert dialog.lab_form.place() == place, "what was typed stays"
    assert dialog.lab_form.password_edit.text() == "", "except the password"
    assert dialog.isVisible() and dialog.lab_form.host_edit.isEnabled()


def test_the_lab_place_is_remembered_without_the_password(tmp_path: Path) -> None:
    state = UiState(tmp_path / "ui-state.ini")
    assert state.last_lab == LabPlace() and not state.lab_mode
    state.last_lab = LabPlace("db.mylab.org", 6543, "coderai_lab", "ana")
    state.lab_mode = True
    state.sync()
    again = UiState(tmp_path / "ui-state.ini")
    assert again.last_lab == LabPlace("db.mylab.org", 6543, "coderai_lab", "ana") and again.lab_mode
    assert "password" not in (tmp_path / "ui-state.ini").read_text().lower()


# -- the real lab (CODERAI_TEST_PG_URL) ----------------------------------------------------------------


@pytest.mark.postgres
def test_a_wrong_password_is_said_plainly_and_a_good_one_logs_in(
    qtbot: Any, settings: Settings, runner: TaskRunner, qt_loop: Any, member: Member
) -> None:
    ana, place = member.place.member, member.place
    dialog = lab_dialog(qtbot, settings, runner, place)
    dialog.lab_form.password_edit.setText("not the password")
    dialog.submit_button.click()
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=15_000)
    assert dialog.error_label.text().startswith("Wrong member name or password for the database")
    assert dialog.lab_form.password_edit.text() == ""

    dialog.lab_form.password_edit.setText(MEMBER_PASSWORD)
    dialog.lab_form.test_button.click()
    qtbot.waitUntil(dialog.lab_form.test_label.isVisible, timeout=15_000)
    assert dialog.lab_form.test_label.text() == (
        f"Connected: {place.database} on {place.host} knows you as {ana}."
    )
    with qtbot.waitSignal(dialog.sig_lab_logged_in, timeout=30_000) as signal:
        dialog.submit_button.click()
    session: LabSession = signal.args[0]
    try:
        assert session.user.login == ana and session.user.workspace_id == member.workspace_id
        assert session.context.database.engine.url.username == ana
    finally:
        session.context.close()
    server = f"{place.host}:{place.port}/{place.database}"
    assert keyring.get_password(SERVICE, f"database/{server}/{ana}") is None, "not remembered unasked"


@pytest.mark.postgres
def test_a_database_that_is_not_a_lab_is_named(
    qtbot: Any,
    settings: Settings,
    runner: TaskRunner,
    qt_loop: Any,
    postgres_url: str,  # noqa: F811
) -> None:
    url = make_url(normalise_url(postgres_url))
    place = LabPlace(url.host or "127.0.0.1", url.port or 5432, url.database or "", url.username or "")
    dialog = lab_dialog(qtbot, settings, runner, place)
    dialog.lab_form.password_edit.setText(url.password or "")
    dialog.lab_form.test_button.click()
    qtbot.waitUntil(dialog.lab_form.test_label.isVisible, timeout=15_000)
    assert f"The database {url.database} is not set up for a lab" in dialog.lab_form.test_label.text()


@pytest.mark.postgres
def test_the_app_opens_the_lab_as_the_member_and_closes_it_at_log_out(
    qtbot: Any, qt_loop: asyncio.AbstractEventLoop, settings: Settings, member: Member
) -> None:
    ana, place = member.place.member, member.place
    state = UiState(settings.ui_state_file)
    state.lab_mode, state.last_lab = True, place
    state.sync()
    controller = AppController(settings)
    controller.show_login()
    dialog = controller.login_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.lab_form.password_edit.setText(MEMBER_PASSWORD)
    dialog.lab_form.remember_box.setChecked(True)
    dialog.submit_button.click()
    qtbot.waitUntil(lambda: controller.window is not None, timeout=30_000)
    window = controller.window
    assert window is not None
    qtbot.addWidget(window)
    assert controller.context is None and controller.opening is None, "this computer's database stays shut"
    lab_context = controller.lab_context
    assert lab_context is not None and lab_context.database.engine.url.username == ana
    assert window.location_label.text() == f"{ana} · {place.host}/{place.database}"

    window.log_out()
    qtbot.waitUntil(lambda: controller.closing is not None and controller.closing.done(), timeout=20_000)
    assert controller.lab_context is None
    again = controller.login_dialog
    assert again is not None and again is not dialog and again.in_lab
    qtbot.addWidget(again)
    assert again.lab_form.member_edit.text() == ana
    # Remembered when asked: the next login window fills it in from the keyring.
    qtbot.waitUntil(lambda: again.lab_form.password_edit.text() == MEMBER_PASSWORD, timeout=10_000)
    assert again.lab_form.remember_box.isChecked()
    again.reject()
    qtbot.waitUntil(controller.finished.done, timeout=10_000)
    controller.close()
