"""`python -m cli` is the `olke` command."""
from cli import main

main()
