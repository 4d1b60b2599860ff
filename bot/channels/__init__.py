"""Channel adapters, one package each and all alike: the provider's way in and out, nothing more."""
