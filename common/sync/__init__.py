"""The sync protocol as a device and a hub speak it: wire format, local store, transport, client, event stream."""
