"""The onedir terminal's entry point (packaging/onedir/haoban-stations.spec): `haoban-terminal terminal.toml`."""
import sys

from terminal.main import main

sys.exit(main())
