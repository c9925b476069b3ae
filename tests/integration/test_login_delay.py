"""After a wrong password the app waits, twice as long after each further failure (at most 8x)."""

from __future__ import annotations

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.accounts import AccountService
from coderai_desktop.domain.errors import AuthenticationError
from tests.conftest import PASSWORD

BASE = 0.5


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def accounts(context: AppContext, sleep: RecordingSleep) -> AccountService:
    service = AccountService(context.database, failure_delay=BASE, sleep=sleep)
    await service.create_account("ana", PASSWORD)
    return service


async def fail(accounts: AccountService, login: str = "ana", times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationError):
            await accounts.login(login, "not the password")


async def test_the_delay_doubles_with_each_failure_up_to_eight_times(
    accounts: AccountService, sleep: RecordingSleep
) -> None:
    await fail(accounts, times=6)
    assert sleep.delays == [BASE, 2 * BASE, 4 * BASE, 8 * BASE, 8 * BASE, 8 * BASE]


async def test_a_successful_login_waits_for_nothing_and_resets_the_delay(
    accounts: AccountService, sleep: RecordingSleep
) -> None:
    await fail(accounts, times=3)
    await accounts.login("ana", PASSWORD)
    assert sleep.delays == [BASE, 2 * BASE, 4 * BASE]
    await fail(accounts)
    assert sleep.delays[-1] == BASE


async def test_failures_are_counted_across_restarts(
    context: AppContext, accounts: AccountService, sleep: RecordingSleep
) -> None:
    await fail(accounts, times=2)
    restarted = AccountService(context.database, failure_delay=BASE, sleep=sleep)
    await fail(restarted)
    assert sleep.delays == [BASE, 2 * BASE, 4 * BASE]


async def test_an_unknown_login_is_delayed_too(accounts: AccountService, sleep: RecordingSleep) -> None:
    await fail(accounts, login="nobody")
    assert sleep.delays == [BASE]


# Were unknown names always delayed by the base amount while real ones doubled, two attempts would tell
# whether an account exists.
async def test_repeated_failures_do_not_reveal_whether_a_login_exists(
    accounts: AccountService, sleep: RecordingSleep
) -> None:
    await fail(accounts, login="ana", times=3)
    known = list(sleep.delays)
    sleep.delays.clear()
    await fail(accounts, login="nobody", times=3)
    assert sleep.delays == known


async def test_the_context_uses_the_configured_delay(context: AppContext) -> None:
    assert context.settings.login_failure_delay == 0.01
    await context.accounts.create_account("ana", PASSWORD)
    with pytest.raises(AuthenticationError):
        await context.accounts.login("ana", "not the password")
