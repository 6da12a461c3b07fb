"""`panelpapers preview`: a local live preview for authors. `watch.py` watches the project and
rebuilds through the build's own entry points and cache, `server.py` serves the preview on 127.0.0.1
with its safety checks, `page.py` writes the index and puts the reload script and the problems
overlay into each page, `state.py` is what they share, `command.py` the command line."""
