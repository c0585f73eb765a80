"""Writing features out: GeoJSON bytes for the API (:mod:`formats.geojson`), the files GIS
users download (:mod:`formats.exports`) and maps to publish, PNG/SVG/PDF (:mod:`formats.render`)."""
