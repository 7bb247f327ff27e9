"""Benchmarks of the kit against real RabbitMQ and PostgreSQL (``make bench``; docs/BENCHMARKS.md)."""
