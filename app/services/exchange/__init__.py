"""Bundles and their trust rules: the file format, what a bundle may carry in each direction,
merging an imported bundle, the references it needs and the withdrawals that travel with it.
"""
