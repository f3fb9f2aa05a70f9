"""`python -m engine` is the `wargame` command."""

from .cli import main

raise SystemExit(main())
