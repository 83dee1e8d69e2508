"""Entry point of ``python3 -m specsim_plots`` (what ``specsim plot`` runs)."""

from .cli import main

main()
