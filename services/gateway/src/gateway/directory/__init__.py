"""The participant directory: which insurers take part, where, with which products."""
