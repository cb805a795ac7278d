"""The Qt foundation of the kiosk and the terminal: application and fonts, views, the worker, theme, view-model base,
test probes."""
