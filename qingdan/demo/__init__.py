"""The demo loader: Zhejiang's real tree, its departments, accounts and lists worked through the real loop."""
