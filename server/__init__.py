"""The hub: FastAPI app over `common.service.Hub`, its command line and the demo."""
