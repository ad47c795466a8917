from tests.alerts.mailbox import smtp_server, smtp_settings

__all__ = ["smtp_server", "smtp_settings"]
