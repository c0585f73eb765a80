"""The ``chengyu`` command line: build the data, serve the app, ask, export and inspect."""
