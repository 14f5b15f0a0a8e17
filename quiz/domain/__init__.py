"""Pure rules of the service: no Flask, no database."""
