"""The `planner` command.

`planner check` is the brand checker and must work without an app, a database or a secret key (it
runs in other organisations' CI), so it is dispatched before Flask's command group is built.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "check":
        from planner.brand.cli import main as check_main

        return check_main(args[1:])
    from planner.commands import cli

    cli.main(args=args, prog_name="planner")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
