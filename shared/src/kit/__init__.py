"""The common kit of the interchange: settings, database, messaging, errors, logging, contracts."""
