"""ESIA-like accounts: who the applicant is, how sure we are (the assurance level), their consents."""
