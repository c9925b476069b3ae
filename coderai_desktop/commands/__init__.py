"""Headless commands: each module registers its subcommands and calls the same services as the GUI."""

from coderai_desktop.commands import (
    accounts,
    codebook,
    db,
    diagnostics,
    documents,
    export,
    lab,
    projects,
    prompts,
    provider,
    refine,
    review,
    runs,
    suggest,
)

# In the order `coderai --help` lists them.
REGISTER = [
    module.register
    for module in (
        accounts,
        projects,
        codebook,
        suggest,
        documents,
        provider,
        runs,
        review,
        refine,
        export,
        prompts,
        db,
        lab,
        diagnostics,
    )
]
