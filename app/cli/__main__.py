"""`python -m app.cli` runs the `kbqa` command line."""

from app.cli import main

main()
