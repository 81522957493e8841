"""The one exception users need to catch: a chart that cannot be read, with the reason."""


class ChartError(Exception):
    """Raised when an image cannot be decoded or holds no readable chart."""
