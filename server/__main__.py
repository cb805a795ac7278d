"""`python -m server`: the hub's command line."""
import sys

from server.cli import main

sys.exit(main())
