"""The strategy report: typed findings put into Jinja2 templates (``templates/``), figures,
and the files written (Markdown, HTML, CSV, JSON)."""

__all__: list[str] = []
