"""Development tools, never installed on a kiosk: the demo hall day, screenshots, the screen harness, a hub on
loopback, sample data and the browser driver for tests and benchmarks."""
