from pathlib import Path

from insurer.app import create_app
from insurer.settings import InsurerSettings
from kit.cli import main

if __name__ == "__main__":
    main(
        settings_factory=InsurerSettings,
        app_factory=create_app,  # type: ignore[arg-type]
        migrations_dir=Path(__file__).parent / "migrations",
    )
