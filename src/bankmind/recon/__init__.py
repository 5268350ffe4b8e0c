"""Fund valuation reconciliation (估值表核对): parse any custodian's table, reconcile manager vs
custodian, explain every break."""
