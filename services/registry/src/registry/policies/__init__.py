"""ОМС policies: issue, look up, suspend and resume, change insurer or region, terminate; history."""
