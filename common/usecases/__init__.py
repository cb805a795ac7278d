"""What the hub does, one transaction a command: tickets and windows, devices and clerks, reference data,
appointments, the sync receiver, the link to an upstream hub, the projection check."""
