"""The core of Haoban in layers (docs/architecture.md): domain, db, sync, usecases, readmodels, stations, devices.
No Qt, no web framework."""
