"""`coderai provider set`, `run`, `estimate`, `jobs`, `job pause|cancel|resume`, `prompt show` and `results`,
run in this process against the fake server; errors are one plain line, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from langchain_openai.chat_models._client_utils import _cached_async_httpx_client

from coderai_desktop.auth.session import UserSession
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.conftest import Cli, CliResult
from tests.integration.runs.conftest import API_KEY, MODEL, NAMES, PROJECT, Corpus, MakeCorpus


@pytest.fixture
def coderai(
    cli: Cli, user: UserSession, server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, packing_off: None
) -> Cli:
    """`coderai ...` as Ana with OPENAI_API_KEY set, the provider configured for the fake server."""
    monkeypatch.setenv("CODERAI_USER", "ana")
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)

    def run(*args: str | Path) -> CliResult:
        # A real `coderai` process has one event loop; here every command makes a new one, while
        # langchain-openai keeps one pooled httpx client per base URL for the whole process, whose kept-alive
        # connections belong to the previous (closed) loop. Start each command with a fresh client.
        _cached_async_httpx_client.cache_clear()
        result = cli(*args)
        assert "Traceback" not in result.err + result.out
        return result

    configured = run("provider", "set", "--kind", "openai", "--base-url", server.base_url, "--model", MODEL)
    assert (configured.code, configured.out) == (0, f"Saved for the workspace: openai, model {MODEL}.\n")
    return run


@pytest.fixture
async def plans(make_corpus: MakeCorpus) -> Corpus:
    """The four plans of the `corpus` fixture, without `configure`: here the CLI sets the provider up, and
    the key comes from OPENAI_API_KEY (a key in the keyring would come first)."""
    return await make_corpus(4)


def table(output: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in output.strip().splitlines()]


def test_a_sample_run_then_its_estimate_jobs_prompts_and_results(
    coderai: Cli, plans: Corpus, server: FakeOpenAI
) -> None:
    run = coderai("run", PROJECT, "--sample", "2", "--seed", "5")
    assert run.code == 0, run.err
    assert run.err == "Job 1: coding 2 documents (grouped, fake-model).\n"
    # The second document's call read the prefix the first one sent from the server's cache.
    pattern = r"Job 1 completed: 2 coded, 0 failed, [\d,]+ tokens \([\d,]+ of the prompt tokens cached\), \$0\.0+\.\n"
    assert re.fullmatch(pattern, run.out), run.out
    assert len(server.requests) == 2

    estimate = coderai("estimate", PROJECT)
    assert estimate.code == 0
    lines = dict(line.split(":", 1) for line in estimate.out.splitlines())
    assert (lines["Documents"].strip(), lines["Calls"].strip()) == ("2", "2"), "the two not yet coded"
    assert "measured on the last run" in lines["Time"]

    jobs = table(coderai("jobs", PROJECT).out)
    assert jobs[0][:5] == ["ID", "TYPE", "STATUS", "DONE", "FAILED"]
    assert jobs[1][:5] == ["1", "sample", "completed", "2/2", "0"]

    document_id = plans.ids["plan-03.txt"]
    shown = coderai("prompt", "show", PROJECT, "budget", "--document", str(document_id))
    assert shown.code == 0
    assert shown.out.startswith(
        f"=== grouped:1 (version 1): {', '.join(NAMES)} — fake-model, temperature 0.1"
    )
    assert shown.out.count("--- system ---") == shown.out.count("=== ") == 1
    assert f"<document>\n{plans.texts['plan-03.txt']}\n</document>" in shown.out

    results = coderai("results", PROJECT)  # (`export --format csv`: test_results.py)
    rows = table(results.out)
    assert rows[0] == ["DOCUMENT", "DOCUMENT_ID", *(name.upper() for name in NAMES)]
    assert len(rows) == 3 and {row[0] for row in rows[1:]} <= set(plans.ids)
    for row in rows[1:]:
        assert row[1] == str(plans.ids[row[0]])
        assert row[NAMES.index("budget") + 2] == str(plans.plans[row[0]].budget)


def test_acting_on_a_finished_job_or_a_bad_selection_is_a_plain_error(
    coderai: Cli, plans: Corpus, server: FakeOpenAI
) -> None:
    assert coderai("run", PROJECT, "--documents", str(plans.ids["plan-01.txt"])).code == 0

    for action, done in (("pause", "paused"), ("cancel", "cancelled")):
        refused = coderai("job", action, "1")
        assert (refused.code, refused.out, refused.err) == (
            1,
            "",
            f"error: Job 1 is completed: it cannot be {done}.\n",
        )
    resumed = coderai("job", "resume", "1")
    assert (resumed.code, resumed.err) == (1, "error: Job 1 is completed: there is nothing left to run.\n")

    unknown = coderai("run", PROJECT, "--documents", "99999")
    assert (unknown.code, unknown.err) == (1, "error: The project has no documents 99999.\n")
    missing = coderai("job", "pause", "42")
    assert missing.code == 1 and missing.err.startswith("error: ") and "42" in missing.err
    assert len(server.requests) == 1, "no error sent anything"


def test_a_run_that_pauses_says_why_and_how_to_resume(
    coderai: Cli, plans: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-revoked-0000")

    paused = coderai("run", PROJECT, "--sample", "1", "--seed", "1")

    assert paused.code == 1
    first, second = paused.out.splitlines()
    assert first.startswith("Job 1 paused: 0 coded, 1 failed")
    assert "refused the API key" in second and second.endswith("Resume with `coderai job resume 1`.")

    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    resumed = coderai("job", "resume", "1")
    assert resumed.code == 0 and resumed.out.startswith("Job 1 completed: 1 coded, 0 failed")


def test_a_member_reaches_the_job_of_a_project_shared_with_them(
    coderai: Cli, plans: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`coderai job ... ID` finds a job of a project another member shared, with the share's access; a
    member it is not shared with is told there is no such job."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-revoked-0000")
    assert coderai("run", PROJECT, "--sample", "2", "--seed", "1").code == 1  # paused, nothing coded
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    for login in ("ben", "cleo"):
        assert coderai("account", "create", login).code == 0
    assert coderai("project", "share", PROJECT, "ben", "--as", "viewer").code == 0

    logged = coderai("job", "log", "1", "--user", "ben")
    assert logged.code == 0 and "refused the API key" in logged.out
    refused = coderai("job", "resume", "1", "--user", "ben")
    assert refused.code == 1 and refused.err.startswith("error: ana shared this project with you as a viewer")
    assert (
        coderai("job", "resume", "1", "--user", "cleo").err == "error: There is no job 1 in your workspace.\n"
    )

    assert coderai("project", "share", PROJECT, "ben", "--as", "editor").code == 0
    resumed = coderai("job", "resume", "1", "--user", "ben")
    assert resumed.code == 0 and resumed.out.startswith("Job 1 completed: 2 coded, 0 failed"), resumed.err
