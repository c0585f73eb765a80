"""The one error type of :mod:`filtering`."""


class FilterError(ValueError):
    """A filter that cannot be parsed or is not accepted; the message says why."""
