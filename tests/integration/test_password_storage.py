"""Passwords are stored only as argon2id hashes at the library's recommended cost, never as written."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher

from coderai_desktop.app_context import AppContext
from coderai_desktop.persistence.tables import Account
from tests.conftest import PASSWORD

REAL_PASSWORD_COST = True  # see tests/conftest.py


def stored_hashes(context: AppContext) -> list[str]:
    with context.database.transaction() as session:
        return list(session.scalars(sa.select(Account.password_hash)))


def database_bytes(context: AppContext) -> bytes:
    """The SQLite file with its -wal and -shm files, before and after a checkpoint: everything on disk."""
    path = Path(str(context.database.engine.url.database))

    def files() -> bytes:
        return b"".join(file.read_bytes() for file in sorted(path.parent.glob(f"{path.name}*")))

    before = files()
    with context.database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return before + files()


async def test_the_password_is_stored_as_an_argon2id_hash(context: AppContext) -> None:
    await context.accounts.create_account("ana", PASSWORD)
    [stored] = stored_hashes(context)
    assert stored.startswith("$argon2id$")
    default = PasswordHasher()
    assert f"m={default.memory_cost},t={default.time_cost},p={default.parallelism}" in stored
    assert default.verify(stored, PASSWORD)


async def test_the_plain_password_is_nowhere_in_the_database_files(context: AppContext) -> None:
    await context.accounts.create_account("ana", PASSWORD)
    await context.accounts.login("ana", PASSWORD)
    content = database_bytes(context)
    assert b"$argon2id$" in content  # the scan does see the accounts table
    assert PASSWORD.encode() not in content
    assert PASSWORD.encode("utf-16-le") not in content


async def test_each_account_gets_its_own_salt(context: AppContext) -> None:
    await context.accounts.create_account("ana", PASSWORD)
    await context.accounts.create_account("ben", PASSWORD)
    ana, ben = stored_hashes(context)
    assert ana != ben
