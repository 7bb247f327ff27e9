"""The gateway: the Gosuslugi-like front of the interchange."""
