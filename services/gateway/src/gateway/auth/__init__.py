"""Access: OAuth2 tokens for citizens (ESIA-like login) and partner systems (client credentials)."""
