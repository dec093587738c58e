"""``outpaint serve``: a local page that widens a photo without a terminal. ``jobs`` paints
uploads one at a time in a folder of its own; ``app`` serves the page and its JSON API."""
