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
            from search.indices import MACHINES, definition_changed, ensure_indices

            aliases = ensure_indices()
            if not definition_changed(MACHINES):
                return f"search indices {', '.join(aliases)}"
            # the analysis or the fields changed since the index was built: rebuilt beside
            # the old one, which answers until the alias moves (search/reindex.py)
            from core.progress import progress_bar
            from search.reindex import reindex_machines

            with progress_bar("rebuilding the search index", "doc") as on_progress:
                result = reindex_machines(on_progress=on_progress)
            return f"search indices {', '.join(aliases)}; rebuilt for a changed definition ({result.documents} documents)"

        register_step("search indices", indices)
