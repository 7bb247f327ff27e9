from pathlib import Path

from kit.cli import main
from registry.app import create_app
from registry.settings import RegistrySettings

if __name__ == "__main__":
    main(
        settings_factory=RegistrySettings,
        app_factory=create_app,  # type: ignore[arg-type]
        migrations_dir=Path(__file__).parent / "migrations",
    )
