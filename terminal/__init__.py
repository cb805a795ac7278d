"""The clerk's window terminal (Qt Widgets, keyboard first) over `common.terminal`."""
