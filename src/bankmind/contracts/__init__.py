"""Contract quality inspection (合同质检): a contract's fields, its findings and its seals, with evidence."""
