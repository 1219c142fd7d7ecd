"""Everything that is not a widget: database, data loading, search, hub, printing logic."""
