"""The insurer service: one codebase, one plugin per running instance."""
