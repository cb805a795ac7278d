"""What the hub shows: the queue and a ticket's public status, the hall display, the dashboard, the assessment."""
