"""MkDocs hooks (``hooks:`` in mkdocs.yml): the pages generated at build time.

The commands' reference is built from each command's ``--help`` on every build, so the site
never lags a parser. The scenario keys' page is committed (``make docs`` rewrites it; a test
fails when it is stale), so that it reads on GitHub too.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from prebooking_harness.reference import PAGE, commands_page


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    files.append(File.generated(config, PAGE, content=commands_page()))
    return files
