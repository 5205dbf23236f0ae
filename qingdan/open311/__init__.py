"""Open311 GeoReport v2 over intake's services, so citizens' apps and CRMs can file and read requests."""
