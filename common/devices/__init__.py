"""Device adapters behind small interfaces: receipt printer, QR scanners, ID-card readers, speaker, spoken calls."""
