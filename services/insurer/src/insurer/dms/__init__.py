"""ДМС-мигрант on the insurer's side: premium, underwriting, contract and policy (issue 4)."""
