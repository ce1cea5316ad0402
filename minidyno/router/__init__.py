"""The router: nginx carries the traffic, Python decides where it goes."""
