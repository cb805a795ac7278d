"""Package data: the Jiangnan theme and its icons (`theme/`), the recorded voice clips (`voice/`)."""
from importlib import resources
from pathlib import Path

ROOT = Path(str(resources.files(__name__)))
