"""`python -m terminal terminal.toml`: a clerk terminal (with the rating screen on a second monitor)."""
import sys

from terminal.main import main

sys.exit(main())
