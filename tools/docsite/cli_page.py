"""The CLI reference page, written from Sterna's real argument parser
(:func:`sterna.cli.build_parser`): every verb, every option, its help text."""

from __future__ import annotations

import argparse

from sterna.cli import build_parser
from tools.docsite.markdown_text import cell as _cell

_WIDTH = 88  # usage lines are wrapped as on an 88-column terminal

_INTRO = """\
# CLI reference

*Generated from Sterna's argument parser (`sterna.cli.build_parser`) when the site is built.*

```
sterna [global options] VERB [options] [arguments]
```

`python -m sterna` is the same program. The global options may come before the verb or after
it, with one exception kept from Alembic: after `current`, `-c` means `--check-heads`, so there
the config file is given with `--config` (`sterna current --config alembic.ini`, or
`sterna -c alembic.ini current`). `-h` or `--help`, before or after a verb, prints the
program's or the verb's help.
"""


def _invocation(action: argparse.Action, prog: str) -> str:
    formatter = argparse.HelpFormatter(prog, width=_WIDTH)
    return formatter._format_action_invocation(action)


def _default(action: argparse.Action) -> str:
    default = action.default
    if default in (None, False, argparse.SUPPRESS) or isinstance(action, argparse._HelpAction):
        return ""
    return f"`{default}`"


def _table(actions: list[argparse.Action], prog: str) -> list[str]:
    rows = ["| Argument | Default | What it does |", "| --- | --- | --- |"]
    for action in actions:
        invocation = _invocation(action, prog).replace("|", "\\|")
        help_text = _cell(action.help or "") if action.help != argparse.SUPPRESS else ""
        rows.append(f"| `{invocation}` | {_default(action)} | {help_text} |")
    return rows


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = argparse.HelpFormatter(parser.prog, width=_WIDTH)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)
    return formatter.format_help().strip()


def verb_parsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser of each verb, by name, as the command line has them."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise LookupError("the parser has no verbs")


def _own_actions(parser: argparse.ArgumentParser) -> tuple[list[argparse.Action], list[str]]:
    """The verb's own arguments, and the flags of the global options it accepts after it."""
    own: list[argparse.Action] = []
    global_flags: list[str] = []
    for group in parser._action_groups:
        if group.title == "global options":
            global_flags += ["/".join(a.option_strings) for a in group._group_actions]
            continue
        own += [a for a in group._group_actions if not isinstance(a, argparse._HelpAction)]
    positional = [a for a in own if not a.option_strings]
    return [a for a in own if a.option_strings] + positional, global_flags


def _verb_section(name: str, sub: argparse.ArgumentParser) -> list[str]:
    actions, global_flags = _own_actions(sub)
    lines = [f"## sterna {name} {{#{name}}}", "", _cell(sub.description or ""), ""]
    lines += ["```", _usage(sub), "```", ""]
    if actions:
        lines += [*_table(actions, sub.prog), ""]
    else:
        lines += ["No options of its own.", ""]
    flags = ", ".join(f"`{flag}`" for flag in global_flags)
    lines += [f"Global options accepted after the verb: {flags}.", ""]
    return lines


def _global_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    skip = (argparse._HelpAction, argparse._SubParsersAction)
    return [a for a in parser._actions if a.option_strings and not isinstance(a, skip)]


def render(prog: str = "sterna") -> str:
    """The whole page, as Markdown."""
    parser = build_parser(prog)
    verbs = verb_parsers(parser)
    lines = [_INTRO, "## Global options", ""]
    lines += [*_table(_global_actions(parser), prog), ""]
    lines += ["## Verbs", "", "| Verb | What it does |", "| --- | --- |"]
    for name, sub in verbs.items():
        lines.append(f"| [`{name}`](#{name}) | {_cell(sub.description or '')} |")
    lines.append("")
    for name, sub in verbs.items():
        lines += _verb_section(name, sub)
    return "\n".join(lines)
