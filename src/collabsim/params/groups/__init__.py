"""The parameter declarations, one module per group, imported in the table's order."""
