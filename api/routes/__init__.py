"""The API's routes, one module per resource; each route is a module-level function."""
