"""Logging in to a lab database as a member: test the credentials, open the lab's database as that member,
and keep the password in the system keyring when asked (never in the UI state or settings).

The login window is built with it before anything heavy is imported (ui/app.py): the database layer and
the keyring are imported when first used."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from coderai_desktop.config import Settings
from coderai_desktop.ui.ui_state import DEFAULT_PORT, LabPlace

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext
    from coderai_desktop.auth.secrets import SecretStore
    from coderai_desktop.auth.session import UserSession


@dataclass(frozen=True)
class LabLogin:
    place: LabPlace
    password: str
    remember: bool = False


@dataclass(frozen=True)
class LabSession:
    """A member logged in: the lab's database opened as them, and their session in it."""

    context: AppContext
    user: UserSession
    place: LabPlace

    @property
    def location(self) -> str:
        """'db.mylab.org/coderai_lab', as the status bar shows it (the port only when it is not the usual)."""
        port = "" if self.place.port == DEFAULT_PORT else f":{self.place.port}"
        return f"{self.place.host}{port}/{self.place.database}"


class LabAccess:
    def __init__(self, settings: Settings):
        self._settings = settings

    @cached_property
    def secrets(self) -> SecretStore:
        """One store for every login: a password kept for the session only (no keyring) is there next time."""
        from coderai_desktop.auth.secrets import SecretStore

        return SecretStore()

    async def saved_password(self, place: LabPlace) -> str | None:
        return await self.secrets.get_database_password(_server(place), place.member)

    async def test(self, login: LabLogin) -> str:
        """The member name the server knows me by; a LabConnectionError says in plain words why not."""
        from coderai_desktop.auth.lab_login import check_member

        return await asyncio.to_thread(check_member, _url(login))

    async def open(self, login: LabLogin) -> LabSession:
        """The lab's database opened as the member, and their session (the caller closes the context)."""
        from coderai_desktop.app_context import AppContext
        from coderai_desktop.auth.lab_login import member_session

        await self.test(login)  # refused, unreachable, wrong password, not a lab: said before opening
        settings = dataclasses.replace(self._settings, db_url=_url(login))
        context = await asyncio.to_thread(AppContext.open, settings)
        try:
            user = await member_session(context.database)
        except BaseException:
            context.close()
            raise
        place = login.place
        if login.remember:
            await self.secrets.set_database_password(_server(place), place.member, login.password)
        else:
            await self.secrets.delete_database_password(_server(place), place.member)
        return LabSession(context, user, place)


def _server(place: LabPlace) -> str:
    """The keyring's name for a lab database (host:port/database)."""
    from coderai_desktop.auth.lab_login import LabServer

    return str(LabServer(place.host, place.port, place.database))


def _url(login: LabLogin) -> str:
    from coderai_desktop.auth.lab_login import LabServer, member_url

    place = login.place
    return member_url(LabServer(place.host, place.port, place.database), place.member, login.password)
