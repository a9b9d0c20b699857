"""`python -m archive` is the `olke` command."""
from archive.cli import main

main()
