from pathlib import Path

from kit.cli import main
from payments.app import create_app
from payments.settings import PaymentsSettings

if __name__ == "__main__":
    main(
        settings_factory=PaymentsSettings,
        app_factory=create_app,  # type: ignore[arg-type]
        migrations_dir=Path(__file__).parent / "migrations",
    )
