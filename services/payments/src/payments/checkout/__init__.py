"""The payment page (PAY-01): where the applicant pays, by a test card or by SBP, reached by the
``confirmation_url`` link of a pending payment."""
