"""Issue 6, "Prove it holds": load, redelivery, crash, bad input, access, migrations."""
