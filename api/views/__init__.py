"""API views, one module per area. ``base`` holds what every tenant endpoint shares."""
