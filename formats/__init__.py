"""Writing features out: GeoJSON bytes for the API (:mod:`formats.geojson`) and the files GIS
users download (:mod:`formats.exports`)."""
