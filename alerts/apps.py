from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from alerts.percolator import ensure_percolator_index
        from core.prepare import register_step

        register_step("saved searches", ensure_percolator_index)
