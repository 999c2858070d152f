"""Risk-compensation pool benchmark: claims through the services on PostgreSQL, and the stress test."""
