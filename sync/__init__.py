"""Everything that crosses the network: wire protocol, client, credentials, reference server."""
