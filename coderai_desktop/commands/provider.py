"""`coderai provider show|set|test` and `coderai key set|delete`: which LLM to call, and its API key."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TYPE_CHECKING, Any

from coderai_desktop.commands.common import SubParsers, add_command, add_group, log_in
from coderai_desktop.commands.projects import PROJECT_HELP
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.model_prices import parse_model_price
from coderai_desktop.domain.provider import (
    SYSTEM_MESSAGES,
    ExtractionMode,
    ProviderKind,
    ProviderSettings,
    StructuredOutput,
)

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext

# --strict-schema, the older flag, in structured-output forms.
STRICT_FORMS = {
    "auto": "auto",
    "yes": StructuredOutput.JSON_SCHEMA.value,
    "no": StructuredOutput.JSON_OBJECT.value,
}
# Command-line flags and the settings they set.
FIELDS = {
    "kind": ("--kind", str),
    "model": ("--model", str),
    "base_url": ("--base-url", str),
    "azure_endpoint": ("--azure-endpoint", str),
    "azure_deployment": ("--azure-deployment", str),
    "azure_api_version": ("--azure-api-version", str),
    "request_timeout": ("--timeout", float),
    "concurrency": ("--concurrency", int),
    "requests_per_minute": ("--requests-per-minute", int),
    "tokens_per_minute": ("--tokens-per-minute", int),
    "price_input_per_million": ("--price-input", float),
    "price_output_per_million": ("--price-output", float),
    "price_cached_input_per_million": ("--price-cached-input", float),
    "escalation_model": ("--escalation-model", str),
    "context_tokens": ("--context-tokens", int),
    "token_budget": ("--token-budget", int),
    "mode": ("--mode", str),
    "pack_token_budget": ("--pack-token-budget", int),
    "pack_document_tokens": ("--pack-document-tokens", int),
    "batch_price_factor": ("--batch-price-factor", float),
}


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    actions = add_group(commands, "provider", "choose the LLM provider and its limits")
    show = add_command(actions, "show", show_provider, "show the provider settings", common)
    show.add_argument("--project", help=f"with this project's overrides ({PROJECT_HELP})")
    setter = add_command(
        actions, "set", set_provider, "change provider settings (workspace, or --project)", common
    )
    setter.add_argument(
        "--project", help=f"override the workspace's settings for this project only ({PROJECT_HELP})"
    )
    for name, (flag, kind) in FIELDS.items():
        choices = {"kind": [k.value for k in ProviderKind], "mode": [m.value for m in ExtractionMode]}.get(
            name
        )
        setter.add_argument(flag, type=kind, choices=choices, dest=name)
    setter.add_argument(
        "--structured-output",
        choices=["auto", *(form.value for form in StructuredOutput)],
        help="how calls ask for JSON (auto: what `provider test` found, else by provider)",
    )
    setter.add_argument(
        "--system-messages",
        choices=list(SYSTEM_MESSAGES),
        help="how the instructions reach the model: as system messages (kept), at the start of the user "
        "message (in-user-message, for chat templates that drop system messages), or auto (what `provider "
        "test` found, else kept)",
    )
    setter.add_argument(
        "--model-price",
        action="append",
        metavar="MODEL=IN/OUT[/CACHED]",
        help="another model's prices in $ per 1M input, output (and cached input) tokens, e.g. "
        "gpt-4o=2.5/10/1.25; MODEL= removes them (repeatable)",
    )
    setter.add_argument(
        "--strict-schema",
        choices=["auto", "yes", "no"],
        help="older spelling: json_schema, json_object or auto",
    )
    test = add_command(
        actions, "test", test_provider, "check the server, key, model and structured output", common
    )
    test.add_argument("--project", help=f"with this project's overrides ({PROJECT_HELP})")
    keys = add_group(commands, "key", "store or forget an API key (in the system keyring)")
    store = add_command(
        keys, "set", set_key, "store an API key (read from CODERAI_API_KEY or asked for)", common
    )
    store.add_argument("provider", choices=[k.value for k in ProviderKind])
    forget = add_command(keys, "delete", delete_key, "forget a stored API key", common)
    forget.add_argument("provider", choices=[k.value for k in ProviderKind])


async def show_provider(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    settings = await context.providers(user).settings(args.project)
    for name, value in settings.model_dump(mode="json").items():
        print(f"{name + ':':<28}{'' if value is None else value}")
    key = await context.secrets.status(user.keys_workspace_id, settings.kind.value)
    print(f"{'api key:':<28}{key.message}")


async def set_provider(context: AppContext, args: argparse.Namespace) -> None:
    from coderai_desktop.llm.connection import FOUND_FIELDS  # LangChain: only when a command needs it
    from coderai_desktop.llm.provider_service import SERVER_FIELDS, checked

    user = await log_in(context, args)
    providers = context.providers(user)
    given: dict[str, Any] = {name: getattr(args, name) for name in FIELDS if getattr(args, name) is not None}
    if SERVER_FIELDS & given.keys():  # what `provider test` found was for another server or model
        given.update(dict.fromkeys(FOUND_FIELDS))
    form = args.structured_output or STRICT_FORMS.get(args.strict_schema)
    if form is not None:
        given["structured_output"] = None if form == "auto" else form
    if args.system_messages is not None:
        given["system_messages"] = SYSTEM_MESSAGES[args.system_messages]
    if given.get("escalation_model") is not None:
        given["escalation_model"] = given["escalation_model"].strip() or None  # "": no escalation
    if args.model_price:
        given["model_prices"] = _model_prices(await providers.settings(args.project), args.model_price)
    if not given:
        raise InvalidInputError("Nothing to change: give at least one setting, e.g. --model gpt-4o-mini.")
    if args.project:
        overrides = await providers.project_overrides(args.project)
        settings = await providers.save_project_overrides(args.project, {**overrides, **given})
    else:
        settings = checked(await providers.settings(), given)
        await providers.save_workspace_settings(settings)
    where = f"project {args.project}" if args.project else "the workspace"
    print(f"Saved for {where}: {settings.kind.value}, model {settings.model}.")


def _model_prices(settings: ProviderSettings, changes: list[str]) -> dict[str, Any]:
    """The prices of other models with the `--model-price` changes applied."""
    prices = dict(settings.model_prices)
    for change in changes:
        model, price = parse_model_price(change)
        if price is None:
            prices.pop(model, None)
        else:
            prices[model] = price
    return {model: price.model_dump() for model, price in prices.items()}


async def test_provider(context: AppContext, args: argparse.Namespace) -> int:
    user = await log_in(context, args)
    report = await context.providers(user).test(args.project)
    for check in report.checks:
        print(f"{'ok  ' if check.ok else 'FAIL'} {check.message}")
    return 0 if report.ok else 1


async def set_key(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    key = os.environ.get("CODERAI_API_KEY")
    if key is None:
        if not sys.stdin.isatty():
            raise InvalidInputError("No key: set CODERAI_API_KEY, or run the command in a terminal.")
        key = getpass.getpass(f"API key for {args.provider}: ")
    status = await context.secrets.set_api_key(user.keys_workspace_id, args.provider, key)
    print(status.message)


async def delete_key(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    print((await context.secrets.delete_api_key(user.keys_workspace_id, args.provider)).message)
