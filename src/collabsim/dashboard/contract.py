"""What the dashboard promises whoever starts it, kept apart from the modules that serve it.

Where it listens by default, the module Solara serves and its title, the line it prints
once it is listening, where it reports its status, how long a browser session outlives
its page, and how to install what it needs. The package re-exports these names; its serving and
offline modules read them from here, so that neither needs the package that loads them.
"""

from __future__ import annotations

#: The module Solara serves.
APP = "collabsim.dashboard.app"
#: The page's title, in the browser's tab from the first byte the server sends.
TITLE = "collabsim workshop"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: How to install what the dashboard needs (the ``dashboard`` extra).
INSTALL = 'pip install "collabsim[dashboard]"'
#: The line printed on stdout once the server is listening; ``{url}`` is the page's address.
ANNOUNCEMENT = "collabsim dashboard: serving at {url}"
#: How long a browser session outlives its page's connection (a crashed browser, a phone
#: gone to sleep, a closed laptop) before its models are freed; a page that reconnects
#: sooner carries on. In Solara's notation (``90s``, ``5m``, ``1h``); the environment
#: variable ``SOLARA_KERNEL_CULL_TIMEOUT`` overrides it.
SESSION_TIMEOUT = "5m"
#: Where the server reports, as JSON, the browser sessions open and the models held.
STATUS_PATH = "/_collabsim/status"
