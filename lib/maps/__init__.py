"""The Maps page: countries and projections, spatial file import and export, the campus web map, colour for maps."""
