"""The insurer's side of the participant directory: announcing itself."""
