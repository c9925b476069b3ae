"""`coderai provider set --structured-output|--strict-schema` and `coderai provider test` against the fake
server in its llama.cpp-like mode: the form is found, printed, saved, and forgotten when the server changes."""

from __future__ import annotations

import pytest
from langchain_openai.chat_models._client_utils import _cached_async_httpx_client

from coderai_desktop.auth.session import UserSession
from tests.fakes.openai_server import LLAMA_CPP, FakeOpenAI
from tests.integration.conftest import Cli, CliResult
from tests.integration.runs.conftest import API_KEY, MODEL


@pytest.fixture
def coderai(cli: Cli, user: UserSession, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("CODERAI_USER", "ana")
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)

    def run(*args: str) -> CliResult:
        _cached_async_httpx_client.cache_clear()  # each command has its own event loop (see test_cli_runs.py)
        return cli(*args)

    return run


def shown(coderai: Cli, setting: str) -> str:
    lines = dict(line.split(":", 1) for line in coderai("provider", "show").out.splitlines())
    return lines[setting].strip()


def form_shown(coderai: Cli) -> str:
    return shown(coderai, "structured_output")


def test_provider_test_finds_and_saves_the_form_and_a_new_server_forgets_it(
    coderai: Cli, server: FakeOpenAI
) -> None:
    server.dialect = LLAMA_CPP
    assert (
        coderai(
            "provider", "set", "--kind", "compatible", "--base-url", server.base_url, "--model", MODEL
        ).code
        == 0
    )
    assert form_shown(coderai) == ""

    tested = coderai("provider", "test")

    assert tested.code == 0, tested.err
    assert tested.out.splitlines()[1] == (
        "ok   This server accepts a JSON object constrained by a schema (llama.cpp style); runs will use it. "
        "(Not usable: a strict JSON schema was refused.)"
    )
    assert tested.out.splitlines()[2] == (
        "ok   This server's chat template drops system messages: the instructions will be sent in the user "
        "message."
    )
    assert (form_shown(coderai), shown(coderai, "system_messages")) == ("json_object_schema", "False")
    assert coderai("provider", "set", "--concurrency", "2").code == 0
    assert form_shown(coderai) == "json_object_schema", "kept while the server stays"
    assert shown(coderai, "system_messages") == "False"
    assert coderai("provider", "set", "--model", "another-model").code == 0
    assert form_shown(coderai) == "", "found for another model: tested again before it is trusted"
    assert shown(coderai, "system_messages") == ""


@pytest.mark.parametrize(
    ("flags", "form"),
    [
        (("--strict-schema", "yes"), "json_schema"),
        (("--strict-schema", "no"), "json_object"),
        (("--structured-output", "instructions"), "instructions"),
        (
            ("--structured-output", "json_object_schema", "--base-url", "http://127.0.0.1:9/v1"),
            "json_object_schema",
        ),
        (("--strict-schema", "auto"), ""),
    ],
)
def test_the_form_can_be_set_by_hand(coderai: Cli, flags: tuple[str, ...], form: str) -> None:
    assert coderai("provider", "set", "--kind", "compatible", "--structured-output", "json_object").code == 0

    assert coderai("provider", "set", *flags).code == 0

    assert form_shown(coderai) == form


@pytest.mark.parametrize(
    ("flags", "shown_as"),
    [
        (("--system-messages", "in-user-message"), "False"),
        (("--system-messages", "kept"), "True"),
        (("--system-messages", "in-user-message", "--model", "another-model"), "False"),
        (("--system-messages", "auto"), ""),
    ],
)
def test_where_system_messages_go_can_be_set_by_hand(
    coderai: Cli, flags: tuple[str, ...], shown_as: str
) -> None:
    assert coderai("provider", "set", "--kind", "compatible", "--system-messages", "kept").code == 0

    assert coderai("provider", "set", *flags).code == 0

    assert shown(coderai, "system_messages") == shown_as
