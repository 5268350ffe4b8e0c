"""The HTTP API and the workbench server.

    from bankmind.api.app import create_app      # the ASGI app for some Settings
    from bankmind.api.server import serve        # run it with uvicorn (`bankmind serve`)

Routers live in `api/routers/<capability>.py`; pages of the workbench in `bankmind.web.pages`.
"""
