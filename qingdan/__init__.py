"""qingdan: problem lists for public bodies."""
