"""`python -m terminal.rating rating.toml`: a rating pad of its own."""
import sys

from terminal.rating.main import main

sys.exit(main())
