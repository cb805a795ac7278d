"""Device adapters behind small interfaces: receipt printer, QR scanner, ID-card reader."""
