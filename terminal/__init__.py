"""The clerk's window terminal (Qt Widgets, keyboard first) over `common.stations.counter`, and the citizen's
rating screen (`terminal.rating`)."""
