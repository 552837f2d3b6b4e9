"""Turn a folder of messy news articles into an attributed briefing site.

The pipeline is listed once, in order, in `generator.pipeline`.
"""

__version__ = "0.1.0"
