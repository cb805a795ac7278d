"""`python -m kiosk kiosk.toml`: a kiosk."""
import sys

from kiosk.main import main

sys.exit(main())
