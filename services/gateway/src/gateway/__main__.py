from pathlib import Path

from gateway.app import create_app
from gateway.settings import GatewaySettings
from kit.cli import main

if __name__ == "__main__":
    main(
        settings_factory=GatewaySettings,
        app_factory=create_app,  # type: ignore[arg-type]
        migrations_dir=Path(__file__).parent / "migrations",
    )
