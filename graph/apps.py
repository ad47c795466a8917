from django.apps import AppConfig


class GraphConfig(AppConfig):
    name = "graph"
    verbose_name = "Catalogue graph"

    def ready(self) -> None:
        from django.conf import settings

        from core.health import register_check
        from graph.client import run_query

        register_check(
            "graph", lambda: run_query("RETURN 1 AS ok", timeout=settings.HEALTH_CHECK_TIMEOUT) and None
        )
