"""Output formats of the atlas: GeoJSON, GIS exports and rendered maps (PNG/SVG/PDF)."""
