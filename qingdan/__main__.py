"""The ``qingdan`` command: Django's manage.py under the project's name."""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    """Run a qingdan subcommand (``qingdan --help`` lists them)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    argv = list(sys.argv)
    argv[0] = "qingdan"
    if len(argv) < 2 or argv[1] in ("help", "--help", "-h"):
        # Listing commands serves nothing and needs no secret: let the settings load without one.
        os.environ.setdefault("QINGDAN_HELP_ONLY", "1")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
