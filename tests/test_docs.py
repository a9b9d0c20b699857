"""The README documents every command, every option of the commands and every setting."""
from __future__ import annotations

import re
from pathlib import Path

import click

from cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
SETTINGS = ("OLKE_HOME", "OLKE_USER", "OLKE_OCR_ENGINE", "OMP_THREAD_LIMIT")


def commands(group: click.Group, prefix: str = "olke"):
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from commands(command, path)
        else:
            yield path, command


def test_readme_opens_with_the_two_setup_commands():
    head = README.split("## Everyday use")[0]
    assert "make run" in head and "make test" in head


def test_every_command_and_option_is_in_the_readme():
    missing = []
    for path, command in commands(main):
        if path not in README:
            missing.append(path)
        for param in command.params:
            for option in getattr(param, "opts", []):
                field = "`" + option.lstrip("-").replace("-", "_") + "`"  # description fields are in a table
                if option.startswith("--") and not re.search(re.escape(option) + r"\b", README) \
                        and field not in README:
                    missing.append(f"{path} {option}")
    assert missing == []


def test_every_setting_is_in_the_readme():
    assert [s for s in SETTINGS if s not in README] == []
