"""`python -m bankmind` is the `bankmind` command."""

from bankmind.cli import main

main()
