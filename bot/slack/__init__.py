"""The Slack face of briefbot: app factory, listeners, delivery, App Home, servers."""
