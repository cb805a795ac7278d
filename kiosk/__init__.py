"""The citizen kiosk: a Qt Quick shell (touch) over `common.stations.ticketing`."""
