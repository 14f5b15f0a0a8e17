"""Accounts in the browser: sign up, log in, log out."""
