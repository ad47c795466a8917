from django.apps import AppConfig


class GraphConfig(AppConfig):
    name = "graph"
    verbose_name = "Catalogue graph"

    def ready(self) -> None:
        from django.conf import settings

        from core.health import register_check
        from core.prepare import register_step
        from graph.client import run_query

        def check() -> None:
            run_query("RETURN 1 AS ok", timeout=settings.HEALTH_CHECK_TIMEOUT)

        def schema() -> str:
            from graph.schema import ensure_schema

            return f"{ensure_schema()} graph schema statements"

        register_check("graph", check)
        register_step("graph schema", schema)
