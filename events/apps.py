from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.prepare import register_step
        from events.sql import prepare_events

        register_step("events", prepare_events)
