"""Creating accounts and logging in."""

from __future__ import annotations

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.errors import AuthenticationError, ConflictError, InvalidInputError
from tests.conftest import PASSWORD


async def test_a_new_account_gets_a_normalised_login_and_its_own_workspace(context: AppContext) -> None:
    ana = await context.accounts.create_account("  Ana.Silva ", PASSWORD)
    ben = await context.accounts.create_account("ben_2", PASSWORD)
    assert ana.login == "ana.silva"
    assert ana.workspace_id != ben.workspace_id
    assert ana.account_id != ben.account_id


@pytest.mark.parametrize(
    "login", ["a", "-ana", ".ana", "ana silva", "ana@lab.org", "ánä", "x" * 65, "", "   "]
)
async def test_unacceptable_login_names_are_refused(context: AppContext, login: str) -> None:
    with pytest.raises(InvalidInputError, match="2 to 64 characters"):
        await context.accounts.create_account(login, PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 8 characters"),
        ("1234567", "at least 8 characters"),
        (" padded password ", "space"),
    ],
)
async def test_weak_or_padded_passwords_are_refused(context: AppContext, password: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        await context.accounts.create_account("ana", password)
    with pytest.raises(AuthenticationError):  # nothing was created
        await context.accounts.login("ana", password)


async def test_a_login_name_is_taken_whatever_its_case(context: AppContext) -> None:
    await context.accounts.create_account("ana", PASSWORD)
    with pytest.raises(ConflictError, match="'ana' is taken"):
        await context.accounts.create_account("ANA", "another password")
    assert (await context.accounts.login("ana", PASSWORD)).login == "ana"


async def test_logging_in_returns_the_accounts_session(context: AppContext) -> None:
    created = await context.accounts.create_account("ana", PASSWORD)
    await context.accounts.create_account("ben", PASSWORD)
    session = await context.accounts.login(" ANA ", PASSWORD)
    assert session == UserSession(created.account_id, "ana", created.workspace_id)


@pytest.mark.parametrize(
    ("login", "password"),
    [("ana", "wrong password"), ("ana", PASSWORD.upper()), ("nobody", PASSWORD), ("ana", "")],
)
async def test_wrong_credentials_say_the_same_thing_whatever_was_wrong(
    context: AppContext, login: str, password: str
) -> None:
    await context.accounts.create_account("ana", PASSWORD)
    with pytest.raises(AuthenticationError, match=r"^Wrong login name or password"):
        await context.accounts.login(login, password)
