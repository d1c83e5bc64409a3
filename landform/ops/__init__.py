"""Running Landform: logs, metrics, health, periodic jobs, backups and the production start-up checks."""
