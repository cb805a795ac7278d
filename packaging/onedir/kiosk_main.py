"""The onedir kiosk's entry point (packaging/onedir/haoban-stations.spec): `haoban-kiosk kiosk.toml`."""
import sys

from kiosk.main import main

sys.exit(main())
