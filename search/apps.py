from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from django.conf import settings

        from core.health import register_check
        from core.prepare import register_step
        from search.client import get_client

        def check() -> None:
            if get_client().cluster.health(request_timeout=settings.HEALTH_CHECK_TIMEOUT)["status"] == "red":
                raise RuntimeError("cluster status is red")

        register_check("search", check)

        def indices() -> str:
            from search.indices import ensure_indices

            return f"search indices {', '.join(ensure_indices())}"

        register_step("search indices", indices)
