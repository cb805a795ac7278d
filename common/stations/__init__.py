"""What a device does over the sync client: the kiosk's (ticketing), the terminal's (counter), the rating screen's (feedback)."""
