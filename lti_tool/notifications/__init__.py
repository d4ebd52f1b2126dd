"""Notifications: people hear about what concerns them, in the tool's centre and by email, once."""
