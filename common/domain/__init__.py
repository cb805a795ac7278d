"""The hall as plain data and pure functions, no I/O: model, events, projection, queue policy, clock, errors."""
