"""The Gradio chat UI. runtime: what the app holds (no Gradio); launch: safe launch settings and serve();
layout: the Blocks (the only module that imports gradio); chat: follow-ups and answer text; documents:
uploads; viewer: the cited page with the passage marked."""

from __future__ import annotations

import os

# Offline: no telemetry calls. Set here, before any module of the UI imports gradio.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
