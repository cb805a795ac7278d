"""The hub: the FastAPI app over `common.usecases.hub.Hub`, its web pages and its command line."""
