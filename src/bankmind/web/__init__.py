"""The web workbench: server-rendered pages (Jinja2 + htmx), a navigation registry, two languages."""
