"""Planning: the arrival forecast and the staffing advice proved by simulating the hub's own queue policy (docs/planning.md)."""
