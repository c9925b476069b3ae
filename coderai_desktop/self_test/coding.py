"""Prompts and schemas from the sample codebook, and a real run that codes plan.txt through the real client
against a server on 127.0.0.1 (loopback.py): the values must come back with their quotes found in the
document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import keyring
from jsonschema import Draft202012Validator
from keyring.backends import null

from coderai_desktop.domain.enums import JobStatus, MatchStatus
from coderai_desktop.domain.provider import ExtractionMode, ProviderKind, ProviderSettings
from coderai_desktop.llm.prompts import extraction_plans, messages
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.self_test.loopback import loopback_server
from coderai_desktop.self_test.samples import ANSWER, CODED_FILE, PLAN_TEXT, sample_codebook
from coderai_desktop.self_test.verdicts import CheckFailed, Verdict, ok
from coderai_desktop.self_test.workspace import Workspace


def build_prompt() -> Verdict:
    project, variables = sample_codebook()
    plans = extraction_plans(project, variables, ExtractionMode.GROUPED)
    if len(plans) != 1:
        raise CheckFailed(f"{len(plans)} calls per document instead of one for {len(variables)} variables")
    plan = plans[0]
    Draft202012Validator.check_schema(plan.schema)
    Draft202012Validator(plan.schema).validate(ANSWER)
    sent = "\n".join(message["content"] for message in messages(plan, PLAN_TEXT))
    if missing := [text for text in (PLAN_TEXT, *plan.variable_names) if text not in sent]:
        raise CheckFailed(f"the prompt leaves out {', '.join(missing)}")
    return ok(f"{len(plan.variables)} variables, {len(sent):,} characters, valid JSON schema")


async def code_document(workspace: Workspace) -> Verdict:
    context, user, project_id = workspace.opened()
    [document_id] = workspace.documents_of(CODED_FILE)
    with _keyring_out_of_reach(), loopback_server(json.dumps(ANSWER)) as address:
        providers = ProviderService(context.database, user, context.secrets, environ={})
        await providers.save_workspace_settings(
            ProviderSettings(kind=ProviderKind.COMPATIBLE, base_url=address, model="self-test")
        )
        jobs = JobService(context.database, user, context.settings, providers, context.documents(user))
        job = await jobs.run((await jobs.start(project_id, document_ids=[document_id])).id)
    if job.status is not JobStatus.COMPLETED or job.documents_failed:
        log = await jobs.log(job.id)
        raise CheckFailed(
            f"the run ended {job.status.lower()}: {log[-1].message if log else job.error_message}"
        )
    dataset = await context.exports(user).dataset(project_id)
    values = next((unit.values for unit in dataset.units if unit.document_id == document_id), {})
    for name, expected in ANSWER.items():
        got = values.get(name)
        if got is None or got.value != expected["value"]:
            raise CheckFailed(
                f"{name} came back as {None if got is None else got.value!r}, not {expected['value']!r}"
            )
        if (got.evidence, got.match_status) != (expected["evidence"], MatchStatus.EXACT):
            raise CheckFailed(
                f"the quote of {name} came back as {got.evidence!r} ({got.match_status} in the document), "
                f"not {expected['evidence']!r}"
            )
    return ok(f"{len(ANSWER)} values over HTTP from 127.0.0.1, each with its quote found in {CODED_FILE}")


@contextmanager
def _keyring_out_of_reach() -> Iterator[None]:
    """A run asks the keyring for its API key: the null backend answers, so the person's keyring is never
    read (nor asks to be unlocked)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)
