"""Operating an installation: backups, restores, the complete export and integrity checks."""
