"""The citizen-facing rating screen (Qt Quick, touch): on the terminal's second monitor or on a pad of its own."""
