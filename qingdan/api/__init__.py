"""The one NinjaAPI: bearer-token or session auth, domain errors mapped to HTTP once, every app's router mounted."""
