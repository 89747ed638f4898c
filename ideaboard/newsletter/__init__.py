"""The weekly digest by email for visitors: sign up, confirm."""
