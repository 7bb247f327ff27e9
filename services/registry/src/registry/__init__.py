"""Registry (ERZL-style).

The register of people insured under ОМС: persons, policies with ЕНП, their history, the СМО directory.
"""
